import pytest
from django.core.management import call_command

from pilotactions.territories.enums import AuthorityKind, AuthorityLevel
from pilotactions.territories.models import Authority, Commune, Departement, Epci, Region
from pilotactions.territories.services import territories_load

pytestmark = pytest.mark.django_db


def test_official_counts():
    assert Region.objects.official().count() == 18
    assert Departement.objects.official().count() == 101
    assert set(Region.objects.filter(zone="com").values_list("code", flat=True)) == {"975", "978"}
    assert set(Departement.objects.filter(zone="com").values_list("code", flat=True)) == {"975", "978"}
    assert Epci.objects.count() == 1255
    assert Epci.objects.filter(kind__in=["METRO", "MET69"]).count() == 22
    # 34,969 current communes minus the 91 of the overseas collectivities that sign no contract.
    assert Commune.objects.count() == 34878


def test_authority_counts_and_named_codes():
    assert Authority.objects.counts_by_level() == {"departemental": 102, "intercommunal": 23}
    departemental = set(Authority.objects.filter(level=AuthorityLevel.DEPARTEMENTAL).values_list("code", flat=True))
    for absent in ["67", "68", "2A", "2B"]:
        assert absent not in departemental
    for present in ["69", "75", "972", "973", "976", "6AE", "20R", "69M", "975", "978"]:
        assert present in departemental
    intercommunal = set(Authority.objects.filter(level=AuthorityLevel.INTERCOMMUNAL).values_list("code", flat=True))
    assert "200054781" not in intercommunal  # Métropole du Grand Paris
    assert "200046977" not in intercommunal  # Métropole de Lyon counts at departmental level (69M)
    assert {"200039865", "200054807", "200027183", "248000531", "211300553"} <= intercommunal
    assert Authority.objects.filter(kind=AuthorityKind.METROPOLE).count() == 20


def test_authorities_cover_their_territories():
    alsace = Authority.objects.get(code="6AE")
    assert sorted(alsace.departements.values_list("code", flat=True)) == ["67", "68"]
    assert alsace.region.code == "44"
    corse = Authority.objects.get(code="20R")
    assert sorted(corse.departements.values_list("code", flat=True)) == ["2A", "2B"]
    marseille = Authority.objects.get(code="211300553")
    assert marseille.kind == AuthorityKind.VILLE
    assert marseille.commune.code == "13055"
    assert marseille.departement.code == "13"
    nord = Authority.objects.get(code="59")
    assert nord.name == "Département du Nord"
    assert Authority.objects.get(code="01").name == "Département de l’Ain"
    assert Authority.objects.get(code="244400404").epci.name == "Nantes Métropole"
    aix_marseille = Authority.objects.get(code="200054807")
    assert aix_marseille.departement.code == "13"


def test_loading_twice_duplicates_nothing():
    before = territories_load()
    nord_id = Authority.objects.get(code="59").id
    after = territories_load()
    assert before == after
    assert Authority.objects.get(code="59").id == nord_id


def test_commune_links():
    lille = Commune.objects.select_related("epci", "departement").get(code="59350")
    assert lille.departement.code == "59"
    assert lille.epci.siren == "200093201"


def test_load_territories_command_reports_counts(capsys):
    call_command("load_territories")
    out = capsys.readouterr().out
    assert "125 collectivités co-contractantes" in out
    assert "34878 communes" in out

"""Regional envelopes of the local pacts: the indicator file, the allocation, adjustments, the freeze,
concurrency between two administrators, and who reads which envelope."""

import io
import threading
from decimal import Decimal
from fractions import Fraction

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.core.models import AuditEvent
from pilotactions.pacts import envelopes
from pilotactions.pacts.envelopes import ConcurrentEditError, allocation_compute, largest_remainder
from pilotactions.pacts.models import EnvelopeYear, Pact, PovertyIndicator, RegionalEnvelope
from pilotactions.territories.models import Departement, Region
from tests.factories import login, make_role

pytestmark = pytest.mark.django_db

NATIONAL = Decimal("17827000")


def csv_file(rows, header="departement;personnes_sous_seuil", sep=";", encoding="utf-8"):
    lines = [header] + [sep.join(str(c) for c in row) for row in rows]
    return io.BytesIO(("\n".join(lines) + "\n").encode(encoding))


def all_rows(value=1000, **overrides):
    """One row per official département (code, people), with some values replaced."""
    rows = {d.code: value for d in Departement.objects.official()}
    rows.update(overrides)
    return [(code, people) for code, people in rows.items() if people is not None]


@pytest.fixture
def admin():
    return make_role(R.NATIONAL_ADMIN)


@pytest.fixture
def year(admin):
    envelope_year, _ = envelopes.envelope_year_save(
        role=admin, year=2024, national_amount=NATIONAL, overseas_uplift=Decimal("1.25")
    )
    return envelope_year


def import_file(admin, envelope_year, fileobj, name="indicateur.csv"):
    envelope_year.refresh_from_db()
    return envelopes.indicator_import(
        role=admin,
        envelope_year=envelope_year,
        fileobj=fileobj,
        file_name=name,
        source="Insee, Filosofi 2021 (test)",
        indicator_year=2021,
    )


@pytest.fixture
def imported(admin, year):
    with envelopes.DEMO_FILE.open("rb") as demo:
        import_file(admin, year, demo, "indicateur-pauvrete-demo.csv")
    year.refresh_from_db()
    return year


# --- The demo file and the allocation -------------------------------------------------------------


def test_demo_file_has_every_departement_once_and_about_9_million_people(admin, imported):
    assert PovertyIndicator.objects.filter(envelope_year=imported).count() == 101
    total = sum(PovertyIndicator.objects.filter(envelope_year=imported).values_list("poor_people", flat=True))
    assert 8_500_000 < total < 9_800_000
    assert RegionalEnvelope.objects.filter(envelope_year=imported).count() == 18
    assert envelopes.allocation_difference(imported) == 0
    assert AuditEvent.objects.filter(verb="envelope_indicator_imported").count() == 1


@pytest.mark.parametrize("national", ["1", "17", "17827000", "17827001", "99999999"])
def test_allocation_total_is_exact_in_whole_euros(admin, imported, national):
    imported.national_amount = Decimal(national)
    allocations = allocation_compute(imported)
    assert len(allocations) == 18
    assert sum(a.amount for a in allocations) == Decimal(national)
    assert all(a.amount == a.amount.to_integral_value() for a in allocations)
    assert allocation_compute(imported) == allocations  # deterministic


@given(
    amount=st.integers(min_value=0, max_value=10**9),
    weights=st.dictionaries(st.from_regex(r"[0-9]{2}", fullmatch=True), st.integers(0, 10**8), min_size=1, max_size=18),
)
def test_largest_remainder_is_exact_and_each_share_within_one_unit_of_its_quota(amount, weights):
    shares = largest_remainder(amount, weights)
    total = sum(weights.values())
    assert set(shares) == set(weights)
    if total == 0:
        assert set(shares.values()) == {0}
        return
    assert sum(shares.values()) == amount
    for key, weight in weights.items():
        quota = Fraction(amount * weight, total)
        assert quota - 1 < shares[key] <= quota + 1 and (shares[key] == int(quota) or shares[key] == int(quota) + 1)
    assert largest_remainder(amount, dict(reversed(list(weights.items())))) == shares  # order-independent


def test_largest_remainder_ties_go_to_the_lowest_region_code(admin, year):
    rows = all_rows(0, **{"971": 1, "972": 1})  # Guadeloupe (région 01) and Martinique (02) tie
    import_file(admin, year, csv_file(rows))
    year.refresh_from_db()
    year.national_amount = Decimal("3")
    amounts = {a.region.code: a.amount for a in allocation_compute(year)}
    assert amounts["01"] == 2 and amounts["02"] == 1
    assert sum(amounts.values()) == 3


def test_overseas_uplift_multiplies_the_overseas_indicator(admin, year):
    import_file(admin, year, csv_file(all_rows(1000)))
    year.refresh_from_db()
    year.overseas_uplift = Decimal("1.00")
    plain = {a.region.code: a for a in allocation_compute(year)}
    year.overseas_uplift = Decimal("2.00")
    uplifted = {a.region.code: a for a in allocation_compute(year)}
    assert uplifted["04"].weighted == 2 * plain["04"].weighted == 2000  # La Réunion, one département
    assert uplifted["04"].amount > plain["04"].amount
    assert uplifted["11"].amount < plain["11"].amount  # Île-de-France pays for it
    assert uplifted["04"].poor_people == plain["04"].poor_people == 1000


# --- The indicator file: accepted variants ----------------------------------------------------------


def test_csv_with_bom_comma_french_headers_and_short_codes(admin, year):
    rows = [
        (code[1:] if code.startswith("0") else code, f"{people:,}".replace(",", "\u202f"))
        for code, people in all_rows(12345)
    ]
    content = csv_file(rows, header="Département,Nombre de personnes sous le seuil de pauvreté", sep=",")
    import_file(admin, year, io.BytesIO(b"\xef\xbb\xbf" + content.getvalue()))
    assert PovertyIndicator.objects.get(envelope_year=year, departement__code="01").poor_people == 12345
    assert PovertyIndicator.objects.filter(envelope_year=year).count() == 101


def test_xlsx_with_numeric_cells_and_an_extra_column(admin, year):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["departement", "nom", "personnes_sous_seuil"])
    for code, people in all_rows(500):
        sheet.append([int(code) if code.isdigit() else code, "x", float(people)])
    content = io.BytesIO()
    workbook.save(content)
    content.seek(0)
    import_file(admin, year, content, "indicateur.xlsx")
    assert PovertyIndicator.objects.get(envelope_year=year, departement__code="2A").poor_people == 500
    assert PovertyIndicator.objects.get(envelope_year=year, departement__code="01").poor_people == 500


# --- The indicator file: refused, with the line and column, nothing saved ---------------------------

BAD_FILES = {
    "negative": (lambda: csv_file(all_rows(**{"59": -3})), "colonne « personnes_sous_seuil » : « -3 »"),
    "decimal": (lambda: csv_file(all_rows(**{"59": "12,5"})), "« 12,5 » n’est pas un nombre entier"),
    "text": (lambda: csv_file(all_rows(**{"59": "beaucoup"})), "« beaucoup » n’est pas un nombre entier"),
    "empty value": (lambda: csv_file(all_rows(**{"59": ""})), "le nombre de personnes est vide"),
    "unknown code": (lambda: csv_file([*all_rows(), ("975", 10)]), "« 975 » n’est pas le code INSEE"),
    "duplicate": (
        lambda: csv_file([*all_rows(), ("59", 10)]),
        "Ligne 103, colonne « departement » : le département 59 figure déjà ligne",
    ),
    "missing": (
        lambda: csv_file(all_rows(**{"2A": None, "976": None})),
        "2 département(s) absent(s) du fichier : 2A Corse-du-Sud, 976 Mayotte",
    ),
    "missing column": (
        lambda: csv_file(all_rows(), header="departement;pauvrete"),
        "colonne « personnes_sous_seuil » introuvable",
    ),
    "all zero": (lambda: csv_file(all_rows(0)), "nul dans tous les départements"),
    "latin-1": (
        lambda: csv_file(all_rows(), header="Département;personnes_sous_seuil", encoding="latin-1"),
        "n’est pas encodé en UTF-8",
    ),
    "empty file": (lambda: io.BytesIO(b""), "Le fichier est vide."),
    "huge": (lambda: csv_file(all_rows(**{"59": 99_000_000})), "plus que la population"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_indicator_file_is_refused_whole_with_a_french_message(admin, imported, case):
    make, expected = BAD_FILES[case]
    before = list(PovertyIndicator.objects.filter(envelope_year=imported).values_list("departement_id", "poor_people"))
    amounts = list(RegionalEnvelope.objects.filter(envelope_year=imported).values_list("amount", flat=True))
    with pytest.raises(ValidationError) as refused:
        import_file(admin, imported, make())
    assert any(expected in message for message in refused.value.message_dict["file"]), refused.value.message_dict
    after = list(PovertyIndicator.objects.filter(envelope_year=imported).values_list("departement_id", "poor_people"))
    assert after == before
    assert list(RegionalEnvelope.objects.filter(envelope_year=imported).values_list("amount", flat=True)) == amounts
    imported.refresh_from_db()
    assert imported.indicator_file_name == "indicateur-pauvrete-demo.csv"


def test_negative_value_names_its_line(admin, year):
    rows = all_rows()
    rows[2] = (rows[2][0], -1)
    with pytest.raises(ValidationError) as refused:
        import_file(admin, year, csv_file(rows))
    assert refused.value.message_dict["file"][0].startswith("Ligne 4, colonne « personnes_sous_seuil » : « -1 »")


def test_bad_xlsx_and_xls_are_refused(admin, year):
    with pytest.raises(ValidationError, match="XLSX est illisible"):
        import_file(admin, year, io.BytesIO(b"PK\x03\x04 pas un classeur"), "indicateur.xlsx")
    with pytest.raises(ValidationError, match="XLS \\(Excel 97-2003\\)"):
        import_file(admin, year, io.BytesIO(b"\xd0\xcf\x11\xe0"), "indicateur.xls")
    workbook = openpyxl.Workbook()
    workbook.active.append(["departement", "personnes_sous_seuil"])
    workbook.active.append(["01", "mille"])
    content = io.BytesIO()
    workbook.save(content)
    content.seek(0)
    with pytest.raises(ValidationError) as refused:
        import_file(admin, year, content, "indicateur.xlsx")
    assert "Ligne 2, colonne « personnes_sous_seuil » : « mille »" in refused.value.message_dict["file"][0]
    assert not PovertyIndicator.objects.filter(envelope_year=year).exists()


def test_source_and_year_of_the_indicator_are_required(admin, year):
    with pytest.raises(ValidationError) as refused:
        envelopes.indicator_import(
            role=admin,
            envelope_year=year,
            fileobj=csv_file(all_rows()),
            file_name="a.csv",
            source=" ",
            indicator_year=1800,
        )
    assert set(refused.value.message_dict) == {"source", "indicator_year"}


# --- Year, adjustments, freeze ------------------------------------------------------------------------


def test_year_values_are_checked(admin, year):
    with pytest.raises(ValidationError) as refused:
        envelopes.envelope_year_save(
            role=admin, year=2024, national_amount=Decimal("10.50"), overseas_uplift=Decimal("0.5")
        )
    assert set(refused.value.message_dict) == {"national_amount", "overseas_uplift"}
    with pytest.raises(ValidationError, match="existent déjà"):
        envelopes.envelope_year_save(role=admin, year=2024, national_amount=NATIONAL, overseas_uplift=Decimal("1"))


def test_changing_the_amount_recomputes_and_drops_the_adjustments_with_a_warning(admin, imported):
    bretagne = RegionalEnvelope.objects.get(envelope_year=imported, region__code="53")
    envelopes.envelope_adjust(
        role=admin,
        envelope=bretagne,
        amount=bretagne.amount + 1000,
        reason="Pacte pilote",
        expected_version=imported.version,
    )
    imported.refresh_from_db()
    _, warnings = envelopes.envelope_year_save(
        role=admin,
        year=2024,
        national_amount=Decimal("20000000"),
        overseas_uplift=Decimal("1.25"),
        expected_version=imported.version,
    )
    assert len(warnings) == 1 and "Bretagne" in warnings[0]
    bretagne.refresh_from_db()
    assert bretagne.amount == bretagne.computed_amount and bretagne.adjustment_reason == ""
    imported.refresh_from_db()
    assert envelopes.allocation_difference(imported) == 0
    assert imported.national_amount == Decimal("20000000")


def test_adjust_requires_a_reason_and_the_freeze_requires_the_exact_total(admin, imported):
    hdf = RegionalEnvelope.objects.get(envelope_year=imported, region__code="32")
    occitanie = RegionalEnvelope.objects.get(envelope_year=imported, region__code="76")
    with pytest.raises(ValidationError) as refused:
        envelopes.envelope_adjust(
            role=admin, envelope=hdf, amount=hdf.amount + 500, reason="", expected_version=imported.version
        )
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        envelopes.envelope_adjust(
            role=admin, envelope=hdf, amount=Decimal("10.50"), reason="Centimes", expected_version=imported.version
        )
    assert "euros entiers" in refused.value.message_dict["amount"][0]
    envelopes.envelope_adjust(
        role=admin,
        envelope=hdf,
        amount=hdf.amount + 500,
        reason="Territoire d’expérimentation",
        expected_version=imported.version,
    )
    imported.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        envelopes.envelope_year_freeze(role=admin, envelope_year=imported, expected_version=imported.version)
    assert "dépasse le montant national (17\u202f827\u202f000\u202f€) de 500\u202f€" in refused.value.messages[0]
    imported.refresh_from_db()
    assert not imported.is_frozen
    envelopes.envelope_adjust(
        role=admin,
        envelope=occitanie,
        amount=occitanie.amount - 500,
        reason="Compense les Hauts-de-France",
        expected_version=imported.version,
    )
    imported.refresh_from_db()
    envelopes.envelope_year_freeze(role=admin, envelope_year=imported, expected_version=imported.version)
    imported.refresh_from_db()
    assert imported.is_frozen and imported.frozen_by == admin.user
    assert AuditEvent.objects.filter(verb="regional_envelope_adjusted").count() == 2
    assert AuditEvent.objects.filter(verb="envelope_year_frozen").count() == 1


def test_frozen_year_refuses_every_change_until_reopened(admin, imported):
    envelopes.envelope_year_freeze(role=admin, envelope_year=imported, expected_version=imported.version)
    imported.refresh_from_db()
    hdf = RegionalEnvelope.objects.get(envelope_year=imported, region__code="32")
    with pytest.raises(ValidationError, match="figées depuis le"):
        envelopes.envelope_adjust(
            role=admin, envelope=hdf, amount=Decimal(1), reason="x", expected_version=imported.version
        )
    with pytest.raises(ValidationError, match="figées depuis le"):
        import_file(admin, imported, csv_file(all_rows()))
    with pytest.raises(ValidationError, match="figées depuis le"):
        envelopes.envelope_year_save(
            role=admin,
            year=2024,
            national_amount=Decimal(1),
            overseas_uplift=Decimal(1),
            expected_version=imported.version,
        )
    with pytest.raises(ValidationError, match="figées depuis le"):
        envelopes.envelope_year_freeze(role=admin, envelope_year=imported, expected_version=imported.version)
    with pytest.raises(ValidationError):
        envelopes.envelope_year_unfreeze(
            role=admin, envelope_year=imported, reason="", expected_version=imported.version
        )
    envelopes.envelope_year_unfreeze(
        role=admin, envelope_year=imported, reason="Erreur de saisie", expected_version=imported.version
    )
    imported.refresh_from_db()
    assert not imported.is_frozen
    assert AuditEvent.objects.get(verb="envelope_year_unfrozen").data == {"reason": "Erreur de saisie"}


def test_freeze_needs_the_indicator(admin, year):
    with pytest.raises(ValidationError, match="Importez l’indicateur"):
        envelopes.envelope_year_freeze(role=admin, envelope_year=year, expected_version=year.version)


# --- Two administrators at once ------------------------------------------------------------------------


def test_second_admin_with_a_stale_version_does_not_overwrite(admin, imported):
    other = make_role(R.NATIONAL_ADMIN)
    loaded = imported.version  # both open the page
    hdf = RegionalEnvelope.objects.get(envelope_year=imported, region__code="32")
    envelopes.envelope_adjust(
        role=admin, envelope=hdf, amount=hdf.computed_amount + 10, reason="Premier", expected_version=loaded
    )
    same = RegionalEnvelope.objects.get(pk=hdf.pk)
    with pytest.raises(ConcurrentEditError):
        envelopes.envelope_adjust(
            role=other, envelope=same, amount=Decimal(1), reason="Second", expected_version=loaded
        )
    hdf.refresh_from_db()
    assert hdf.adjustment_reason == "Premier"
    stale = EnvelopeYear.objects.get(pk=imported.pk)
    with pytest.raises(ConcurrentEditError):
        envelopes.envelope_year_freeze(role=other, envelope_year=stale, expected_version=loaded)
    with pytest.raises(ConcurrentEditError):
        envelopes.envelope_year_save(
            role=other, year=2024, national_amount=Decimal(5), overseas_uplift=Decimal(1), expected_version=loaded
        )
    imported.refresh_from_db()
    assert not imported.is_frozen and imported.national_amount == NATIONAL


# --- Permissions ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", [R.NATIONAL_READER, R.REGIONAL, R.DEPARTMENTAL_STATE, R.AUTHORITY_EDITOR, R.MEASURE_PILOT]
)
def test_only_the_national_admin_changes_envelopes(imported, kind):
    role = make_role(kind)
    hdf = RegionalEnvelope.objects.get(envelope_year=imported, region__code="32")
    with pytest.raises(PermissionDenied):
        envelopes.envelope_year_save(role=role, year=2030, national_amount=NATIONAL, overseas_uplift=Decimal(1))
    with pytest.raises(PermissionDenied):
        import_file(role, imported, csv_file(all_rows()))
    with pytest.raises(PermissionDenied):
        envelopes.envelope_adjust(
            role=role, envelope=hdf, amount=Decimal(1), reason="x", expected_version=imported.version
        )
    with pytest.raises(PermissionDenied):
        envelopes.envelope_year_freeze(role=role, envelope_year=imported, expected_version=imported.version)


@pytest.fixture
def frozen(admin, imported):
    envelopes.envelope_year_freeze(role=admin, envelope_year=imported, expected_version=imported.version)
    imported.refresh_from_db()
    return imported


def test_a_region_reads_its_own_frozen_envelope_never_another(client, frozen):
    hdf = Region.objects.get(code="32")
    Pact.objects.create(
        reference="PL-32-2024-001",
        year=2024,
        region=hdf,
        title="Pacte de la Sambre",
        territory_kind="epcis",
        state_amount=Decimal("100000"),
    )
    amount = RegionalEnvelope.objects.get(envelope_year=frozen, region=hdf).amount
    occitanie_amount = RegionalEnvelope.objects.get(envelope_year=frozen, region__code="76").amount
    login(client, make_role(R.REGIONAL, "32"))
    page = client.get("/pactes/enveloppes/2024/regions/32/")
    assert page.status_code == 200
    text = page.content.decode()
    assert envelopes.euros(amount) in text
    assert envelopes.euros(amount - 100000) in text  # what is left
    assert 'href="/pactes/PL-32-2024-001/"' in text
    other = client.get("/pactes/enveloppes/2024/regions/76/")
    assert other.status_code == 403
    assert envelopes.euros(occitanie_amount) not in other.content.decode()
    # The year's table of every région is not theirs: they are sent to their own envelope.
    assert client.get("/pactes/enveloppes/2024/")["Location"] == "/pactes/enveloppes/2024/regions/32/"
    listing = client.get("/pactes/enveloppes/").content.decode()
    assert envelopes.euros(amount) in listing and envelopes.euros(occitanie_amount) not in listing
    assert client.get("/pactes/enveloppes/2024/ajuster/32/").status_code == 403
    assert client.post("/pactes/enveloppes/2024/figer/", {"version": frozen.version}).status_code == 403


def test_a_region_sees_nothing_before_the_freeze(client, imported):
    amount = RegionalEnvelope.objects.get(envelope_year=imported, region__code="32").amount
    login(client, make_role(R.REGIONAL, "32"))
    page = client.get("/pactes/enveloppes/2024/regions/32/").content.decode()
    assert "pas encore figée" in page and envelopes.euros(amount) not in page and envelopes.euros(amount, 2) not in page
    assert "Aucune enveloppe n’est encore figée" in client.get("/pactes/enveloppes/").content.decode()


@pytest.mark.parametrize("kind", [R.DEPARTMENTAL_STATE, R.AUTHORITY_EDITOR, R.MEASURE_PILOT])
def test_local_roles_read_no_envelope(client, frozen, kind):
    login(client, make_role(kind))
    for url in ["/pactes/enveloppes/", "/pactes/enveloppes/2024/", "/pactes/enveloppes/2024/regions/32/"]:
        assert client.get(url).status_code == 403, url


def test_national_reader_reads_without_forms(client, frozen):
    login(client, make_role(R.NATIONAL_READER))
    page = client.get("/pactes/enveloppes/2024/").content.decode()
    assert "Bretagne" in page and "Importer l’indicateur" not in page and "Ajuster" not in page
    assert client.get("/pactes/enveloppes/2024/regions/76/").status_code == 200
    assert client.post("/pactes/enveloppes/2024/ajuster/32/", {"amount": "1"}).status_code == 403


# --- The DIPLP's pages ------------------------------------------------------------------------------------


def test_admin_creates_imports_adjusts_and_freezes_through_the_pages(client, admin):
    login(client, admin)
    response = client.post(
        "/pactes/enveloppes/", {"year": "2025", "national_amount": "17 827 000", "overseas_uplift": "1,25"}
    )
    assert response.status_code == 302 and response["Location"] == "/pactes/enveloppes/2025/"
    envelope_year = EnvelopeYear.objects.get(year=2025)
    upload = SimpleUploadedFile("indicateur.csv", envelopes.DEMO_FILE.read_bytes(), content_type="text/csv")
    response = client.post(
        "/pactes/enveloppes/2025/indicateur/",
        {"file": upload, "source": "Données fictives", "indicator_year": "2021", "version": envelope_year.version},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    envelope_year.refresh_from_db()
    page = client.get("/pactes/enveloppes/2025/").content.decode()
    assert "Île-de-France" in page and "Égal au montant national" in page
    assert "Indicateur de pauvreté 2021 importé (indicateur.csv, source : Données fictives)" in page  # the journal
    hdf = RegionalEnvelope.objects.get(envelope_year=envelope_year, region__code="32")
    response = client.post(
        "/pactes/enveloppes/2025/ajuster/32/",
        {"amount": str(hdf.amount + 1), "reason": "", "version": envelope_year.version},
    )
    assert response.status_code == 200 and "Indiquez le motif" in response.content.decode()
    response = client.post(
        "/pactes/enveloppes/2025/ajuster/32/",
        {"amount": str(hdf.amount + 1), "reason": "Arrondi", "version": envelope_year.version},
        follow=True,
    )
    assert "ajustez une autre région avant de figer" in response.content.decode()
    envelope_year.refresh_from_db()
    response = client.post("/pactes/enveloppes/2025/figer/", {"version": envelope_year.version})
    assert response.status_code == 200 and "de 1\u202f€ : ajustez" in response.content.decode()
    response = client.post(
        "/pactes/enveloppes/2025/ajuster/32/",
        {"amount": str(hdf.amount), "reason": "", "version": envelope_year.version},
    )
    assert response.status_code == 302
    envelope_year.refresh_from_db()
    assert "Confirmer" in client.get("/pactes/enveloppes/2025/figer/").content.decode()
    response = client.post("/pactes/enveloppes/2025/figer/", {"version": envelope_year.version})
    assert response.status_code == 302
    envelope_year.refresh_from_db()
    assert envelope_year.is_frozen


def test_bad_file_through_the_page_keeps_the_form_and_saves_nothing(client, admin, year):
    login(client, admin)
    upload = SimpleUploadedFile(
        "indicateur.csv", csv_file(all_rows(**{"33": "-5"})).getvalue(), content_type="text/csv"
    )
    response = client.post(
        "/pactes/enveloppes/2024/indicateur/",
        {"file": upload, "source": "Ma source", "indicator_year": "2021", "version": year.version},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "colonne « personnes_sous_seuil » : « -5 »" in text and 'value="Ma source"' in text
    assert not PovertyIndicator.objects.exists()


def test_stale_form_shows_the_conflict_and_keeps_the_typing(client, admin, imported):
    login(client, admin)
    loaded = imported.version
    hdf = RegionalEnvelope.objects.get(envelope_year=imported, region__code="32")
    envelopes.envelope_adjust(role=admin, envelope=hdf, amount=hdf.amount, reason="", expected_version=loaded)
    response = client.post(
        "/pactes/enveloppes/2024/modifier/",
        {"national_amount": "18 000 000", "overseas_uplift": "1,5", "version": loaded},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Un autre administrateur a modifié ces enveloppes" in text and 'value="1,5"' in text
    imported.refresh_from_db()
    assert imported.national_amount == NATIONAL


def test_example_file_is_downloadable_by_national_roles(client, admin):
    login(client, admin)
    response = client.get("/pactes/enveloppes/modele-indicateur.csv")
    assert response.status_code == 200 and response.content.startswith(b"departement;nom;personnes_sous_seuil")


def test_import_posted_after_the_freeze_is_refused_visibly(client, admin, frozen):
    login(client, admin)
    for url in ["/pactes/enveloppes/2024/ajuster/32/", "/pactes/enveloppes/2024/figer/"]:
        response = client.post(url, {"amount": "1", "reason": "x", "version": frozen.version}, follow=True)
        assert "figées" in response.content.decode() and response.redirect_chain[-1][0] == "/pactes/enveloppes/2024/"
    upload = SimpleUploadedFile("indicateur.csv", envelopes.DEMO_FILE.read_bytes(), content_type="text/csv")
    response = client.post(
        "/pactes/enveloppes/2024/indicateur/",
        {"file": upload, "source": "Autre", "indicator_year": "2022", "version": frozen.version},
    )
    assert response.status_code == 200 and "sont figées depuis le" in response.content.decode()
    frozen.refresh_from_db()
    assert frozen.indicator_source == "Insee, Filosofi 2021 (test)"


@pytest.mark.postgres  # real concurrent transactions; deselected on SQLite
@pytest.mark.django_db(transaction=True)
def test_adjust_and_freeze_at_the_same_moment_one_wins_the_other_is_told(admin):
    envelope_year, _ = envelopes.envelope_year_save(
        role=admin, year=2024, national_amount=NATIONAL, overseas_uplift=Decimal("1.25")
    )
    with envelopes.DEMO_FILE.open("rb") as demo:
        import_file(admin, envelope_year, demo)
    envelope_year.refresh_from_db()
    loaded = envelope_year.version  # both administrators opened the page at this version
    other = make_role(R.NATIONAL_ADMIN)
    barrier = threading.Barrier(2)
    results = {}

    def run(name, call):
        try:
            barrier.wait(timeout=10)
            call()
            results[name] = "ok"
        except ConcurrentEditError:
            results[name] = "conflict"
        except Exception as error:  # asserted below
            results[name] = error
        finally:
            connection.close()

    def adjust():
        hdf = RegionalEnvelope.objects.get(envelope_year__year=2024, region__code="32")
        envelopes.envelope_adjust(
            role=admin, envelope=hdf, amount=hdf.amount + 100, reason="Ajout", expected_version=loaded
        )

    def freeze():
        year = EnvelopeYear.objects.get(year=2024)
        envelopes.envelope_year_freeze(role=other, envelope_year=year, expected_version=loaded)

    threads = [
        threading.Thread(target=run, args=("adjust", adjust)),
        threading.Thread(target=run, args=("freeze", freeze)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["conflict", "ok"], results
    envelope_year.refresh_from_db()
    assert envelope_year.version == loaded + 1
    if results["freeze"] == "ok":  # frozen as it was: the adjustment was refused, not applied behind the freeze
        assert envelope_year.is_frozen and envelopes.allocation_difference(envelope_year) == 0
    else:  # adjusted, and the freeze was refused instead of freezing amounts its author had not seen
        assert not envelope_year.is_frozen and envelopes.allocation_difference(envelope_year) == 100

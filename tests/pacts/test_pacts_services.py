"""The pact and pact action services: territory, references, envelope, concurrency, brackets, documents."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pilotactions.contracts.services import ConcurrentEditError
from pilotactions.pacts import services
from pilotactions.pacts.models import EnvelopeYear, Pact, PactAction, RegionalEnvelope
from pilotactions.territories.models import Authority, Commune, Departement, Epci, Region
from tests.factories import make_role, option

pytestmark = pytest.mark.django_db

YEAR = 2025


def commissioner(code="32"):
    return make_role("regional", code)


def freeze_envelope(region_code="32", amount="100000", year=YEAR):
    envelope_year, _ = EnvelopeYear.objects.get_or_create(
        year=year, defaults={"national_amount": Decimal("50000000"), "frozen_at": timezone.now()}
    )
    return RegionalEnvelope.objects.create(
        envelope_year=envelope_year,
        region=Region.objects.get(code=region_code),
        computed_amount=Decimal(amount),
        amount=Decimal(amount),
    )


def _text(messages) -> str:
    return " ".join(messages).replace("\u202f", " ").replace("\xa0", " ")


def pact_values(**overrides):
    values = {
        "title": "Pacte local de Lille-Sud",
        "territory_kind": "communes",
        "territory_label": "",
        "total_budget": Decimal("80000"),
        "state_amount": Decimal("40000"),
        "project_lead": "Ville de Lille",
        "status": "building",
    }
    values.update(overrides)
    return values


def make_pact(role=None, *, region_code="32", communes=("59350",), year=YEAR, multi=None, **overrides):
    role = role or commissioner(region_code)
    multi_values = {
        "communes": list(Commune.objects.filter(code__in=communes)),
        "priorities": [option("axes_pacte", "AXE1")],
    }
    multi_values.update(multi or {})
    pact, _warnings = services.pact_create(
        role=role,
        region=Region.objects.get(code=region_code),
        year=year,
        values=pact_values(**overrides),
        multi=multi_values,
    )
    return pact


def make_pact_action(pact, role, **values):
    values.setdefault("title", "Accompagnement vers l’emploi")
    return services.pact_action_create(pact=pact, role=role, values=values, multi={})


def test_create_derives_reference_and_departements():
    role = commissioner()
    first = make_pact(role)
    second = make_pact(role, communes=("59350", "62041"))
    assert first.reference == f"PL-{YEAR}-32-001"
    assert second.reference == f"PL-{YEAR}-32-002"
    assert sorted(d.code for d in first.departements.all()) == ["59"]
    assert sorted(d.code for d in second.departements.all()) == ["59", "62"]


def test_region_and_epci_territories_derive_their_departements():
    role = commissioner()
    whole = make_pact(role, communes=(), territory_kind="region")
    assert set(whole.departements.values_list("code", flat=True)) == set(
        Departement.objects.filter(region__code="32").values_list("code", flat=True)
    )
    epci = Commune.objects.get(code="59350").epci
    intercommunal = make_pact(role, communes=(), territory_kind="epcis", multi={"epcis": [epci]})
    assert "59" in set(intercommunal.departements.values_list("code", flat=True))


def test_a_commune_of_another_region_is_refused_by_name():
    with pytest.raises(ValidationError) as error:
        make_pact(communes=("59350", "33063"))
    assert "Bordeaux (33063) n’est pas dans la région Hauts-de-France" in str(error.value.message_dict["communes"])


def test_an_epci_and_a_departement_of_another_region_are_refused():
    bordeaux_epci = Commune.objects.get(code="33063").epci
    with pytest.raises(ValidationError) as error:
        make_pact(communes=(), territory_kind="epcis", multi={"epcis": [bordeaux_epci]})
    assert "n’a aucune commune dans la région Hauts-de-France" in str(error.value.message_dict["epcis"])
    with pytest.raises(ValidationError) as error:
        make_pact(
            communes=(), territory_kind="departement", multi={"departements": [Departement.objects.get(code="33")]}
        )
    assert "Gironde (33)" in str(error.value.message_dict["departements"])


def test_quartier_needs_its_name_and_commune():
    with pytest.raises(ValidationError) as error:
        make_pact(communes=(), territory_kind="quartier")
    assert set(error.value.message_dict) >= {"territory_label", "communes"}
    pact = make_pact(territory_kind="quartier", territory_label="Lille-Sud")
    assert list(pact.departements.values_list("code", flat=True)) == ["59"]


def test_priorities_one_to_three_of_their_list():
    with pytest.raises(ValidationError) as error:
        make_pact(multi={"priorities": []})
    assert "une à trois priorités" in str(error.value)
    axes = [option("axes_pacte", c) for c in ["AXE1", "AXE2", "AXE3", "AXE4"]]
    with pytest.raises(ValidationError):
        make_pact(multi={"priorities": axes})
    with pytest.raises(ValidationError) as error:
        make_pact(multi={"priorities": [option("duree_actions", "DUREE_MOINS_2ANS")]})
    assert "n’est pas une valeur de la liste « axes_pacte »" in str(error.value)


def test_partner_authority_must_act_in_the_region():
    role = commissioner()
    pact = make_pact(role, multi={"partner_authorities": [Authority.objects.get(code="59")]})
    assert list(pact.partner_authorities.values_list("code", flat=True)) == ["59"]
    with pytest.raises(ValidationError) as error:
        make_pact(role, multi={"partner_authorities": [Authority.objects.get(code="33")]})
    assert "n’agit pas dans la région" in str(error.value)


def test_status_needs_its_date_or_reason():
    with pytest.raises(ValidationError) as error:
        make_pact(status="finalised")
    assert "date de finalisation" in str(error.value.message_dict["finalised_on"])
    with pytest.raises(ValidationError) as error:
        make_pact(status="abandoned")
    assert "abandoned_reason" in error.value.message_dict
    pact = make_pact(status="finalised", finalised_on=timezone.localdate())
    assert pact.status == "finalised"


def test_envelope_not_frozen_accepts_with_a_warning():
    role = commissioner()
    _pact, warnings = services.pact_create(
        role=role,
        region=Region.objects.get(code="32"),
        year=YEAR,
        values=pact_values(),
        multi={"communes": [Commune.objects.get(code="59350")], "priorities": [option("axes_pacte", "AXE1")]},
    )
    assert warnings and "n’est pas encore figée" in warnings[0]


def test_envelope_exceeded_is_refused_with_the_amounts():
    freeze_envelope(amount="100000")
    role = commissioner()
    make_pact(role, state_amount=Decimal("70000"))
    with pytest.raises(ValidationError) as error:
        make_pact(role, state_amount=Decimal("40000"))
    message = _text(error.value.message_dict["state_amount"])
    assert "enveloppe 100 000 €" in message
    assert "autres pactes 70 000 €" in message
    assert "reste 30 000 €" in message
    assert make_pact(role, state_amount=Decimal("30000")).state_amount == Decimal("30000")


def test_envelope_update_excludes_the_pact_itself_and_abandoned_pacts():
    freeze_envelope(amount="100000")
    role = commissioner()
    pact = make_pact(role, state_amount=Decimal("60000"))
    pact, _ = services.pact_update(
        pact=pact,
        role=role,
        expected_version=pact.version,
        values={"state_amount": Decimal("90000")},
        multi=_multi(pact),
    )
    assert pact.state_amount == Decimal("90000")
    services.pact_update(
        pact=pact,
        role=role,
        expected_version=pact.version,
        values={"status": "abandoned", "abandoned_reason": "Pas de porteur."},
        multi=_multi(pact),
    )
    assert make_pact(role, state_amount=Decimal("100000")).state_amount == Decimal("100000")


def _multi(pact):
    return {
        "communes": list(pact.communes.all()),
        "epcis": list(pact.epcis.all()),
        "departements": list(pact.departements.all()),
        "priorities": list(pact.priorities.all()),
        "partner_authorities": list(pact.partner_authorities.all()),
    }


def test_another_region_cannot_create_or_update():
    with pytest.raises(PermissionDenied):
        make_pact(commissioner("76"), region_code="32")
    pact = make_pact()
    with pytest.raises(PermissionDenied):
        services.pact_update(
            pact=pact, role=commissioner("76"), expected_version=pact.version, values={"title": "x"}, multi=_multi(pact)
        )
    for kind, code in [("departmental_state", "59"), ("authority_editor", "59"), ("measure_pilot", None)]:
        with pytest.raises(PermissionDenied):
            services.pact_update(
                pact=pact, role=make_role(kind, code), expected_version=pact.version, values={}, multi=_multi(pact)
            )


def test_national_admin_creates_in_any_region():
    pact = make_pact(make_role("national_admin"), region_code="76", communes=("31555",))
    assert pact.reference == f"PL-{YEAR}-76-001"


def test_concurrent_update_refused_with_the_fields_changed():
    role = commissioner()
    pact = make_pact(role)
    loaded = Pact.objects.get(pk=pact.pk)
    services.pact_update(
        pact=Pact.objects.get(pk=pact.pk),
        role=role,
        expected_version=pact.version,
        values={"title": "Nouveau titre"},
        multi=_multi(pact),
    )
    with pytest.raises(ConcurrentEditError) as error:
        services.pact_update(
            pact=loaded, role=role, expected_version=loaded.version, values={"title": "Autre"}, multi=_multi(pact)
        )
    changed = {c["label"]: c for c in error.value.changes}
    assert changed["intitulé"]["new"] == "Nouveau titre"
    assert Pact.objects.get(pk=pact.pk).title == "Nouveau titre"


def test_form_token_makes_creation_idempotent():
    role = commissioner()
    token = uuid.uuid4()
    kwargs = {
        "role": role,
        "region": Region.objects.get(code="32"),
        "year": YEAR,
        "values": pact_values(),
        "multi": {"communes": [Commune.objects.get(code="59350")], "priorities": [option("axes_pacte", "AXE1")]},
        "form_token": token,
    }
    pact, _ = services.pact_create(**kwargs)
    with pytest.raises(services.AlreadyCreated) as already:
        services.pact_create(**kwargs)
    assert already.value.created == pact
    action = services.pact_action_create(pact=pact, role=role, values={"title": "A"}, form_token=token)
    with pytest.raises(services.AlreadyCreated):
        services.pact_action_create(pact=pact, role=role, values={"title": "A"}, form_token=token)
    assert PactAction.objects.filter(pact=pact).count() == 1 and action.reference == f"{pact.reference}-A01"


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (None, "BUD_8"),
        ("0", "BUD_7"),
        ("4999.99", "BUD_7"),
        ("5000", "BUD_6"),
        ("9999", "BUD_6"),
        ("10000", "BUD_5"),
        ("19999", "BUD_5"),
        ("20000", "BUD_4"),
        ("50000", "BUD_3"),
        ("99999.99", "BUD_3"),
        ("100000", "BUD_2"),
        ("999500", "BUD_2"),
        ("1000000", "BUD_1"),
    ],
)
def test_budget_bracket_code(amount, code):
    assert services.budget_bracket_code(None if amount is None else Decimal(amount)) == code
    assert option("tranches_budget_action", code)  # every code exists in the list


@pytest.mark.parametrize(
    ("number", "code"),
    [(0, "VOL_7"), (9, "VOL_7"), (10, "VOL_6"), (99, "VOL_5"), (500, "VOL_3"), (9999, "VOL_2"), (10000, "VOL_1")],
)
def test_beneficiaries_bracket_code(number, code):
    assert services.beneficiaries_bracket_code(number) == code
    assert option("volumes_beneficiaires", code)


def test_action_derives_brackets_and_keeps_options_in_their_lists():
    role = commissioner()
    pact = make_pact(role)
    action = services.pact_action_create(
        pact=pact,
        role=role,
        values={"title": "Épicerie solidaire", "total_budget": Decimal("25000"), "beneficiaries_target": 120},
        multi={"policy_fields": [], "resources": [option("ressources_mobilisees", "RES_HUMAINES")]},
        cofinancings=[
            services.CofinancingInput(
                amount=Decimal("5000"), financer_type=option("cofinanceurs_pactes_locaux", "CF_CAF")
            )
        ],
    )
    assert action.budget_bracket.code == "BUD_4"
    assert action.beneficiaries_bracket.code == "VOL_4"
    assert action.cofinancings.get().amount == Decimal("5000")
    # Without a number, the chosen bracket stays; without a budget, the amounts give it.
    other = services.pact_action_create(
        pact=pact,
        role=role,
        values={
            "title": "Maraude",
            "beneficiaries_bracket": option("volumes_beneficiaires", "VOL_2"),
            "state_amount": Decimal("3000"),
        },
        cofinancings=[services.CofinancingInput(amount=Decimal("4000"), financer_name="Fondation X")],
    )
    assert other.beneficiaries_bracket.code == "VOL_2"
    assert other.budget_bracket.code == "BUD_6"  # 3 000 + 4 000
    with pytest.raises(ValidationError) as error:
        services.pact_action_create(
            pact=pact, role=role, values={"title": "X", "scale": option("duree_actions", "DUREE_MOINS_2ANS")}
        )
    assert "echelle_geographique_pactes_locaux" in str(error.value.message_dict["scale"])


def test_actions_credits_cannot_exceed_the_pact():
    role = commissioner()
    pact = make_pact(role, state_amount=Decimal("40000"))
    first = make_pact_action(pact, role, state_amount=Decimal("30000"))
    with pytest.raises(ValidationError) as error:
        make_pact_action(pact, role, state_amount=Decimal("15000"))
    assert "il reste 10 000" in _text(error.value.message_dict["state_amount"])
    second = make_pact_action(pact, role, state_amount=Decimal("10000"))
    # Lowering the pact under its actions' credits is refused.
    with pytest.raises(ValidationError) as error:
        services.pact_update(
            pact=pact,
            role=role,
            expected_version=pact.version,
            values={"state_amount": Decimal("20000")},
            multi=_multi(pact),
        )
    assert "engagent déjà" in str(error.value)
    # A withdrawn action frees its credits; restoring it is refused while they are taken.
    first = services.pact_action_withdraw(action=first, role=role, reason="Doublon", expected_version=first.version)
    third = make_pact_action(pact, role, state_amount=Decimal("25000"))
    with pytest.raises(ValidationError):
        services.pact_action_restore(action=first, role=role, expected_version=first.version)
    assert second.pk and third.reference.endswith("-A03")


def test_action_concurrent_update_refused():
    role = commissioner()
    pact = make_pact(role)
    action = make_pact_action(pact, role)
    stale = PactAction.objects.get(pk=action.pk)
    services.pact_action_update(
        action=PactAction.objects.get(pk=action.pk),
        role=role,
        expected_version=action.version,
        values={"title": "Neuf"},
    )
    with pytest.raises(ConcurrentEditError) as error:
        services.pact_action_update(action=stale, role=role, expected_version=stale.version, values={"title": "Vieux"})
    assert any(c["new"] == "Neuf" for c in error.value.changes)


def test_another_region_cannot_change_actions():
    role = commissioner()
    pact = make_pact(role)
    action = make_pact_action(pact, role)
    with pytest.raises(PermissionDenied):
        make_pact_action(pact, commissioner("76"))
    with pytest.raises(PermissionDenied):
        services.pact_action_withdraw(
            action=action, role=commissioner("76"), reason="x", expected_version=action.version
        )


def test_documents_checked_and_stored_privately(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    role = commissioner()
    pact = make_pact(role)
    document = services.pact_document_add(
        pact=pact, kind="signed_pact", uploaded_file=SimpleUploadedFile("pacte.exe", b"%PDF-1.4 test"), role=role
    )
    assert document.original_name == "pacte.pdf"
    assert services.document_path(document).parent == tmp_path / "pacts"
    assert services.document_path(document).read_bytes() == b"%PDF-1.4 test"
    with pytest.raises(ValidationError) as error:
        services.pact_document_add(
            pact=pact, kind="other", uploaded_file=SimpleUploadedFile("x.pdf", b"MZ not a pdf"), role=role
        )
    assert "n’est ni un PDF" in str(error.value)
    with pytest.raises(PermissionDenied):
        services.pact_document_add(
            pact=pact, kind="other", uploaded_file=SimpleUploadedFile("x.pdf", b"%PDF-1.4"), role=commissioner("76")
        )


def test_epci_model_is_reachable():
    assert Epci.objects.exists()


def test_envelope_credits_are_whole_euros():
    with pytest.raises(ValidationError) as error:
        make_pact(state_amount=Decimal("1000.50"))
    assert services.WHOLE_EUROS in error.value.message_dict["state_amount"]


def test_the_creation_form_proposes_the_latest_frozen_envelope_year():
    from pilotactions.pacts.forms import PactForm

    region = Region.objects.get(code="32")
    freeze_envelope(year=2024)
    EnvelopeYear.objects.create(year=2025, national_amount=Decimal("1000"))  # opened, not frozen
    assert PactForm(region=region).initial["year"] == 2024
    form = PactForm({"state_amount": "1 000,50"}, region=region)
    assert not form.is_valid()
    assert form.errors["state_amount"] == [services.WHOLE_EUROS]


def test_a_territory_names_three_places_then_how_many_more():
    from pilotactions.pacts.models import Pact
    from pilotactions.territories.models import Commune, Region

    pact = Pact.objects.create(
        reference="PL-2024-01-099",
        year=2024,
        region=Region.objects.get(code="32"),
        title="T",
        territory_kind="communes",
    )
    pact.communes.set(Commune.objects.filter(departement__code="59").order_by("name")[:5])
    names = sorted(c.name for c in pact.communes.all())
    assert pact.territory_text() == f"Commune(s) — {', '.join(names[:3])} et 2 autres"

"""Data-quality flags (issue 23): each rule on hand-made data, found and not found; kept flags, checks and scores;
who sees and checks them."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns.models import Dossier, QualityFlag
from pilotactions.campaigns.quality import Z_MIN_SAMPLE, findings
from pilotactions.campaigns.services import dossier_submit, quality_flag_check, quality_refresh
from pilotactions.contracts.enums import Financer
from pilotactions.contracts.models import Action, ActionYear
from pilotactions.core.models import AuditEvent
from tests.factories import login, make_action, make_campaign, make_contract, make_role, option

pytestmark = pytest.mark.django_db

FILLED = {  # every field the bilan reads, so that `champ_bilan_vide` stays silent unless a test empties one
    "nature": ("nature_action", "NOUVELLE"),
    "scale": ("echelle_deploiement_cls", "ECH_DEPARTEMENTALE"),
    "implementation": ("pilotage_actions_cls", "MO_COLLECTIVITE"),
}


def filled_action(contract, *, title="Action complète", state=50_000, authority=50_000, target=None, **values):
    """An action with every field the bilan reads and a 2024 budget."""
    for field, (list_code, code) in FILLED.items():
        values.setdefault(field, option(list_code, code))
    values.setdefault("subtheme", option("sous_thematiques_par_axe", "A1_PARENTALITE"))
    lines = [(2024, Financer.STATE, state), (2024, Financer.AUTHORITY, authority)]
    return make_action(
        contract,
        title=title,
        lines=[line for line in lines if line[2]],
        beneficiaries_target=target,
        multi={
            "policy_fields": [option("champs_action_publique_cls", "CAP_CLS_01")],
            "action_types": [option("types_actions_financees_cls", "TA_FONDS_AIDES")],
            "target_publics": [option("publics_cibles", "AGE_ADOLESCENT")],
        },
        **values,
    )


def plain(text: str) -> str:
    """The French formats' narrow and no-break spaces as plain ones, to compare with a typed sentence."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def codes(dossier) -> list[tuple[str, str]]:
    """(rule code, action title) of what the rules find."""
    titles = dict(Action.objects.values_list("pk", "title"))
    return sorted((f.code, titles[f.action_id]) for f in findings(dossier))


def dossier_of(campaign, contract) -> Dossier:
    return Dossier.objects.select_related("campaign", "contract__contract_type").get(
        campaign=campaign, contract=contract
    )


def execution(action, **values):
    ActionYear.objects.filter(action=action, year=2024).update(**values)


# --- Each rule -------------------------------------------------------------------------------------


def test_a_complete_ordinary_action_raises_nothing():
    contract = make_contract("59")
    filled_action(contract, target=50, start_date=date(2024, 1, 1), end_date=date(2025, 12, 31))
    campaign = make_campaign("suivi")
    assert codes(dossier_of(campaign, contract)) == []


def test_cost_per_beneficiary_far_from_the_subthemes_national_median_is_flagged():
    nord, gironde = make_contract("59"), make_contract("33")
    for i in range(Z_MIN_SAMPLE):  # the national distribution: 1 000 € to 1 900 € per beneficiary
        filled_action(
            gironde, title=f"Ordinaire {i}", state=50_000 + 5_000 * i, authority=50_000 + 4_000 * i, target=100
        )
    filled_action(nord, title="Très chère", state=2_000_000, authority=2_000_000, target=10)  # 400 000 € each
    filled_action(nord, title="Dans la norme", state=60_000, authority=60_000, target=100)
    campaign = make_campaign()
    found = [f for f in findings(dossier_of(campaign, nord)) if f.code == "cout_atypique"]
    assert [Action.objects.get(pk=f.action_id).title for f in found] == ["Très chère"]
    assert "bien au-dessus du coût médian" in found[0].message
    assert found[0].field == "beneficiaries_target"


def test_cost_per_beneficiary_says_nothing_below_the_minimum_sample():
    nord, gironde = make_contract("59"), make_contract("33")
    for i in range(Z_MIN_SAMPLE - 3):  # with the two Nord actions: one fewer than the minimum
        filled_action(gironde, title=f"Ordinaire {i}", state=50_000 + 5_000 * i, authority=50_000, target=100)
    filled_action(nord, title="Très chère", state=2_000_000, authority=2_000_000, target=10)
    filled_action(nord, title="Autre", state=60_000, authority=60_000, target=100)
    campaign = make_campaign()
    assert "cout_atypique" not in {c for c, _t in codes(dossier_of(campaign, nord))}


def test_a_state_share_over_the_ceiling_is_flagged_with_its_justification_and_at_the_ceiling_is_not():
    contract = make_contract("59")
    filled_action(contract, title="Au plafond", state=50_000, authority=50_000)
    filled_action(
        contract, title="Au-delà", state=70_000, authority=30_000, ceiling_justification="Cofinancement en nature."
    )
    campaign = make_campaign()
    found = [f for f in findings(dossier_of(campaign, contract)) if f.code == "plafond_etat_depasse"]
    assert len(found) == 1
    assert plain(found[0].message) == (
        "La part de l’État (70,0 %) dépasse le plafond de 50 % ; justification : « Cofinancement en nature »."
    )


@pytest.mark.parametrize(
    ("start", "end", "flagged"),
    [
        (date(2024, 3, 1), date(2024, 2, 1), "end_date"),  # ends before it starts
        (date(2022, 1, 1), date(2023, 12, 31), "end_date"),  # ended before the campaign's year
        (date(2025, 1, 1), date(2026, 12, 31), "start_date"),  # starts after it
        (date(2023, 1, 1), date(2024, 1, 1), None),
        (date(2024, 12, 31), None, None),
        (None, None, None),
    ],
)
def test_dates_incoherent_with_the_campaign_year(start, end, flagged):
    contract = make_contract("59")
    action = filled_action(contract)
    Action.objects.filter(pk=action.pk).update(start_date=start, end_date=end)  # the rule is a second line of defence
    campaign = make_campaign()
    found = [f for f in findings(dossier_of(campaign, contract)) if f.code == "dates_incoherentes"]
    assert [f.field for f in found] == ([flagged] if flagged else [])


@pytest.mark.parametrize(("reached", "flagged"), [(31, True), (30, False), (0, False), (None, False)])
def test_beneficiaries_reached_far_beyond_the_target(reached, flagged):
    contract = make_contract("59")
    execution(filled_action(contract, target=10), beneficiaries_reached=reached)
    campaign = make_campaign("suivi")
    found = [f for f in findings(dossier_of(campaign, contract)) if f.code == "beneficiaires_depasses"]
    assert bool(found) is flagged
    if flagged:
        assert plain(found[0].message) == "31 bénéficiaires touchés pour 10 visés (plus de 3 fois la cible)."


def test_spending_over_the_programmed_budget_per_financer():
    contract = make_contract("59")
    execution(filled_action(contract, title="Dépassée"), spent_state=Decimal("50000.01"), spent_authority=Decimal("1"))
    execution(filled_action(contract, title="Exacte"), spent_state=Decimal("50000"), spent_authority=Decimal("50000"))
    campaign = make_campaign("suivi")
    found = [f for f in findings(dossier_of(campaign, contract)) if f.code == "depense_depasse_prevu"]
    assert [Action.objects.get(pk=f.action_id).title for f in found] == ["Dépassée"]
    assert plain(found[0].message) == "Dépense de l’État 50 000,01 € pour 50 000,00 € programmés."


def test_spending_is_not_checked_in_a_programming_campaign():
    contract = make_contract("59")
    execution(filled_action(contract), spent_state=Decimal("90000"))
    assert codes(dossier_of(make_campaign(), contract)) == []


def test_the_same_title_and_budget_twice_in_one_authoritys_contracts():
    nord_d, nord_m, gironde = make_contract("59"), make_contract("59"), make_contract("33")
    filled_action(nord_d, title="Épicerie solidaire")
    filled_action(nord_m, title="  épicerie SOLIDAIRE ")  # same title once accents, case and spaces are set aside
    filled_action(nord_d, title="Épicerie solidaire", state=40_000)  # another budget: not a duplicate
    filled_action(gironde, title="Épicerie solidaire")  # another authority
    campaign = make_campaign()
    found = [f for f in findings(dossier_of(campaign, nord_d)) if f.code == "doublon"]
    assert len(found) == 1
    assert found[0].message.startswith("Même intitulé et même budget 2024 que l’action " + nord_m.reference)
    assert [f.code for f in findings(dossier_of(campaign, gironde))] == []


def test_fields_the_bilan_reads_left_empty():
    contract = make_contract("59")
    make_action(contract, title="Brouillon", lines=[(2024, Financer.STATE, 1000), (2024, Financer.AUTHORITY, 1000)])
    campaign = make_campaign()
    (found,) = findings(dossier_of(campaign, contract))
    assert found.code == "champ_bilan_vide"
    assert found.severity == "information"
    assert plain(found.message) == (
        "Non renseigné : sous-thématique, nature de l’action, champs d’action publique, types d’action, "
        "publics cibles, échelle de déploiement, mise en œuvre."
    )


def test_contradictory_answers():
    contract = make_contract("59")
    not_started = filled_action(contract, title="Non démarrée")
    execution(not_started, progress_status=option("etat_avancement_actions", "AV_NON_DEMARREE"), spent_state=10)
    quiet = filled_action(contract, title="Non démarrée sans rien")
    execution(quiet, progress_status=option("etat_avancement_actions", "AV_NON_DEMARREE"), spent_state=0)
    exclusive = option("ciblage_qpv_rural", "OUI_EXCLUSIVEMENT")
    filled_action(contract, title="Partout", qpv_targeting=exclusive, rural_targeting=exclusive)
    filled_action(contract, title="QPV", qpv_targeting=exclusive, rural_targeting=option("ciblage_qpv_rural", "NON"))
    campaign = make_campaign("suivi")
    assert codes(dossier_of(campaign, contract)) == [
        ("options_contradictoires", "Non démarrée"),
        ("options_contradictoires", "Partout"),
    ]


# --- Kept flags, checks, score ---------------------------------------------------------------------


@pytest.fixture
def flagged():
    """A submitted Nord dossier whose actions carry one alert and one information flag out of three actions."""
    contract = make_contract("59")
    filled_action(contract, title="Sans histoire")
    over = filled_action(contract, title="Au-delà", state=70_000, authority=30_000, ceiling_justification="En nature.")
    make_action(contract, title="Incomplète", lines=[(2024, Financer.STATE, 100), (2024, Financer.AUTHORITY, 100)])
    campaign = make_campaign()
    referent = make_role(R.AUTHORITY_REFERENT, "59")
    dossier = dossier_of(campaign, contract)
    dossier_submit(dossier=dossier, role=referent)
    dossier.refresh_from_db()
    return dossier, over, referent


def test_submission_keeps_the_flags_and_scores_the_dossier(flagged):
    dossier, _over, _referent = flagged
    assert sorted(dossier.quality_flags.values_list("code", "severity")) == [
        ("champ_bilan_vide", "information"),
        ("plafond_etat_depasse", "alerte"),
    ]
    assert dossier.quality_score == 67  # 2 of 3 actions without an open error or alert (information does not count)


def test_a_checked_flag_stays_checked_until_its_finding_changes(flagged):
    dossier, over, referent = flagged
    flag = dossier.quality_flags.get(code="plafond_etat_depasse")
    quality_flag_check(flag=flag, role=referent, comment="Apport en nature confirmé par la convention.")
    dossier.refresh_from_db()
    assert dossier.quality_score == 100
    assert flag.history.count() == 2  # created, then checked: the check is in the history
    assert AuditEvent.objects.filter(verb="quality_flag_checked", data__flag_id=flag.pk).exists()

    quality_refresh(dossier)  # the same finding: the check holds
    flag.refresh_from_db()
    assert flag.checked_at is not None

    ActionYear.objects.filter(action=over, year=2024).update(planned_state=Decimal("80000"), planned_total=110000)
    quality_refresh(dossier)  # its figures changed: open again
    flag.refresh_from_db()
    assert flag.checked_at is None and "72,7 %" in plain(flag.message)
    dossier.refresh_from_db()
    assert dossier.quality_score == 67

    Action.objects.filter(pk=over.pk).update(status="withdrawn")
    quality_refresh(dossier)  # no longer found: gone (its history keeps it)
    assert not QualityFlag.objects.filter(pk=flag.pk).exists()
    assert flag.history.count() >= 4


def test_a_check_needs_a_comment_and_a_role_on_the_dossier(flagged):
    dossier, _over, referent = flagged
    flag = dossier.quality_flags.get(code="plafond_etat_depasse")
    with pytest.raises(ValidationError, match="commentaire est obligatoire"):
        quality_flag_check(flag=flag, role=referent, comment="  ")
    for outsider in [make_role(R.AUTHORITY_REFERENT, "33"), make_role(R.DEPARTMENTAL_STATE, "33")]:
        with pytest.raises(PermissionDenied):
            quality_flag_check(flag=flag, role=outsider, comment="Vu.")
    quality_flag_check(flag=flag, role=make_role(R.DEPARTMENTAL_STATE, "59"), comment="Vu avec la collectivité.")
    with pytest.raises(ValidationError, match="déjà été vérifié"):
        quality_flag_check(flag=flag, role=referent, comment="Encore.")


# --- Pages -----------------------------------------------------------------------------------------


def test_a_draft_dossier_shows_its_live_findings_to_the_authority(client):
    contract = make_contract("59")
    make_action(contract, title="Incomplète", lines=[(2024, Financer.STATE, 100), (2024, Financer.AUTHORITY, 100)])
    campaign = make_campaign()
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    page = client.get(reverse("campaigns:dossier", args=[dossier_of(campaign, contract).pk])).content.decode()
    assert "Points de vigilance (1 relevés)" in page or "Points de vigilance (1 relevé" in page
    assert "Non renseigné : sous-thématique" in page
    assert "Marquer comme vérifié" not in page  # nothing to check before submission: the agent corrects


def test_the_validator_sees_the_flags_before_validating_and_checks_one(client, flagged):
    dossier, _over, _referent = flagged
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    url = reverse("campaigns:dossier", args=[dossier.pk])
    page = client.get(url).content.decode()
    assert "Avant de valider" in page and "2 points de vigilance ouverts" in page
    assert "score de qualité : <strong>67 / 100</strong>" in page
    flag = dossier.quality_flags.get(code="plafond_etat_depasse")
    response = client.post(reverse("campaigns:flag_check", args=[dossier.pk, flag.pk]), {"comment": "Vu."})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.check_comment == "Vu."
    page = client.get(url).content.decode()
    assert "Vérifié le" in page and "« Vu. »" in page
    # An empty comment: the page says why, nothing else changes.
    other = dossier.quality_flags.get(code="champ_bilan_vide")
    response = client.post(reverse("campaigns:flag_check", args=[dossier.pk, other.pk]), {"comment": ""}, follow=True)
    assert "le commentaire est obligatoire" in response.content.decode()


def test_another_departements_agents_cannot_see_or_check_the_flags(client, flagged):
    dossier, _over, _referent = flagged
    flag = dossier.quality_flags.first()
    for kind in [R.AUTHORITY_REFERENT, R.DEPARTMENTAL_STATE]:
        login(client, make_role(kind, "33"))
        assert client.get(reverse("campaigns:dossier", args=[dossier.pk])).status_code == 404
        response = client.post(reverse("campaigns:flag_check", args=[dossier.pk, flag.pk]), {"comment": "Vu."})
        assert response.status_code == 404
    flag.refresh_from_db()
    assert flag.checked_at is None


def test_the_cockpit_counts_the_flags_and_the_campaign_list_exports_them(client, flagged):
    dossier, _over, _referent = flagged
    login(client, make_role(R.NATIONAL_ADMIN))
    cockpit = client.get(reverse("campaigns:detail", args=[dossier.campaign_id])).content.decode()
    assert "2 points de vigilance ouverts dans les dossiers soumis" in cockpit
    page = client.get(reverse("campaigns:quality", args=[dossier.campaign_id]), {"severity": "alerte"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Points de vigilance (1)" in text and "dépasse le plafond" in text
    assert "67 / 100" in text  # the authority's score
    export = client.get(reverse("campaigns:quality_export", args=[dossier.campaign_id, "csv"]))
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert body.count("\n") == 3  # the header and the two open flags
    assert "Part de l’État au-delà du plafond" in body and "Champ lu par le bilan laissé vide" in body


def test_the_campaign_list_of_flags_is_for_the_cockpits_readers(client, flagged):
    dossier, _over, _referent = flagged
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    assert client.get(reverse("campaigns:quality", args=[dossier.campaign_id])).status_code == 403
    assert client.get(reverse("campaigns:quality_export", args=[dossier.campaign_id, "csv"])).status_code == 403
    login(client, make_role(R.REGIONAL, "32"))  # Hauts-de-France: the Nord's région
    assert (
        "Points de vigilance (2)"
        in client.get(reverse("campaigns:quality", args=[dossier.campaign_id])).content.decode()
    )
    login(client, make_role(R.REGIONAL, "75"))  # Nouvelle-Aquitaine: nothing of the Nord
    assert (
        "Points de vigilance (0)"
        in client.get(reverse("campaigns:quality", args=[dossier.campaign_id])).content.decode()
    )


def test_the_rules_page_lists_every_rule(client):
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    page = client.get(reverse("campaigns:quality_rules")).content.decode()
    for label in ["Coût par bénéficiaire atypique", "Action en double", "Réponses contradictoires"]:
        assert label in page


def test_the_execution_page_shows_the_actions_flags_beside_its_fields(client):
    contract = make_contract("59")
    action = filled_action(contract, target=10)
    execution(action, beneficiaries_reached=40, spent_state=Decimal("1"))
    other = filled_action(contract, title="Autre", target=10)
    execution(other, beneficiaries_reached=50)
    campaign = make_campaign("suivi")
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    url = reverse("campaigns:execution", args=[dossier_of(campaign, contract).pk, action.reference])
    page = plain(client.get(url).content.decode())
    assert "Points de vigilance de cette action" in page
    assert "<strong>Bénéficiaires touchés</strong> — 40 bénéficiaires touchés pour 10 visés" in page
    assert "50 bénéficiaires" not in page  # another action's

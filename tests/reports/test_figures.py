"""Each figure on a small hand-built data set; expected values are written by hand, not computed by the code."""

from decimal import Decimal

import pytest

from pilotactions.accounts.services import system_role
from pilotactions.contracts.services import action_withdraw
from pilotactions.reports.aggregates import Scope
from pilotactions.reports.bilan import bilan_build
from tests.factories import make_action, make_contract, option

pytestmark = pytest.mark.django_db
D, M, A = "CLS-D", "CLS-M", "ALL"


def opts(list_code, *codes):
    return [option(list_code, c) for c in codes]


@pytest.fixture
def dataset():
    nord, gironde, mel = make_contract("59"), make_contract("33"), make_contract("200093201")
    make_action(
        nord,
        title="N1",
        axis="AXE1",
        subtheme=option("sous_thematiques_par_axe", "A1_PARENTALITE"),
        nature=option("nature_action", "NOUVELLE"),
        scale=option("echelle_deploiement_cls", "ECH_DEPARTEMENTALE"),
        qpv_targeting=option("ciblage_qpv_rural", "OUI_EN_PARTIE"),
        rural_targeting=option("ciblage_qpv_rural", "NON"),
        direct_impact=option("impact_direct_usagers", "OUI"),
        multi={
            "policy_fields": opts("champs_action_publique_cls", "CAP_CLS_21", "CAP_CLS_20"),
            "action_types": opts("types_actions_financees_cls", "TA_ETP_PILOTAGE"),
            "target_publics": opts("publics_cibles", "AGE_JEUNE_18_30"),
        },
        lines=[(2024, "state", "100"), (2024, "authority", "300"), (2024, "third_party", "100", "COF_07")],
    )
    make_action(
        nord,
        title="N2",
        axis="AXE3",
        subtheme=option("sous_thematiques_par_axe", "A3_EXPULSIONS"),
        nature=option("nature_action", "EXISTANTE_RENFORCEE"),
        scale=option("echelle_deploiement_cls", "ECH_COMMUNALE"),
        qpv_targeting=option("ciblage_qpv_rural", "NON"),
        rural_targeting=option("ciblage_qpv_rural", "OUI_EXCLUSIVEMENT"),
        direct_impact=option("impact_direct_usagers", "OUI"),
        multi={"policy_fields": opts("champs_action_publique_cls", "CAP_CLS_21")},
        lines=[(2024, "state", "200"), (2024, "authority", "200")],
    )
    make_action(nord, title="N3 sans budget 2024", axis="AXE3", lines=[(2025, "authority", "999")])
    withdrawn = make_action(nord, title="N4 retirée", axis="AXE4", lines=[(2024, "authority", "1000")])
    action_withdraw(action=withdrawn, role=system_role(), reason="Doublon", expected_version=withdrawn.version)
    make_action(
        gironde,
        title="G1",
        axis="AXE4",
        subtheme=option("sous_thematiques_par_axe", "A4_MOBILITE"),
        nature=option("nature_action", "EXISTANTE_IDENTIQUE"),
        scale=option("echelle_deploiement_cls", "ECH_DEPARTEMENTALE"),
        qpv_targeting=option("ciblage_qpv_rural", "NON"),
        rural_targeting=option("ciblage_qpv_rural", "OUI_EN_PARTIE"),
        direct_impact=option("impact_direct_usagers", "NON"),
        multi={"policy_fields": opts("champs_action_publique_cls", "CAP_CLS_20")},
        lines=[(2024, "state", "50"), (2024, "authority", "50")],
    )
    make_action(
        mel,
        title="M1",
        axis="AXE2",
        subtheme=option("sous_thematiques_par_axe", "A2_FREINS_SOCIAUX"),
        nature=option("nature_action", "NOUVELLE"),
        scale=option("echelle_deploiement_cls", "ECH_COMMUNALE"),
        qpv_targeting=option("ciblage_qpv_rural", "OUI_EXCLUSIVEMENT"),
        rural_targeting=option("ciblage_qpv_rural", "NON"),
        direct_impact=option("impact_direct_usagers", "OUI"),
        multi={
            "policy_fields": opts("champs_action_publique_cls", "CAP_CLS_18", "CAP_CLS_21"),
            "action_types": opts("types_actions_financees_cls", "TA_ETP_PILOTAGE", "TA_ALLER_VERS"),
        },
        lines=[(2024, "state", "300"), (2024, "authority", "500"), (2024, "third_party", "200", "COF_05")],
    )
    make_action(
        mel,
        title="M2",
        axis="AXE1",
        nature=option("nature_action", "NOUVELLE"),
        scale=option("echelle_deploiement_cls", "ECH_QUARTIER"),
        direct_impact=option("impact_direct_usagers", "OUI"),
        lines=[(2024, "authority", "100"), (2024, "third_party", "50", "COF_07"), (2024, "third_party", "0", "COF_16")],
    )


def figures(scope=None):
    payload = bilan_build(scope or Scope(year=2024))
    return {f["id"]: f for f in payload["figures"]}


def values(figure, key="total"):
    return next(r["values"] for r in figure["rows"] if r["key"] == key)


def approx(mapping, digits=6):
    return {k: None if v is None else round(Decimal(v), digits) for k, v in mapping.items()}


def test_counts_and_budgets(dataset):
    f = figures()
    assert values(f["cls.contracts.count"]) == {D: 2, M: 1, A: 3}
    assert values(f["cls.actions.count"]) == {D: 4, M: 2, A: 6}
    assert values(f["cls.actions.per_contract"], "mean") == {D: 2, M: 2, A: 2}
    assert values(f["cls.actions.per_contract"], "min") == {D: 1, M: 2, A: 1}
    assert values(f["cls.actions.per_contract"], "max") == {D: 3, M: 2, A: 3}
    budget = f["cls.budget.total"]
    assert budget["base"] == {D: 3, M: 2, A: 5}
    assert values(budget, "state") == {D: 350, M: 300, A: 650}
    assert values(budget, "authority") == {D: 550, M: 600, A: 1150}
    assert values(budget, "third_party") == {D: 100, M: 250, A: 350}
    assert values(budget, "total") == {D: 1000, M: 1150, A: 2150}
    assert {r["key"]: r["values"][A] for r in f["cls.budget.by_region"]["rows"]} == {"32": 2050, "75": 100}
    assert {r["key"]: r["values"][A] for r in f["cls.budget.by_authority"]["rows"]} == {
        "59": 900,
        "33": 100,
        "200093201": 1150,
    }
    assert approx(values(f["cls.budget.third_party_share"])) == approx(
        {D: 10, M: Decimal(25000) / 1150, A: Decimal(35000) / 2150}
    )
    assert values(f["cls.action_budget.mean"]) == {D: Decimal("333.33"), M: 575, A: 430}  # amounts: to the cent
    assert values(f["cls.action_budget.median"]) == {D: 400, M: 575, A: 400}
    assert approx(values(f["cls.actions.cofinanced_share"])) == approx({D: Decimal(100) / 3, M: 100, A: 60})
    cofinancers = {r["key"]: r["values"] for r in f["cls.cofinancers"]["rows"]}
    assert approx(cofinancers["COF_07"]) == approx({D: Decimal(100) / 3, M: 50, A: 40})
    assert approx(cofinancers["COF_05"]) == approx({D: 0, M: 50, A: 20})
    assert "COF_16" not in cofinancers  # a line of 0 € does not make a co-financer: nobody has it, no row
    subthemes = {r["key"]: r["values"][A] for r in f["cls.subthemes.amounts"]["rows"]}
    assert (subthemes["A1_PARENTALITE"], subthemes["A3_EXPULSIONS"], subthemes["A2_FREINS_SOCIAUX"]) == (500, 400, 1000)


def test_shares_use_filled_fields_as_base_and_report_the_rest(dataset):
    f = figures()
    nature = f["cls.nature"]
    assert nature["base"] == {D: 3, M: 2, A: 5} and nature["not_filled"] == {D: 1, M: 0, A: 1}
    rows = {r["key"]: approx(r["values"]) for r in nature["rows"]}
    assert rows["NOUVELLE"] == approx({D: Decimal(100) / 3, M: 100, A: 60})
    assert rows["EXISTANTE_IDENTIQUE"] == approx({D: Decimal(100) / 3, M: 0, A: 20})
    axes = {r["key"]: approx(r["values"]) for r in f["cls.axes"]["rows"]}
    assert axes["AXE3"] == approx({D: 50, M: 0, A: Decimal(200) / 6})
    assert axes["AXE2"] == approx({D: 0, M: 50, A: Decimal(100) / 6})
    policy = f["cls.policy_fields"]
    assert policy["base"] == {D: 3, M: 1, A: 4} and policy["not_filled"] == {D: 1, M: 1, A: 2}
    rows = {r["key"]: approx(r["values"]) for r in policy["rows"]}
    assert rows["CAP_CLS_21"] == approx({D: Decimal(200) / 3, M: 100, A: 75})  # multi-valued: once per value
    assert rows["CAP_CLS_18"] == approx({D: 0, M: 100, A: 25})
    assert values(f["cls.steering_fte"]) == {D: 1, M: 1, A: 2}
    new = f["cls.authorities.new_actions"]
    assert approx(values(new, "only_new_or_reinforced")) == approx({D: 50, M: 100, A: Decimal(200) / 3})
    assert values(new, "majority_new") == {D: 0, M: 1, A: 1}
    assert values(new, "low_new") == {D: 0, M: 0, A: 0}


def test_filters_narrow_every_figure(dataset):
    nord = figures(Scope(year=2024, authority="59"))
    assert values(nord["cls.actions.count"]) == {D: 3, M: 0, A: 3}
    departement = figures(Scope(year=2024, departement="59"))  # the authorities acting in the Nord: Nord and MEL
    assert values(departement["cls.actions.count"]) == {D: 3, M: 2, A: 5}
    region = figures(Scope(year=2024, region="75"))
    assert values(region["cls.budget.total"], "total") == {D: 100, M: 0, A: 100}
    assert values(figures(Scope(year=2030))["cls.actions.count"]) == {D: 0, M: 0, A: 0}


def test_every_figure_follows_the_json_contract(dataset):
    payload = bilan_build(Scope(year=2024))
    assert set(payload["meta"]) >= {"generated_at", "data_date", "filters", "source"}
    for figure in payload["figures"]:
        assert {"id", "title", "kind", "unit", "base", "not_filled", "rows"} <= set(figure), figure["id"]
        assert figure["footer"].startswith(f"Source : {figure['source']} · Date : ")
        pacts_sources = {"Enquête auprès des CLP", "Enveloppes régionales figées par la DIPLP"}
        assert figure["source"] in (pacts_sources if figure["id"].startswith("pl.") else {"Pilot'actions"})
        for row in figure["rows"]:
            assert {"key", "label", "values"} <= set(row)
            # measures and pacts are not split by contract type
            expected = {A} if figure["chapter"].startswith(("I.", "III.")) else {D, M, A}
            assert set(row["values"]) == expected, figure["id"]


def test_a_campaign_bilan_reads_the_validated_snapshots_and_agrees_with_live_data(dataset):
    from pilotactions.accounts.enums import RoleKind
    from pilotactions.campaigns.services import dossier_submit, dossier_validate
    from pilotactions.contracts.models import Action
    from pilotactions.contracts.services import action_update
    from tests.factories import make_campaign, make_role

    live = bilan_build(Scope(year=2024))
    campaign = make_campaign("suivi")  # a follow-up campaign: the actions stay editable after validation
    admin, second_admin = make_role(RoleKind.NATIONAL_ADMIN), make_role(RoleKind.NATIONAL_ADMIN)
    for dossier in campaign.dossiers.all():
        dossier_submit(dossier=dossier, role=admin)
        dossier_validate(dossier=dossier.__class__.objects.get(pk=dossier.pk), role=second_admin)
    # Live data move on after validation; the campaign's bilan does not.
    action = Action.objects.get(title="G1")
    action_update(
        action=action,
        role=system_role(),
        expected_version=action.version,
        values={"title": "G1 modifiée", "axis": option("axes_pacte", "AXE1")},
    )
    frozen = bilan_build(Scope(year=2024, campaign_id=campaign.pk))
    for before, after in zip(live["figures"], frozen["figures"], strict=True):
        assert before["id"] == after["id"]
        if before["id"].startswith("eval."):
            # The evaluation reads validated follow-up dossiers only: none before the campaign, all of them after.
            assert before["base"]["ALL"] == 0, before["id"]
            continue
        assert (before["rows"], before["base"], before["not_filled"]) == (
            after["rows"],
            after["base"],
            after["not_filled"],
        ), before["id"]
    figures = {f["id"]: f for f in frozen["figures"]}
    assert figures["eval.progress"]["base"]["ALL"] == figures["cls.actions.count"]["rows"][0]["values"]["ALL"]


def test_the_per_authority_aggregates_are_never_stale(dataset):
    """Merged per-authority aggregates equal a direct computation, before and after writes of every kind."""
    from pilotactions.accounts.enums import RoleKind
    from pilotactions.campaigns.services import execution_token, execution_update
    from pilotactions.contracts.models import Action, ActionYear
    from pilotactions.contracts.rules import BudgetLineInput
    from pilotactions.contracts.services import action_restore, action_update
    from pilotactions.reports.aggregates import aggregate_live
    from pilotactions.reports.cube import aggregate_cached, encode
    from tests.factories import make_campaign, make_role

    def same():
        for scope in [Scope(year=2024), Scope(year=2024, region="32"), Scope(year=2024, departement="59")]:
            assert encode(aggregate_cached(scope)) == encode(aggregate_live(scope))
            assert aggregate_cached(scope).medians == aggregate_live(scope).medians

    same()
    n1 = Action.objects.get(title="N1")
    action_update(
        action=n1,
        role=system_role(),
        expected_version=n1.version,
        values={"title": "N1", "axis": option("axes_pacte", "AXE4")},
        budget_lines=[BudgetLineInput(2024, "authority", Decimal("12345.67"))],
    )
    withdrawn = Action.objects.get(title="N4 retirée")
    action_restore(action=withdrawn, role=system_role(), expected_version=withdrawn.version)
    make_action(Action.objects.get(title="M1").contract, title="Nouvelle", lines=[(2024, "authority", "7")])
    dossier = make_campaign("suivi").dossiers.get(contract__authority__code="33")
    g1 = Action.objects.get(title="G1")
    execution_update(
        dossier=dossier,
        action=g1,
        role=make_role(RoleKind.NATIONAL_ADMIN),
        indicator_values={},
        token=execution_token(ActionYear.objects.filter(action=g1, year=2024).first()),
        values={"progress_status": option("etat_avancement_actions", "AV_EN_COURS")},
    )
    same()
    assert values(figures()["cls.actions.count"]) == {D: 5, M: 3, A: 8}
    from pilotactions.reports.cube import rebuild

    assert rebuild(2024) == 125  # the bulk path: one grouped pass for every authority
    same()

"""Counting and ordering of chapter II (issue 17): an authority covering two départements counted once, régions
ranked by amount, rows that are 0 in every column left out. Expected values are written by hand."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from pilotactions.reports import render as figure_render
from pilotactions.reports.aggregates import Scope
from pilotactions.reports.bilan import bilan_build
from pilotactions.reports.report import _portion, summaries
from tests.factories import make_action, make_contract, option

pytestmark = pytest.mark.django_db
D, M, A = "CLS-D", "CLS-M", "ALL"
SERIES = [D, M, A]
CORSE = "Collectivité de Corse (2A, 2B)"
ALSACE = "Collectivité européenne d’Alsace (67, 68)"


@pytest.fixture
def world():
    """Corse (2A + 2B), Alsace (67 + 68) with the Eurométropole de Strasbourg seated in 67, and three ordinary
    départements: the Nord, the Gironde, Paris."""
    publics = {"target_publics": [option("publics_cibles", "AGE_JEUNE_18_30")]}
    make_action(
        make_contract("20R"),
        title="C1",
        axis="AXE1",
        multi=publics,
        lines=[(2024, "state", "1000"), (2024, "authority", "1000")],
    )
    alsace = make_contract("6AE")
    make_action(
        alsace,
        title="A1",
        axis="AXE3",
        lines=[(2024, "state", "100"), (2024, "authority", "100"), (2024, "third_party", "50", "COF_07")],
    )
    make_action(alsace, title="A2", axis="AXE3", lines=[(2024, "state", "100"), (2024, "authority", "150")])
    make_action(
        make_contract("246700488"),
        title="E1",
        axis="AXE4",
        lines=[(2024, "authority", "300"), (2024, "third_party", "200", "COF_05")],
    )
    make_action(
        make_contract("59"), title="N1", axis="AXE1", lines=[(2024, "state", "400"), (2024, "authority", "800")]
    )
    make_action(make_contract("33"), title="G1", axis="AXE4", lines=[(2024, "state", "50"), (2024, "authority", "50")])
    make_action(make_contract("75"), title="P1", axis="AXE3", lines=[(2024, "state", "25"), (2024, "authority", "25")])


def figures(scope=None):
    return {f["id"]: f for f in bilan_build(scope or Scope(year=2024))["figures"]}


def by_key(figure, series=A):
    return {r["key"]: r["values"][series] for r in figure["rows"]}


def test_an_authority_covering_two_departements_is_one_row_of_the_departement_maps(world):
    f = figures()
    share = f["cls.map.third_party_share"]
    assert [(r["key"], r["label"], r.get("departements")) for r in share["rows"]] == [
        ("2A", CORSE, ["2A", "2B"]),
        ("33", "Gironde", None),
        ("59", "Nord", None),
        ("67", ALSACE, ["67", "68"]),
        ("75", "Paris", None),
    ]
    # Alsace's row holds the Collectivité européenne d'Alsace (50 of 500 €) and Strasbourg (200 of 500 €).
    assert next(r["values"] for r in share["rows"] if r["key"] == "67") == {D: 10, M: 40, A: 25}
    assert by_key(share) == {"2A": 0, "33": 0, "59": 0, "67": 25, "75": 0}
    mean = f["cls.map.action_budget_mean"]
    assert by_key(mean) == {
        "2A": Decimal("2000.00"),
        "33": Decimal("100.00"),
        "59": Decimal("1200.00"),
        "67": Decimal("333.33"),  # 1 000 € over 3 actions: Alsace's 2 and Strasbourg's 1
        "75": Decimal("50.00"),
    }
    # Shares of départements count each authority once: 4 rows of 5 without a third party (not 5 of 7), and
    # the 7 actions with a budget are counted once over the rows.
    values = list(by_key(share).values())
    assert sum(1 for v in values if v == 0) * 100 / len(values) == 80
    assert f["cls.budget.total"]["base"][A] == 7
    # Authorities are counted once in the other tables too.
    assert len(f["cls.budget.by_authority"]["rows"]) == 6


def test_a_departement_scope_keeps_the_authority_in_its_one_row(world):
    share = figures(Scope(year=2024, departement="68"))["cls.map.third_party_share"]
    assert [(r["key"], r["label"]) for r in share["rows"]] == [("67", "Collectivité européenne d’Alsace (67, 68)")]
    assert by_key(share) == {"67": 10}  # the Eurométropole de Strasbourg does not cover the Haut-Rhin


def test_the_map_colours_both_departements_and_its_legend_says_so(world):
    share = figures()["cls.map.third_party_share"]
    svg = figure_render.chart(share, SERIES)
    shapes = {el.get("data-code"): el for el in ET.fromstring(svg).iter() if el.get("data-code")}
    for first, second in [("2A", "2B"), ("67", "68")]:
        assert shapes[first].get("data-value") == shapes[second].get("data-value") != ""
        assert shapes[first].get("fill") == shapes[second].get("fill")
    assert shapes["67"].get("data-value") == "25"
    assert "Haute-Corse (2B)\u00a0: 0\u202f%" in svg  # the hover title names the département, with the row's value
    note = (
        f"{CORSE} et {ALSACE} : les départements de chacune portent une même valeur, chaque collectivité étant "
        "comptée une fois."
    )
    description = next(el.text for el in ET.fromstring(svg).iter() if el.tag.endswith("desc"))
    assert note in description
    legend = next(el for el in ET.fromstring(svg).iter() if el.get("data-legend-note") is not None)
    assert " ".join(t.text for t in legend.iter() if t.text) == note
    # Without such an authority, no note.
    nord = figure_render.chart(figures(Scope(year=2024, departement="59"))["cls.map.third_party_share"], SERIES)
    assert "data-legend-note" not in nord and "comptée une fois" not in nord


def test_regions_are_ranked_by_amount(world):
    regions = figures()["cls.budget.by_region"]
    assert [(r["key"], r["values"][A]) for r in regions["rows"]] == [
        ("94", Decimal("2000.00")),
        ("32", Decimal("1200.00")),
        ("44", Decimal("1000.00")),
        ("75", Decimal("100.00")),
        ("11", Decimal("50.00")),
    ]


def test_rows_zero_in_every_column_are_left_out(world):
    f = figures()
    # AXE2, the transversal and overseas axes: no action; AXE1 is 0 % of the metropolitan actions but kept.
    assert [r["key"] for r in f["cls.axes"]["rows"]] == ["AXE1", "AXE3", "AXE4"]
    assert next(r["values"] for r in f["cls.axes"]["rows"] if r["key"] == "AXE1")[M] == 0
    assert [r["key"] for r in f["cls.publics"]["rows"]] == ["AGE_JEUNE_18_30"]  # no « autre public spécifique »
    assert sorted(r["key"] for r in f["cls.cofinancers"]["rows"]) == ["COF_05", "COF_07"]
    assert [r["key"] for r in f["cls.subthemes.amounts"]["rows"]] == []  # no action has a sub-theme
    # A figure with no base at all keeps its rows (nothing known): the metropolitan scope's publics are empty.
    empty = figures(Scope(year=2024, authority="246700488"))["cls.publics"]
    assert empty["base"] == {D: 0, M: 0, A: 0}
    assert "PUB_AUTRE" in by_key(empty) and set(by_key(empty).values()) == {None}


def test_the_four_largest_regions_are_worded_as_the_publication_words_them(world):
    texts = summaries(figures(), 2024)
    assert (
        "Quatre régions concentrent la majorité (99\u202f%) des crédits : Corse, Hauts-de-France, Grand Est et "
        "Nouvelle-Aquitaine ; les deux premières en réunissent 74\u202f%." in texts["II.2"]
    )
    assert _portion(Decimal("47.68")) == "près de la moitié (48\u202f%)"
    assert _portion(Decimal("50.1")) == "la majorité (50\u202f%)"
    assert _portion(Decimal("44.9")) == "45\u202f%"
    assert _portion(None) == "—"


def test_a_campaign_bilan_counts_the_same_way(world):
    from pilotactions.accounts.enums import RoleKind
    from pilotactions.campaigns.services import dossier_submit, dossier_validate
    from tests.factories import make_campaign, make_role

    campaign = make_campaign("suivi")
    admin, second_admin = make_role(RoleKind.NATIONAL_ADMIN), make_role(RoleKind.NATIONAL_ADMIN)
    for dossier in campaign.dossiers.all():
        dossier_submit(dossier=dossier, role=admin)
        dossier_validate(dossier=dossier.__class__.objects.get(pk=dossier.pk), role=second_admin)
    frozen = figures(Scope(year=2024, campaign_id=campaign.pk))
    assert next((r["key"], r["label"]) for r in frozen["cls.map.third_party_share"]["rows"]) == ("2A", CORSE)
    assert frozen["cls.map.third_party_share"]["rows"] == figures()["cls.map.third_party_share"]["rows"]
    assert [r["key"] for r in frozen["cls.budget.by_region"]["rows"]] == ["94", "32", "44", "75", "11"]

"""Chapter II's sentences on hand-made figures and cases: what they say, and that they say nothing rather than
something wrong when the data is missing (the demo's report checks them against the publication)."""

from collections import Counter
from decimal import Decimal

from pilotactions.contracts.enums import ContractStatus
from pilotactions.reports import chapter2_text
from pilotactions.reports.report import _portion


def rows(figure_id, values_by_key, labels=None):
    """A figure whose rows have {type: value}."""
    return {
        figure_id: {
            "rows": [
                {"key": key, "label": (labels or {}).get(key, key), "values": values}
                for key, values in values_by_key.items()
            ]
        }
    }


def test_contracts_by_status_count_an_authority_once_per_status():
    counts = Counter(
        {
            ("CLS-D", ContractStatus.SIGNED): 3,
            ("CLS-D", ContractStatus.NOT_SIGNED): 1,
            ("CLS-D", ContractStatus.PREPARATION): 1,
            ("CLS-M", ContractStatus.SIGNED): 2,
            ("CLS-M", ContractStatus.SIGNED, "epci"): 1,
        }
    )
    assert chapter2_text.contracts_sentences({"contracts": counts}) == [
        "3 contrats départementaux et 2 contrats métropolitains sont signés (dont 1 avec un EPCI) ; "
        "1 collectivité éligible n’a pas signé de contrat.",
        "Sont éligibles 5 collectivités à l’échelle départementale et 2 à l’échelle intercommunale.",
    ]
    assert chapter2_text.contracts_sentences({}) == []  # a fiche: no count of the nation's contracts


def test_contract_sizes_name_the_smallest_and_the_largest():
    cases = {
        "actions": {
            "39": ("Jura", 4, "CLS-D"),
            "53": ("Mayenne", 4, "CLS-D"),
            "02": ("Aisne", 30, "CLS-D"),
            "244400404": ("Nantes Métropole", 50, "CLS-M"),
        },
        "communes": {"244400404": 14},
    }
    assert chapter2_text.contract_sizes(cases) == [
        "Les plus petits contrats comptent 4 actions (Jura, Mayenne) ; le plus grand (Nantes Métropole) en compte "
        "50, portées par 14 communes ; le plus grand contrat départemental (Aisne) en compte 30."
    ]
    many = {"actions": {str(i): (f"D{i}", 1, "CLS-D") for i in range(5)} | {"9": ("Nord", 8, "CLS-D")}}
    assert chapter2_text.contract_sizes(many) == ["5 contrats comptent 1 action ; le plus grand (Nord) en compte 8."]
    assert chapter2_text.contract_sizes({"actions": {"39": ("Jura", 4, "CLS-D")}}) == []


def test_the_metropolitan_axes_are_homogeneous_only_within_three_points():
    figure = {"CLS-D": Decimal(50), "CLS-M": Decimal(40)}
    close = rows(
        "cls.axes",
        {
            "AXE3": figure,
            "AXE1": {"CLS-D": Decimal(30), "CLS-M": Decimal(21)},
            "AXE2": {"CLS-D": Decimal(0), "CLS-M": Decimal(20)},
            "AXE4": {"CLS-D": Decimal(20), "CLS-M": Decimal(19)},
        },
    )
    text = chapter2_text.axes_sentence(close)
    assert (
        text[0] == "Dans les contrats départementaux, les axes « AXE3 » et « AXE1 » réunissent 80\u202f% des actions."
    )
    assert "de manière globalement homogène entre les 3 autres axes (de 19,0\u202f% à 21,0\u202f%)" in text[1]
    apart = rows(
        "cls.axes",
        {"AXE3": figure, "AXE1": {"CLS-D": Decimal(30), "CLS-M": Decimal(35)}, "AXE4": {"CLS-D": 20, "CLS-M": 25}},
    )
    assert chapter2_text.axes_sentence(apart)[1].endswith("devant « AXE1 » (35\u202f%).")


def test_maps_say_nothing_without_départements():
    assert chapter2_text.third_party_map({}) == []
    assert chapter2_text.action_budget_map({}, {}, _portion) == []
    assert chapter2_text.fields_sentence({}) == []
    assert chapter2_text.scale_sentence({}) == []


def test_the_third_party_map_names_the_départements_above_thirty_percent():
    shares = {"37": Decimal("58"), "73": Decimal("31"), "59": Decimal("5"), "62": Decimal("0")}
    figure = rows("cls.map.third_party_share", {k: {"ALL": v} for k, v in shares.items()}, {"37": "Indre-et-Loire"})
    assert chapter2_text.third_party_map(figure) == [
        "Les financeurs tiers apportent plus de 30\u202f% des crédits dans 2 départements : Indre-et-Loire et 73 ; "
        "la part la plus élevée : Indre-et-Loire (58\u202f%).",
        "Ils apportent moins de 10\u202f% des crédits dans 50\u202f% des départements et n’apportent aucun crédit "
        "dans 25\u202f%.",
    ]


def test_the_action_budget_map_sets_the_overseas_apart():
    means = {"75": Decimal(600_000), "12": Decimal(20_000), "46": Decimal(90_000), "971": Decimal(230_000)}
    figure = rows("cls.map.action_budget_mean", {k: {"ALL": v} for k, v in means.items()})
    cases = {
        "region_means": {
            "11": ("Île-de-France", Decimal(400_000), False),
            "32": ("Hauts-de-France", Decimal(300_000), False),
            "75": ("Nouvelle-Aquitaine", Decimal(210_000), False),
            "01": ("Guadeloupe", Decimal(230_000), True),
        },
        "overseas_mean": Decimal(155_516),
        "overseas_departements": {"971"},
    }
    text = chapter2_text.action_budget_map(figure, cases, _portion)
    assert text == [
        "De fortes disparités territoriales : le budget moyen d’une action va de 20\u202f000\u202f€ (12) à "
        "600\u202f000\u202f€ (75) selon les départements.",
        "Il dépasse 200\u202f000\u202f€ dans les régions Île-de-France, Hauts-de-France et, dans une moindre mesure, "
        "Nouvelle-Aquitaine ; il dépasse 500\u202f000\u202f€ dans les départements 75.",
        "À l’inverse, il est inférieur à 100\u202f000\u202f€ dans près de la moitié (50\u202f%) des départements, et à "
        "30\u202f000\u202f€ dans les départements 12.",
        "En outre-mer, le budget moyen d’une action s’élève à 155\u202f516\u202f€ ; il est le plus élevé : 971 "
        "(230\u202f000\u202f€).",
    ]
    cases["region_means"] = {}
    low_only = rows("cls.map.action_budget_mean", {"12": {"ALL": Decimal(20_000)}, "46": {"ALL": Decimal(90_000)}})
    assert chapter2_text.action_budget_map(low_only, cases, _portion)[1:] == [
        "Il est inférieur à 100\u202f000\u202f€ dans la majorité (100\u202f%) des départements, et à "
        "30\u202f000\u202f€ dans les départements 12."
    ]

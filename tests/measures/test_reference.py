"""The loaded measures are the published dashboard, cell by cell; the budget table adds up as printed."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from pilotactions.measures import selectors
from pilotactions.measures.figures import budget_rows, dashboard_rows
from pilotactions.measures.models import (
    Committee,
    Measure,
    Objective,
    ObjectiveValue,
    ProgrammeBudget,
    StatusChange,
)
from pilotactions.measures.services import measures_reference_load

pytestmark = pytest.mark.django_db


def test_committed_data_file_holds_25_measures_and_44_objectives(committed):
    assert [m["number"] for m in committed["measures"]] == list(range(1, 26))
    assert sum(len(m["objectives"]) for m in committed["measures"]) == 44
    assert committed["_source"].startswith("DIPLP, Bilan du Pacte des solidarités")


def whole(rate: Decimal) -> int:
    return int(rate.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def check_against_published(board: dict, published: list[dict]) -> int:
    """Compare a dashboard with the published one cell by cell; returns the number of cells checked."""
    rows = {row["number"]: row for row in board["rows"]}
    assert sorted(rows) == [m["num"] for m in published] == list(range(1, 26))
    cells = 0
    for printed in published:
        row = rows[printed["num"]]
        assert row["title"] == printed["title"]  # character for character, no typographic clean-up
        assert row["axis"] == printed["axis"]
        assert row["status_label"] == printed["status_main"]
        assert row["statuses_printed"] == printed["statuses_printed"]
        assert len(row["objectives"]) == len(printed["objectives"]), printed["num"]
        for objective, expected in zip(row["objectives"], printed["objectives"], strict=True):
            where = f"{objective['key']} {expected['objective'][:40]}"
            assert objective["wording"] == expected["objective"], where
            assert objective["rate_text"] == (expected["rate_raw"] or ""), where
            if expected["rate_2024_pct"] is None:
                assert objective["rate"] is None, where
            else:
                assert whole(Decimal(objective["rate"])) == expected["rate_2024_pct"], where
            assert objective["status_label"] == expected["objective_status"], where
            cells += 5
        cells += 4
    return cells


def test_the_2024_dashboard_is_the_published_one_cell_by_cell(measures, published):
    board = selectors.dashboard("2024")
    assert board["period"] == "2024"
    assert check_against_published(board, published) == 25 * 4 + 44 * 5
    assert Measure.objects.count() == 25
    assert Objective.objects.count() == 44
    # The rates come from a value ÷ target where the text gives the value, and they still round as printed.
    kinds = {o["key"]: o["rate_kind"] for row in board["rows"] for o in row["objectives"]}
    assert kinds["4.1"] == kinds["12.1"] == kinds["7.1"] == "computed"
    assert kinds["4.2"] == "declared" and kinds["5.2"] == "note"
    rows = {row["number"]: row for row in board["rows"]}
    assert rows[4]["objectives"][1]["rate_text"] == "131%"  # over 100 % as printed
    assert rows[9]["objectives"][0]["value_period"] == "2023"  # the printed 50 % is 630 (2023) ÷ 1 250


def test_the_loaded_committee_is_closed_and_its_frozen_dashboard_is_the_published_one(measures, published):
    committee = Committee.objects.get(date=date(2025, 3, 17))
    assert committee.is_closed and committee.period == "2024"
    assert "hétérogénéité des déploiements territoriaux" in committee.minutes
    check_against_published(selectors.committee_dashboard(committee), published)
    assert committee.frozen_dashboard == selectors.dashboard("2024")


def test_dashboard_rows_follow_the_bilan_json_contract(measures, published):
    rows = dashboard_rows("2024")
    assert [row["key"] for row in rows] == [str(n) for n in range(1, 26)]
    titles = {str(m["num"]): m["title"] for m in published}
    assert all(row["label"] == titles[row["key"]] for row in rows)
    first = rows[0]["values"]["ALL"]
    assert first["status"] == "Atteint" and first["status_code"] == "ST_ATTEINT"
    assert first["objectives"][0]["rate"] == Decimal("100") and first["objectives"][0]["rate_text"] == "100%"
    four = rows[3]["values"]["ALL"]["objectives"]
    assert four[0]["rate"] == Decimal("13.3192") and four[0]["status"] == "En cours de déploiement"
    two = rows[1]["values"]["ALL"]
    assert [o["status"] for o in two["objectives"]] == [
        "En cours de déploiement",
        "Lancement prévu en 2025 mais mis en pause",
        "Lancement prévu en 2025 mais mis en pause",
        "Trajectoire satisfaisante",
    ]
    assert rows[19]["values"]["ALL"]["objectives"] == []  # « Aide à l'achat de vélo »: no objective printed
    committee = Committee.objects.get()
    assert dashboard_rows(committee=committee) == rows


def test_budget_table_adds_up_as_printed(measures):
    """Total 2023 = 386,87 M€ and 2024 = 574,6 M€: the LFI lines only (P124 and P103 in 2024); the LFSS lines
    (COG Etat-Cnaf 350 M€, ONDAM 218 M€) are printed in the 2024 column and left out of the totals."""
    table = selectors.budget_table()
    assert table["years"] == [2023, 2024]
    assert table["totals"] == [Decimal("386870000.00"), Decimal("574600000.00")]
    assert [selectors.million_euros(t) for t in table["totals"]] == ["386,87\u202fM€", "574,6\u202fM€"]
    lfi, lfss = table["groups"]
    assert [line["code"] for line in lfi["lines"]] == [
        "P304",
        "P102",
        "P177",
        "P124",
        "P103",
        "P137",
        "P174",
        "AGENCES_EAU",
        "P112",
    ]
    assert {line["code"]: line["amounts"] for line in lfss["lines"]} == {
        "COG_CNAF": [None, Decimal("350000000.00")],
        "ONDAM": [None, Decimal("218000000.00")],
    }
    rows = {row["key"]: row["values"]["ALL"] for row in budget_rows()}
    assert rows["P304"] == {"vehicle": "LFI", "2023": Decimal("266740000.00"), "2024": Decimal("281110000.00")}
    assert rows["P124"]["2023"] is None and rows["P124"]["2024"] == Decimal("300000.00")
    assert rows["total"] == {"vehicle": "LFI", "2023": Decimal("386870000.00"), "2024": Decimal("574600000.00")}
    assert ProgrammeBudget.objects.count() == 18


def test_the_loader_is_idempotent_and_never_overwrites_what_people_entered(measures):
    counts = [m.objects.count() for m in (Measure, Objective, ObjectiveValue, StatusChange, Committee)]
    Measure.objects.filter(number=1).update(title="Titre modifié par la délégation")
    assert set(measures_reference_load().values()) == {0}
    assert [m.objects.count() for m in (Measure, Objective, ObjectiveValue, StatusChange, Committee)] == counts
    assert Measure.objects.get(number=1).title == "Titre modifié par la délégation"


def test_every_loaded_row_has_its_history(measures):
    measure = Measure.objects.get(number=10)
    assert measure.history.filter(history_type="+").exists()
    assert {h.period for h in ObjectiveValue.history.filter(objective__measure=measure)} == {"2023", "2024"}
    entries = selectors.measure_history(measure)
    assert any(e["object"] == "Mesure" and e["verb"] == "création" for e in entries)

"""On PostgreSQL, `export_actions --format csv` has the database write each line (export_copy): the bytes must be
those of the Python path (export.csv_lines), which stays the reference and what SQLite runs."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilotactions.accounts.services import system_role
from pilotactions.contracts.export import export_rows, scope_filter, write_csv
from pilotactions.contracts.export_copy import copy_csv
from pilotactions.contracts.models import Action, ActionYear
from pilotactions.contracts.services import action_withdraw
from pilotactions.nomenclatures.models import Option
from pilotactions.territories.models import Authority
from tests.factories import make_action, make_contract, option

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TITLES = [
    'Le « bus » dit "France services", itinérant',  # quotes, comma, accents
    "Ateliers; repas\npartagés",  # semicolon, line feed
    "Retour\rchariot et fin\r\n",  # carriage returns
    "=SOMME(A1)",  # formulas are prefixed with an apostrophe…
    '-"moins", puis guillemets',  # …and then quoted
    "\tTabulation",
    "@mention",
    "+33 1 23",
    "'déjà une apostrophe",
    "Œuvre, ça, élan, naïve — 100 %",
    "    espaces    ",
]


def python_csv(year, queryset=None) -> str:
    out = io.StringIO()
    write_csv(export_rows(year, queryset), out)
    return out.getvalue()


def copied_csv(year, queryset=None) -> str:
    out = io.StringIO()
    copy_csv(year, queryset, out)
    return out.getvalue()


@pytest.fixture
def tricky():
    """Actions with every tricky value the CSV has to write, in two départements."""
    nord, gironde = make_contract("59"), make_contract("33")
    # Codes and names that themselves need quoting or the formula prefix.
    Authority.objects.filter(code="59").update(name='Nord, le "59"')
    Option.objects.filter(option_list__code="partenaires_pactes_locaux", code="PART_05").update(code='PART,"05"')
    Option.objects.filter(option_list__code="publics_cibles", code="PUB_MINIMA_SOCIAUX").update(code="-PUB")
    status = option("etat_avancement_actions", "AV_NON_DEMARREE")
    for index, title in enumerate(TITLES):
        action = make_action(
            nord if index % 2 else gironde,
            title=title,
            beneficiaries_target=[None, 0, 1200][index % 3],
            start_date=date(2024, 3, 1) if index % 2 else None,
            end_date=date(2027, 12, 31) if index % 3 else None,
            nature=option("nature_action", "NOUVELLE") if index % 2 else None,
            multi={
                # Several codes whose order is not their ids' order; empty lists for some actions.
                "policy_fields": [option("champs_action_publique_cls", c) for c in ["CAP_CLS_21", "CAP_CLS_11"]]
                if index % 2
                else [],
                "partners": [option("partenaires_pactes_locaux", "PART_02"), Option.objects.get(code='PART,"05"')]
                if index % 3
                else [],
                "target_publics": [Option.objects.get(code="-PUB")] if index % 4 == 0 else [],
                "action_types": [option("types_actions_financees_cls", "TA_ALLER_VERS")] if index % 5 else [],
            },
            lines=[
                (2024, "state", "45000.50"),
                (2024, "authority", "0.05"),
                (2024, "third_party", "10000", "COF_07"),
                (2024, "third_party", "2500.25", "COF_05"),
                (2025, "authority", "1"),
            ]
            if index % 2
            else [(2025, "authority", "10")] * (index % 4 == 0),  # no budget in 2024, or none at all
        )
        if index % 3 == 0:
            ActionYear.objects.filter(action=action, year=2024).update(progress_status=status)
    withdrawn = make_action(nord, title="Retirée, « doublon »", lines=[(2024, "state", "1")])
    action_withdraw(action=withdrawn, role=system_role(), reason="Doublon", expected_version=withdrawn.version)
    make_action(make_contract("62", start_year=2026, end_year=2028), title="Hors période")


def test_the_database_writes_the_same_bytes_as_the_python_path(tricky):
    expected = python_csv(2024)
    assert expected.count("\n") > len(TITLES)  # the header, the rows, and line feeds inside quoted titles
    assert '"Nord, le ""59"""' in expected and "'=SOMME(A1)" in expected and '"PART,""05""|PART_02"' in expected
    assert "Retirée" not in expected and "Hors période" not in expected
    assert copied_csv(2024) == expected
    for year in (2025, 2028):  # other years: other budgets, other actions (none in 2028 but the header)
        assert copied_csv(year) == python_csv(year)


def test_a_filtered_export_is_the_same_too(tricky):
    queryset = scope_filter(Action.objects.all(), departement="59")
    expected = python_csv(2024, queryset)
    assert "Nord" in expected and "Gironde" not in expected
    assert copied_csv(2024, queryset) == expected


def test_the_command_uses_copy_on_postgresql(tricky, tmp_path):
    out = tmp_path / "actions.csv"
    with CaptureQueriesContext(connection) as queries:
        call_command("export_actions", year=2024, format="csv", out=str(out), stderr=io.StringIO())
    assert any(query["sql"].startswith("COPY (") for query in queries.captured_queries)
    assert out.read_bytes() == python_csv(2024).encode("utf-8")

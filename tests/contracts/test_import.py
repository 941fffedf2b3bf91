"""The import of actions: the raw export comes back byte for byte, a second import changes nothing, a corrected
file updates and says what changed, the command's summary and exit code (docs/import.md)."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from pilotactions.accounts.services import system_role
from pilotactions.contracts.models import Action, ActionYear, BudgetLine, Contract, StateEnvelope
from pilotactions.contracts.services import action_year_status_set
from pilotactions.core.models import AuditEvent
from pilotactions.territories.models import Authority
from tests.contracts.test_export import make_typed_action
from tests.factories import make_action, make_contract, option

pytestmark = pytest.mark.django_db


def export(tmp_path, name="export.csv", year=2024):
    out = tmp_path / name
    call_command("export_actions", year=year, format="csv", out=str(out), stderr=io.StringIO())
    return out


def run_import(path, *args, expect_exit=0):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_actions", str(path), *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    assert code == expect_exit, err.getvalue() + out.getvalue()
    return out.getvalue(), err.getvalue()


def metropole():
    return Authority.objects.filter(level="intercommunal").order_by("code").first()


def small_data_set():
    """Three contracts of two types and two periods, actions with budget lines over several years, multi-valued options, a
    progress status, an action without any 2024 budget, one withdrawn (not exported)."""
    nord = make_contract("59", envelopes={2024: "200000"})
    make_typed_action(nord)
    make_action(nord, title="Sans budget en 2024", lines=[(2025, "authority", "10")])
    zero = make_action(nord, title="Budget nul", axis="AXE1", lines=[(2024, "state", "0")])
    action_year_status_set(
        action=zero, year=2024, status=option("etat_avancement_actions", "AV_EN_COURS"), role=system_role()
    )
    make_action(nord, title='=HYPERLINK("x")', axis="AXE4", start_date=date(2024, 1, 1))
    make_action(nord, title="- Accompagnement global", axis="AXE4")
    # A contract of 2022-2025: the export holds no period, the import reads it from the reference.
    older = make_contract("62", start_year=2022, end_year=2025)
    make_action(
        older, title="Commencée en 2022", axis="AXE1", start_date=date(2022, 3, 1), lines=[(2024, "state", "7")]
    )
    lyon = make_contract(metropole().code)
    make_action(
        lyon,
        title="Repérage « aller vers »",
        axis="AXE2",
        multi={"target_publics": [option("publics_cibles", c) for c in ["AGE_ENFANT", "PUB_PARENTS"]]},
        lines=[(2024, "state", "1000"), (2024, "third_party", "999.99", "COF_07"), (2026, "state", "5")],
    )


def wipe_contracts():
    """A database holding only the referentials again (contracts and actions gone)."""
    BudgetLine.objects.all().delete()
    ActionYear.objects.all().delete()
    Action.objects.all().delete()
    StateEnvelope.objects.all().delete()
    Contract.objects.all().delete()


def test_raw_export_reimported_into_referentials_only_gives_the_same_export(tmp_path):
    small_data_set()
    first = export(tmp_path, "first.csv")
    wipe_contracts()

    _out, err = run_import(first)
    assert "0 refusée(s)" in err
    assert Contract.objects.get(reference="CLS-D-2022-062").years == [2022, 2023, 2024, 2025]
    second = export(tmp_path, "second.csv")
    assert second.read_bytes() == first.read_bytes()

    # A second import changes nothing: no history line, versions unchanged.
    versions = dict(Action.objects.values_list("reference", "version"))
    history = Action.history.count(), BudgetLine.history.count(), ActionYear.history.count()
    _out, err = run_import(first)
    assert "0 créée(s), 0 modifiée(s)" in err, err
    assert dict(Action.objects.values_list("reference", "version")) == versions
    assert (Action.history.count(), BudgetLine.history.count(), ActionYear.history.count()) == history
    assert export(tmp_path, "third.csv").read_bytes() == first.read_bytes()


def test_importing_the_export_over_its_own_data_changes_nothing(tmp_path):
    small_data_set()
    first = export(tmp_path)
    versions = dict(Action.objects.values_list("reference", "version"))
    history = Action.history.count()
    out, err = run_import(first)
    assert "0 créée(s), 0 modifiée(s)" in err, err + out
    assert dict(Action.objects.values_list("reference", "version")) == versions
    assert Action.history.count() == history


def test_a_corrected_file_updates_the_matched_action_and_says_what_changed(tmp_path):
    contract = make_contract("59")
    action = make_typed_action(contract)
    indicators_before = action.indicators.count()
    first = export(tmp_path)
    text = first.read_text(encoding="utf-8")
    text = text.replace("Bus France services itinérant", "Bus France services")
    text = text.replace("45000.50,45000.00", "40000.00,45000.00").replace("102500.75", "97500.25")
    corrected = tmp_path / "corrected.csv"
    corrected.write_text(text, encoding="utf-8")

    out, err = run_import(corrected)
    assert "1 modifiée(s)" in err, err
    assert "Intitulé : Bus France services itinérant, « zones rurales » → Bus France services, « zones rurales »" in out
    assert "Crédits de l’État (€) 2024 : 45\u202f000,50\u202f€ → 40\u202f000,00\u202f€" in out
    action.refresh_from_db()
    assert action.version == 2
    assert action.title == "Bus France services, « zones rurales »"
    # The other years' lines and the indicators are kept; the history says it was an import.
    assert BudgetLine.objects.filter(action_year__action=action, action_year__year=2025).count() == 1
    assert action.indicators.count() == indicators_before
    assert action.history.order_by("-history_id").first().history_change_reason == "Import « corrected.csv »"
    replaced_lines = BudgetLine.history.filter(action_year__action=action, history_type="-")
    assert {r.history_change_reason for r in replaced_lines} == {"Import « corrected.csv »"}  # every record written
    event = AuditEvent.objects.filter(verb="actions_imported").get()
    assert event.data["updated"] == 1 and event.data["file"] == "corrected.csv"
    assert "corrected.csv" in event.message


def test_dry_run_saves_nothing_and_reports_the_same(tmp_path):
    small_data_set()
    first = export(tmp_path)
    wipe_contracts()
    _out, err = run_import(first, "--dry-run")
    assert "rien n’est enregistré" in err
    assert "0 refusée(s)" in err
    assert not Contract.objects.exists() and not Action.objects.exists()
    assert not AuditEvent.objects.filter(verb="actions_imported").exists()


def test_refused_rows_exit_1_and_leave_their_contract_untouched_while_others_are_imported(tmp_path):
    small_data_set()
    first = export(tmp_path)
    wipe_contracts()
    lines = first.read_text(encoding="utf-8").splitlines(keepends=True)
    # Break one row of the Nord's contract: every row of that contract is refused, Lyon's are imported.
    broken = [line.replace(",AXE4,", ",AXE9,") if "Accompagnement global" in line else line for line in lines]
    path = tmp_path / "broken.csv"
    path.write_text("".join(broken), encoding="utf-8")
    out, err = run_import(path, expect_exit=1)
    assert "colonne « Axe » : « AXE9 » n’est pas dans la liste" in err
    assert "CLS-D-2024-059 (refusé)" in out
    assert not Contract.objects.filter(reference="CLS-D-2024-059").exists()
    assert Contract.objects.filter(authority=metropole()).exists()


def test_a_row_that_changes_only_the_status_labels_the_status_record_not_an_earlier_edit(tmp_path):
    action = make_action(make_contract("59"), lines=[(2024, "state", 1000)])
    status = {code: option("etat_avancement_actions", code) for code in ("AV_EN_COURS", "AV_TERMINEE")}
    action_year_status_set(action=action, year=2024, status=status["AV_EN_COURS"], role=system_role())
    exported = export(tmp_path)
    action_year_status_set(action=action, year=2024, status=status["AV_TERMINEE"], role=system_role())

    out, err = run_import(exported)
    assert "1 modifiée(s)" in err, err + out
    assert ActionYear.objects.get(action=action).progress_status == status["AV_EN_COURS"]
    assert {r.history_change_reason for r in action.history.all()} == {None}  # the action itself did not change
    newest = ActionYear.history.filter(action=action).order_by("-history_id").first()
    assert newest.history_change_reason == "Import « export.csv »"

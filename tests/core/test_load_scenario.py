"""Smoke test of the load scenario (bench/load): its URLs are the application's, it reads forms as a browser
sends them, it tells a save from a conflict, and the locustfile imports. No network, no load run."""

import importlib.util
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import resolve, reverse

LOAD = Path(__file__).resolve().parents[2] / "bench" / "load"


def _module(name):
    spec = importlib.util.spec_from_file_location(f"load_{name}", LOAD / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


scenario = _module("scenario")


def test_url_helpers_build_the_application_paths():
    assert reverse("accounts:login") == scenario.LOGIN_URL
    assert reverse("home") == scenario.HOME_URL
    assert scenario.dossier_url(12) == reverse("campaigns:dossier", args=[12])
    assert scenario.execution_url(12, "CLS-D-2024-059-A003") == reverse(
        "campaigns:execution", args=[12, "CLS-D-2024-059-A003"]
    )
    assert scenario.submit_url(12) == reverse("campaigns:submit", args=[12])
    assert scenario.validate_url(12) == reverse("campaigns:decide", args=[12, "valider"])
    assert scenario.action_update_url("CLS-M-2022-248000531-A014") == reverse(
        "contracts:action_update", args=["CLS-M-2022-248000531-A014"]
    )
    cockpit = scenario.cockpit_url(3, departement="59", state="submitted", region="")
    assert cockpit == reverse("campaigns:detail", args=[3]) + "?departement=59&state=submitted"
    assert resolve(cockpit.split("?")[0]).url_name == "detail"


PAGE = """
<form method="post" action="/accounts/logout/"><input type="hidden" name="csrfmiddlewaretoken" value="abc"></form>
<form method="post" novalidate>
  <input type="hidden" name="csrfmiddlewaretoken" value="abc">
  <select name="progress_status"><option value="">Choisir</option><option value="7">En cours</option>
    <option value="8" selected>Achevée</option></select>
  <select name="financer_type"><option value="">—</option><option value="3">Caf</option></select>
  <select name="policy_fields" multiple><option value="1" selected>A</option><option value="2">B</option>
    <option value="4" selected>C</option></select>
  <input type="radio" name="deployment_satisfactory" value="true">
  <input type="radio" name="deployment_satisfactory" value="false" checked>
  <input type="checkbox" name="qpv" value="on">
  <input type="text" name="spent_state" value="12 500,00">
  <input type="text" name="frozen" value="x" disabled>
  <fieldset disabled><input type="text" name="read_only" value="y"><fieldset><input name="deeper"></fieldset></fieldset>
  <textarea name="assessment">
Bilan &amp; suite</textarea>
  <template><input name="budget-__prefix__-planned" value=""></template>
  <input type="hidden" name="token" value="dddab5d9cc5fb3b3">
  <button type="submit">Enregistrer</button>
</form>
"""


def test_forms_are_read_as_a_browser_sends_them():
    form = scenario.find_form(PAGE, "token")
    assert form is not None and form.method == "post"
    assert form.fields == [
        ("csrfmiddlewaretoken", "abc"),
        ("progress_status", "8"),
        ("financer_type", ""),
        ("policy_fields", "1"),
        ("policy_fields", "4"),
        ("deployment_satisfactory", "false"),
        ("spent_state", "12 500,00"),
        ("assessment", "Bilan & suite"),
        ("token", "dddab5d9cc5fb3b3"),
    ]
    assert form.options["progress_status"] == ["7", "8"]
    form.set("spent_state", "1,00")
    assert form.get("spent_state") == "1,00" and form.names().count("spent_state") == 1
    assert scenario.csrf_token(PAGE) == "abc"


def test_dossier_page_readers():
    page = (
        '<h2>À régler avant de soumettre (1)</h2><ul><li><a href="/dossiers/5/actions/R-A002/">Action R-A002 '
        "« Titre » : à renseigner — bilan qualitatif.</a></li></ul>"
        '<a href="/dossiers/5/soumettre/">Soumettre</a>'
        '<a href="/dossiers/5/actions/R-A001/">Renseigner le suivi</a>'
        '<a href="/dossiers/5/actions/R-A002/">Renseigner le suivi</a>'
    )
    assert scenario.action_references(page, 5) == ["R-A001", "R-A002"]
    assert scenario.action_references('<a href="/dossiers/5/actions/R-A001/">Voir le suivi</a>', 5) == []
    assert scenario.missing_references(page, 5) == ["R-A002"]
    assert not scenario.can_submit(page, 5)
    assert scenario.can_submit('<a href="/dossiers/5/soumettre/">Soumettre</a>', 5)
    assert scenario.dossier_pks('<a href="/dossiers/9/">a</a><a href="/dossiers/4/">b</a><a href="/dossiers/9/">') == [
        9,
        4,
    ]


@pytest.mark.parametrize(
    ("status", "location", "text", "expected"),
    [
        (302, "/dossiers/5/#actions", "", scenario.SAVED),
        (200, "", "<h2>Quelqu’un a enregistré ce suivi pendant que vous saisissiez</h2>", scenario.CONFLICT),
        (409, "", "", scenario.CONFLICT),
        (403, "", "", scenario.REFUSED),
        (200, "", "<p>Le montant doit être positif.</p>", scenario.INVALID),
        (302, "/accounts/login/?next=/dossiers/5/", "", scenario.ERROR),
        (500, "", "", scenario.ERROR),
    ],
)
def test_save_outcomes(status, location, text, expected):
    outcome = scenario.save_outcome(
        status, location, text, conflict_text=scenario.EXECUTION_CONFLICT, success_prefix="/dossiers/5/"
    )
    assert outcome == expected


def test_locustfile_imports_and_defines_the_three_users():
    # In a child process: importing locust monkey-patches the interpreter with gevent.
    code = (
        "import runpy, sys; sys.argv = ['locust'];"
        f"m = runpy.run_path({str(LOAD / 'locustfile.py')!r});"
        "print(sorted((k, v.weight) for k, v in m.items() if k in ('AuthorityAgent', 'StateAgent', 'DiplpUser')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[('AuthorityAgent', 78), ('DiplpUser', 2), ('StateAgent', 20)]"


def test_check_saves_finds_a_follow_up_put_back_by_a_stale_write():
    check_saves = _module("check_saves")

    def save(note, outcome=scenario.SAVED):
        values = {"spent_state": "10.00", "assessment": note}
        return {"values": values, "outcome": outcome}

    first, second, refused = save("Bilan 1"), save("Bilan 2"), save("Bilan 3", scenario.CONFLICT)
    initial = {"spent_state": None, "assessment": None}
    row = check_saves.values_of
    attempts = [first, second, refused]
    assert check_saves._reverts([initial, row(first), row(second)], attempts) == []
    # A budget save rolled up the year with the values it had read before the second follow-up was saved.
    assert check_saves._reverts([initial, row(first), row(second), row(first)], attempts) == [second]
    assert check_saves.normalise("spent_state", "12.5") == check_saves.normalise("spent_state", Decimal("12.50"))
    assert check_saves.normalise("deployment_satisfactory", "false") is False

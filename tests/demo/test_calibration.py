"""`demo_calibration`: green on the demo, red as soon as a figure leaves its tolerance."""

from io import StringIO

import pytest
from django.core.management import call_command

from pilotactions.contracts.models import Action
from pilotactions.contracts.signals import data_changed
from pilotactions.demo.calibration import load_targets

pytestmark = pytest.mark.django_db


def test_calibration_report_is_green_on_the_demo(demo):
    out = StringIO()
    call_command("demo_calibration", stdout=out)
    text = out.getvalue()
    count = len(load_targets()["figures"])
    assert text.strip().splitlines()[-1] == f"{count} figures vérifiées, 0 hors tolérance."
    assert "ÉCART" not in text
    for figure_id in ("II.budget.total", "II.budget.departements", "II.cls.d.credits_etat", "II.actions.max_nantes"):
        assert figure_id in text


def test_calibration_report_fails_when_a_figure_leaves_its_tolerance(demo):
    aisne = Action.objects.filter(contract__reference="CLS-D-2024-002")
    # The Aisne's 30 actions withdrawn behind the services' back (a bulk update): say so, as a bulk load does, so
    # that the bilan's aggregates — fresh if a test computed a bilan outside its transaction — are recomputed.
    authority_ids = list(aisne.values_list("contract__authority_id", flat=True).distinct())
    aisne.update(status="withdrawn")
    data_changed.send(
        sender=test_calibration_report_fails_when_a_figure_leaves_its_tolerance, authority_ids=authority_ids
    )
    out = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("demo_calibration", stdout=out)
    assert exit_info.value.code == 1
    failing = [line for line in out.getvalue().splitlines() if line.endswith("ÉCART")]
    assert any(line.startswith("II.actions.aisne") for line in failing)
    assert out.getvalue().strip().splitlines()[-1].endswith("hors tolérance.")


def test_every_target_names_its_published_figure_and_tolerance():
    targets = load_targets()
    ids = [entry["id"] for entry in targets["figures"]]
    assert len(ids) == len(set(ids))
    for entry in targets["figures"]:
        assert entry["id"].startswith(("II.", "seed.", "I."))
        if entry["id"].startswith("I."):  # chapter I: the measures' indicators, read exactly in their figure
            assert entry["measure"]["figure"] == "measures.indicators" and entry["check"] == {"kind": "exact"}
        assert entry["check"]["kind"] in {"exact", "points", "euros", "range", "order", "set"}
        assert entry["published"] not in (None, "")
        target, published = entry["check"].get("target"), entry["published"]
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (target, published))
        if numbers and target != published and entry["reference"] == "published":
            assert entry["decision"].startswith("Décision"), entry["id"]  # a contradiction, documented

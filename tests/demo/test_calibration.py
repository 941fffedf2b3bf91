"""`demo_calibration`: green on the demo, red as soon as a figure leaves its tolerance."""

from io import StringIO

import pytest
from django.core.management import call_command

from pilotactions.campaigns.enums import CampaignKind, DossierState
from pilotactions.campaigns.models import Dossier
from pilotactions.contracts.models import Action
from pilotactions.contracts.signals import data_changed
from pilotactions.demo.calibration import calibrate, load_targets
from pilotactions.pacts.enums import PactActionStatus, PactStatus
from pilotactions.pacts.models import Pact, PactAction, SurveyAnswer

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
    for figure_id in ("III.pl.count", "III.fv.reunion_oui", "III.cofin.montant_moyen", "III.illu.bdr"):
        assert figure_id in text
    assert "  III.pl.lancement : " in text  # the figures not compared are named, with why


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
        assert entry["id"].startswith(("II.", "III.", "seed.", "I."))
        if entry["id"].startswith("I."):  # chapter I: the measures' indicators, read exactly in their figure
            assert entry["measure"]["figure"] == "measures.indicators" and entry["check"] == {"kind": "exact"}
        assert entry["check"]["kind"] in {"exact", "points", "euros", "range", "order", "set"}
        assert entry["published"] not in (None, "")
        target, published = entry["check"].get("target"), entry["published"]
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (target, published))
        if numbers and target != published and entry["reference"] == "published":
            assert entry["decision"].startswith("Décision"), entry["id"]  # a contradiction, documented


def chapter_three(lines) -> list:
    return [line for line in lines if line.id.startswith(("III.", "seed.pl."))]


def test_chapter_three_is_read_from_the_validated_survey_campaign(demo):
    assert Pact.objects.filter(year=2024).exclude(status=PactStatus.ABANDONED).count() == 122
    assert PactAction.objects.filter(pact__year=2024, status=PactActionStatus.ACTIVE).count() == 457
    survey = Dossier.objects.filter(campaign__kind=CampaignKind.ENQUETE, campaign__year=2024)
    assert survey.count() == 18 and not survey.exclude(state=DossierState.VALIDATED).exists()
    lines, targets = calibrate()
    three = chapter_three(lines)
    assert len(three) > 150 and all(line.ok for line in three), [line.id for line in three if not line.ok]
    assert {"III.pl.lancement", "III.pl.actions_par_pacte_consigne"} <= {t["id"] for t in targets["not_targeted"]}
    # The live answers change after the validation: chapter III, read from the snapshots, does not move.
    SurveyAnswer.objects.filter(year=2024, question__code="forces_vives_meeting").update(value="NON")
    assert all(line.ok for line in chapter_three(calibrate()[0]))


def test_chapter_three_fails_when_a_validated_snapshot_changes(demo):
    dossier = Dossier.objects.get(campaign__kind=CampaignKind.ENQUETE, campaign__year=2024, region__code="76")
    snapshot = dossier.snapshots.first()
    snapshot.data["survey"]["pacts"] = snapshot.data["survey"]["pacts"][1:]  # one Occitanie pact less
    type(snapshot).objects.filter(pk=snapshot.pk).update(data=snapshot.data)  # behind the model's back
    failing = {line.id for line in chapter_three(calibrate()[0]) if not line.ok}
    assert {"III.pl.count", "III.pl.budget_total_calcule"} <= failing


def test_the_demo_pacts_history_holds_their_relations_from_the_start(demo):
    """The creation entries carry each pact's communes, priorities… and each action's option lists: the next
    change (here the DIPLP's illustration) lists only what it changed."""
    from pilotactions.accounts.enums import RoleKind
    from pilotactions.accounts.models import Role
    from pilotactions.pacts.history import pact_history
    from pilotactions.pacts.models import Pact
    from pilotactions.pacts.services import pact_illustration_set

    pact = Pact.objects.filter(year=2024, bilan_illustration="").exclude(communes=None).first()
    assert pact.history.first().communes.exists() and pact.priorities.exists()
    role = Role.objects.filter(kind=RoleKind.NATIONAL_ADMIN).first()
    pact_illustration_set(pact=pact, role=role, text="Une illustration.")
    latest = pact_history(Pact.objects.get(pk=pact.pk))[0]
    assert [label for label, _old, _new in latest["changes"]] == ["illustration du bilan"]

"""Realisation rates, periods and trajectories: value ÷ target when both are numeric, declared otherwise;
a linear projection flags an objective that would miss its target."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pilotactions.measures import periods, selectors
from pilotactions.measures.enums import RateKind
from pilotactions.measures.forms import ValueForm
from pilotactions.measures.models import Objective, ObjectiveValue


def objective(target=None, **fields) -> Objective:
    return Objective(order=1, wording="Objectif de test", target=None if target is None else Decimal(target), **fields)


def value(period="2024", **fields) -> ObjectiveValue:
    for name in ("value", "declared_rate"):
        if fields.get(name) is not None:
            fields[name] = Decimal(fields[name])
    return ObjectiveValue(period=period, **fields)


def test_the_rate_is_value_over_target_and_may_exceed_100():
    rate = selectors.rate_of(objective(12000), value(value=15720))
    assert (rate.kind, rate.rate, rate.text) == (RateKind.COMPUTED, Decimal(131), "131%")
    rate = selectors.rate_of(objective(120000), value(value=15983))
    assert rate.text == "13%" and rate.rate.quantize(Decimal("0.01")) == Decimal("13.32")


def test_the_rate_is_declared_when_the_objective_or_the_value_is_not_numeric():
    # A qualitative objective: the piloting administration declares its rate.
    assert selectors.rate_of(objective(None), value(value=75, declared_rate=100)).kind == RateKind.DECLARED
    # A numeric objective without a value this period: the declared rate is shown.
    rate = selectors.rate_of(objective(1250), value(declared_rate="50"))
    assert (rate.kind, rate.rate, rate.text) == (RateKind.DECLARED, Decimal(50), "50%")
    # A value wins over a declared rate when both are numeric.
    assert selectors.rate_of(objective(100), value(value=40, declared_rate=90)).rate == Decimal(40)


def test_a_mention_replaces_the_rate_and_an_empty_cell_stays_empty():
    rate = selectors.rate_of(objective(25000), value(rate_note="not_started_f"))
    assert (rate.kind, rate.rate, rate.text) == (RateKind.NOTE, None, "Non démarrée")
    assert selectors.rate_of(objective(1), value(rate_note="not_available")).text == "Données non disponibles"
    assert selectors.rate_of(objective(1), None).text == ""


def test_a_dashboard_shows_the_latest_value_up_to_its_period():
    values = [value("2023", value=1), value("2024", value=2), value("2025-S1", value=3), value("2025", value=4)]
    assert selectors.value_at(values, "2024").value == 2
    assert selectors.value_at(values, "2024-S2").value == 2
    assert selectors.value_at(values, "2025-S1").value == 3
    assert selectors.value_at(values, "2025").value == 4
    assert selectors.value_at(values, "2022") is None
    assert selectors.value_at(values, None).value == 4


def test_periods_are_years_or_half_years():
    assert periods.normalise(" 2025-s1 ") == "2025-S1"
    assert periods.end_date("2025-S1") == date(2025, 6, 30) and periods.end_date("2025") == date(2025, 12, 31)
    assert sorted(["2025", "2024", "2025-S2", "2025-S1"], key=periods.sort_key) == [
        "2024",
        "2025-S1",
        "2025-S2",
        "2025",
    ]
    assert periods.label("2025-S2") == "2d semestre 2025"
    for wrong in ("2025-S3", "25", "2025/1", ""):
        with pytest.raises(ValidationError):
            periods.parse(wrong)


def test_the_projection_flags_an_objective_that_would_miss_its_target():
    # Premières heures en chantier: 962 at the end of 2023, 1 000 at the end of 2024, 1 944 aimed for 2027.
    slow = selectors.trajectory(objective(1944), [value("2023", value=962), value("2024", value=1000)])
    assert slow.off_track is True
    assert Decimal(1110) < slow.projected < Decimal(1120)
    assert slow.projection[0][0] == date(2023, 12, 31) and slow.projection[-1][0] == date(2027, 12, 31)
    # TAPAJ: 1 600 then 2 000, 2 000 aimed for: on track.
    fast = selectors.trajectory(objective(2000), [value("2023", value=1600), value("2024", value=2000)])
    assert fast.off_track is False and fast.projected > 3000


def test_the_baseline_counts_as_a_point_and_one_point_alone_projects_nothing():
    alone = selectors.trajectory(objective(1650), [value("2024", value=600)])
    assert alone.off_track is None and alone.projected is None
    with_baseline = selectors.trajectory(
        objective(1650, baseline=Decimal(150), baseline_year=2023), [value("2024", value=600)]
    )
    assert [p[1] for p in with_baseline.points] == [Decimal(150), Decimal(600)]
    assert with_baseline.off_track is False  # +450 a year reaches 1 650 by 2027
    qualitative = selectors.trajectory(objective(None), [value("2023", value=1), value("2024", value=2)])
    assert qualitative.off_track is None


def test_a_decreasing_objective_is_off_track_when_its_projection_stays_above_the_target():
    lowering = objective(100, baseline=Decimal(1000), baseline_year=2023)
    assert selectors.trajectory(lowering, [value("2024", value=950)]).off_track is True
    assert selectors.trajectory(lowering, [value("2024", value=500)]).off_track is False


def test_a_projection_at_a_committee_period_ignores_later_values():
    values = [value("2023", value=962), value("2024", value=1000), value("2025-S1", value=1800)]
    assert selectors.trajectory(objective(1944), values, period="2024").off_track is True
    assert selectors.trajectory(objective(1944), values).off_track is False


def test_a_value_is_a_number_a_declared_rate_or_a_mention_never_both():
    with pytest.raises(ValidationError):
        value(value=1, rate_note="not_started").clean()
    with pytest.raises(ValidationError):
        value().clean()
    form = ValueForm({"period": "2025-s1", "value": "12 500,5", "rate_note": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["period"] == "2025-S1" and form.cleaned_data["value"] == Decimal("12500.5")
    form = ValueForm({"period": "2025-S3", "declared_rate": "abc", "rate_note": "not_started"})
    assert not form.is_valid()
    assert "Période « 2025-S3 » invalide" in str(form.errors["period"])
    assert "Saisissez un nombre" in str(form.errors["declared_rate"])
    form = ValueForm({"period": "2025", "value": "", "declared_rate": "", "rate_note": ""})
    assert not form.is_valid() and "Renseignez une valeur" in str(form.non_field_errors())


def test_the_mentions_offered_have_one_label_per_notion():
    labels = [label for code, label in ValueForm().fields["rate_note"].choices if code]
    assert len(labels) == len(set(labels))
    assert "Non démarré" in labels and "Non démarrée" not in labels
    form = ValueForm({"period": "2025", "rate_note": "not_started_f"})  # kept for the 2024 figures, not offered
    assert not form.is_valid() and "Sélectionnez un choix valide" in str(form.errors["rate_note"])

"""Reads of the measures: the dashboard (live or frozen), rates, trajectories, committee comparisons, history.

The dashboard is a list of plain dicts, JSON-ready (numbers as strings), so that the same structure
is shown on screen, printed, exported, frozen when a committee closes and compared between sessions.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone

from pilotactions.accounts.models import Organisation
from pilotactions.core import formats
from pilotactions.core.history import history_entries
from pilotactions.nomenclatures.models import Option

from . import periods
from .enums import AXIS_LIST, PROGRAMME_LIST, STATUS_LIST, CommitteeState, RateKind, RateNote, StatusChangeState
from .models import (
    Committee,
    Indicator,
    IndicatorValue,
    Measure,
    Objective,
    ObjectiveValue,
    ProgrammeBudget,
    StatusChange,
)

RATE_PLACES = Decimal("0.0001")
MILLION = Decimal(1_000_000)


def decimal_text(value) -> str | None:
    """A Decimal as plain text without trailing zeros (`Decimal("100.00")` → "100"); None stays None."""
    if value is None:
        return None
    number = Decimal(value)
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def percent_text(rate: Decimal) -> str:
    """The rate as the report's rate column prints it: a whole percentage, `13%`, `131%`."""
    return f"{rate.quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


def percent_display(rate: "Rate") -> str:
    """The same, the French way on screen and in print (`13 %`), or the mention."""
    return rate.text.replace("%", f"{formats.NNBSP}%") if rate.rate is not None else rate.text


# --- Rates ------------------------------------------------------------------------------------------


@dataclass
class Rate:
    rate: Decimal | None  # 0-100 (or more), unrounded
    kind: str  # RateKind
    text: str  # as the rate column prints it: "13%", "Données non disponibles", "" when nothing is known
    value: Decimal | None
    period: str | None  # the period of the value the rate comes from


def value_at(values: list[ObjectiveValue], period: str | None) -> ObjectiveValue | None:
    """The latest value up to `period` (all of them when None): a dashboard shows what is known."""
    eligible = [v for v in values if period is None or periods.is_before_or_at(v.period, period)]
    exact = [v for v in eligible if v.period == period]
    return exact[0] if exact else max(eligible, key=lambda v: periods.sort_key(v.period), default=None)


def rate_of(objective: Objective, value: ObjectiveValue | None) -> Rate:
    """Value ÷ target when both are numeric (131 % is possible); the declared rate otherwise; or the mention."""
    if value is None:
        return Rate(None, RateKind.NONE, "", None, None)
    if value.value is not None and objective.is_numeric:
        rate = value.value * 100 / objective.target
        return Rate(rate, RateKind.COMPUTED, percent_text(rate), value.value, value.period)
    if value.declared_rate is not None:
        return Rate(
            value.declared_rate, RateKind.DECLARED, percent_text(value.declared_rate), value.value, value.period
        )
    if value.rate_note:
        return Rate(None, RateKind.NOTE, RateNote(value.rate_note).label, value.value, value.period)
    return Rate(None, RateKind.NONE, "", value.value, value.period)


# --- Trajectories -------------------------------------------------------------------------------------


@dataclass
class Trajectory:
    points: list[tuple[date, Decimal, str]]  # (date, value, label of the period or "valeur de départ")
    target: Decimal | None
    target_date: date
    projected: Decimal | None  # the linear projection at the target date
    projection: list[tuple[date, Decimal]]  # the dashed segment, from the first point to the target date
    off_track: bool | None  # None when there is nothing to project (fewer than two dates, no numeric target)


def _fit(points: list[tuple[date, Decimal]]) -> tuple[float, float, date]:
    """Least squares line value = a + b × days since the first point."""
    origin = points[0][0]
    xs = [(d - origin).days for d, _ in points]
    ys = [float(v) for _, v in points]
    count = len(points)
    mean_x, mean_y = sum(xs) / count, sum(ys) / count
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return mean_y - slope * mean_x, slope, origin


def trajectory(objective: Objective, values: list[ObjectiveValue], period: str | None = None) -> Trajectory:
    """The objective's numeric values over time (and its baseline), its target, and the linear projection
    to the target year: the objective is off track when the projection misses the target."""
    points: list[tuple[date, Decimal, str]] = []
    if objective.baseline is not None and objective.baseline_year:
        points.append((date(objective.baseline_year, 12, 31), objective.baseline, "valeur de départ"))
    for value in sorted(values, key=lambda v: periods.sort_key(v.period)):
        if value.value is not None and (period is None or periods.is_before_or_at(value.period, period)):
            points.append((periods.end_date(value.period), value.value, periods.label(value.period)))
    points.sort(key=lambda p: p[0])
    target_date = date(objective.target_year, 12, 31)
    result = Trajectory(points, objective.target, target_date, None, [], None)
    if not objective.is_numeric or len({d for d, _, _ in points}) < 2:
        return result
    a, b, origin = _fit([(d, v) for d, v, _ in points])

    def at(day: date) -> Decimal:
        return Decimal(str(round(a + b * (day - origin).days, 2)))

    result.projected = at(target_date)
    result.projection = [(points[0][0], at(points[0][0])), (target_date, result.projected)]
    rising = objective.target >= points[0][1]
    result.off_track = result.projected < objective.target if rising else result.projected > objective.target
    return result


# --- The dashboard --------------------------------------------------------------------------------------


def measures_for_dashboard():
    """Measures with everything the dashboard reads, in a fixed number of queries."""
    return (
        Measure.objects.select_related("axis", "status")
        .prefetch_related(
            Prefetch("pilots", queryset=Organisation.objects.order_by("acronym")),
            Prefetch(
                "objectives",
                queryset=Objective.objects.select_related("status")
                .prefetch_related(
                    Prefetch("values", queryset=ObjectiveValue.objects.select_related("entered_by").order_by("period"))
                )
                .order_by("order"),
            ),
        )
        .order_by("axis__order", "number")
    )


def available_periods() -> list[str]:
    found = set(ObjectiveValue.objects.values_list("period", flat=True).distinct())
    found |= set(Committee.objects.values_list("period", flat=True).distinct())
    return sorted(found, key=periods.sort_key)


def last_closed_committee() -> Committee | None:
    """The latest session closed: its period is the one the delegation last validated."""
    return Committee.objects.filter(state=CommitteeState.CLOSED).order_by("-date", "-id").first()


def last_half_year_over(today: date | None = None) -> str:
    today = today or timezone.localdate()
    return f"{today.year}-S1" if today.month > 6 else f"{today.year - 1}-S2"


@dataclass
class ShownPeriod:
    period: str
    label: str
    reason: str  # why this period: « dernier comité clos », « période choisie »…
    explicit: bool  # asked for in the request
    error: str = ""  # a French message when the period asked for was not valid


def default_shown_period() -> ShownPeriod:
    """What a dashboard shows when no period is asked for: the period of the last closed committee (the
    last one the delegation validated), never the latest period someone entered a value for; without a
    closed committee, the last half-year over."""
    committee = last_closed_committee()
    if committee is not None:
        reason = f"dernier comité clos, séance du {committee.date:%d/%m/%Y}"
        return ShownPeriod(committee.period, periods.label(committee.period), reason, explicit=False)
    period = last_half_year_over()
    return ShownPeriod(period, periods.label(period), "dernier semestre écoulé, aucun comité n’est clos", False)


def default_period() -> str:
    return default_shown_period().period


def shown_period(requested: str | None) -> ShownPeriod:
    """The period asked for (`?period=`) when it is one of the dashboard's, the default one otherwise (with
    a French message when the request named an unknown or malformed period)."""
    requested = (requested or "").strip()
    if not requested:
        return default_shown_period()
    default = default_shown_period()
    try:
        period = periods.normalise(requested)
    except ValidationError:
        period = None
    if period is None or period not in {*available_periods(), default.period}:
        default.error = (
            f"La période « {requested[:20]} » n’est pas proposée par le tableau de bord : "
            f"la période par défaut ({default.label}, {default.reason}) est affichée."
        )
        return default
    if period == default.period:
        return default
    return ShownPeriod(period, periods.label(period), "période choisie", explicit=True)


def measure_row(measure: Measure, period: str | None) -> dict:
    """One measure of the dashboard, as plain JSON-ready data."""
    objectives = []
    own_statuses = False
    for objective in measure.objectives.all():
        values = list(objective.values.all())
        rate = rate_of(objective, value_at(values, period))
        path = trajectory(objective, values, period)
        status = objective.status or measure.status
        own_statuses = own_statuses or objective.status_id is not None
        objectives.append(
            {
                "id": objective.pk,
                "key": f"{measure.number}.{objective.order}",
                "order": objective.order,
                "wording": objective.wording,
                "target": decimal_text(objective.target),
                "unit": objective.unit,
                "rate": decimal_text(rate.rate.quantize(RATE_PLACES)) if rate.rate is not None else None,
                "rate_kind": str(rate.kind),
                "rate_text": rate.text,
                "rate_display": percent_display(rate),
                "value": decimal_text(rate.value),
                "value_period": rate.period,
                "status": status.code if status else "",
                "status_label": status.label if status else "",
                "own_status": objective.status_id is not None,
                "projected": decimal_text(path.projected),
                "off_track": path.off_track,
            }
        )
    if own_statuses:
        printed = list(dict.fromkeys(o["status_label"] for o in objectives if o["status_label"]))
    else:
        printed = [measure.status.label] if measure.status else []
    return {
        "number": measure.number,
        "key": str(measure.number),
        "title": measure.title,
        "axis": measure.axis.code,
        "axis_label": measure.axis.short_label or measure.axis.label,
        "pilots": [o.acronym or o.name for o in measure.pilots.all()],
        "status": measure.status.code if measure.status else "",
        "status_label": measure.status.label if measure.status else "",
        "statuses_printed": printed,
        "per_objective_status": own_statuses,
        "objectives": objectives,
    }


def dashboard(period: str | None = None) -> dict:
    """The live dashboard at a period (default: the last closed committee's, see `default_shown_period`)."""
    period = period or default_period()
    return {"period": period, "rows": [measure_row(m, period) for m in measures_for_dashboard()]}


def committee_dashboard(committee: Committee) -> dict:
    """A closed session's frozen dashboard; the live one, at the session's period, before it closes."""
    if committee.state == CommitteeState.CLOSED and committee.frozen_dashboard is not None:
        return committee.frozen_dashboard
    return dashboard(committee.period)


def filter_rows(rows: list[dict], *, axis: str = "", status: str = "", organisation: str = "") -> list[dict]:
    """Rows of one axis, one status (of the measure or of one of its objectives), one piloting administration."""
    kept = []
    for row in rows:
        if axis and row["axis"] != axis:
            continue
        if status and row["status"] != status and not any(o["status"] == status for o in row["objectives"]):
            continue
        if organisation and organisation not in row["pilots"]:
            continue
        kept.append(row)
    return kept


def group_by_axis(rows: list[dict]) -> list[dict]:
    groups: list[dict] = []
    for row in rows:
        if not groups or groups[-1]["axis"] != row["axis"]:
            groups.append({"axis": row["axis"], "label": row["axis_label"], "rows": []})
        groups[-1]["rows"].append(row)
    return groups


def status_counts(rows: list[dict]) -> list[tuple[str, str, int]]:
    """(code, label, number of measures) for every status of the list, in its order."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return [(o.code, o.label, counts.get(o.code, 0)) for o in Option.objects.of_list(STATUS_LIST).order_by("order")]


def status_options():
    return Option.objects.of_list(STATUS_LIST).order_by("order")


def axis_options():
    return Option.objects.of_list(AXIS_LIST).filter(pk__in=Measure.objects.values("axis")).order_by("order")


def pilot_organisations():
    return Organisation.objects.filter(piloted_measures__isnull=False).distinct().order_by("acronym")


def pending_changes():
    return (
        StatusChange.objects.filter(state=StatusChangeState.PROPOSED)
        .select_related("measure", "objective__measure", "status", "proposed_by", "proposed_by_organisation")
        .order_by("measure__number", "proposed_at")
    )


def pending_by_measure() -> dict[int, list[StatusChange]]:
    found: dict[int, list[StatusChange]] = {}
    for change in pending_changes():
        found.setdefault(change.measure.number, []).append(change)
    return found


# --- Budget ---------------------------------------------------------------------------------------------


def budget_table() -> dict:
    """Lines by programme (LFI, then LFSS) and year, and the totals as the report prints them (LFI only)."""
    amounts = {(b.programme_id, b.year): b.amount for b in ProgrammeBudget.objects.all()}
    years = sorted({year for _, year in amounts})
    programmes = list(Option.objects.of_list(PROGRAMME_LIST).filter(pk__in={p for p, _ in amounts}).order_by("order"))
    groups = []
    for vehicle, label in (("LFI", "Loi de finance initiale"), ("LFSS", "Loi de finance de la sécurité sociale")):
        lines = [
            {
                "code": p.code,
                "label": p.label,
                "amounts": [amounts.get((p.pk, year)) for year in years],
            }
            for p in programmes
            if (p.group or "LFI") == vehicle
        ]
        if lines:
            groups.append({"vehicle": vehicle, "label": label, "lines": lines})
    lfi = next((g for g in groups if g["vehicle"] == "LFI"), {"lines": []})
    totals = [sum((line["amounts"][i] or Decimal(0) for line in lfi["lines"]), Decimal(0)) for i in range(len(years))]
    return {"years": years, "groups": groups, "totals": totals}


def million_euros(amount) -> str:
    """266 740 000 € → « 266,74 M€ », as the report's budget table prints amounts."""
    if amount is None:
        return ""
    millions = Decimal(amount) / MILLION
    places = 0 if millions == millions.to_integral_value() else 2
    text = formats.number(millions, places)
    if places:
        text = text.rstrip("0").rstrip(",")
    return f"{text}{formats.NNBSP}M€"


# --- Committees -----------------------------------------------------------------------------------------


def request_rows(committee: Committee, now=None) -> list[dict]:
    now = now or timezone.now()
    measures_by_org: dict[int, list[Measure]] = {}
    for measure in Measure.objects.prefetch_related("pilots").order_by("number"):
        for organisation in measure.pilots.all():
            measures_by_org.setdefault(organisation.pk, []).append(measure)
    rows = []
    for request in committee.requests.select_related("organisation", "completed_by").prefetch_related("reminders"):
        rows.append(
            {
                "request": request,
                "measures": measures_by_org.get(request.organisation_id, []),
                "late": request.is_late(now),
                "reminders": list(request.reminders.all()),
            }
        )
    return rows


def compare(before: Committee, after: Committee, now=None) -> dict:
    """What moved between two sessions (statuses and rates), and what is late for the later one: the
    administrations that had not transmitted their update by the deadline, and the objectives whose
    latest value predates the later session's period."""
    a, b = committee_dashboard(before), committee_dashboard(after)
    rows_a = {row["number"]: row for row in a["rows"]}
    rows_b = {row["number"]: row for row in b["rows"]}
    moved = []
    for number in sorted(set(rows_a) | set(rows_b)):
        row_a, row_b = rows_a.get(number), rows_b.get(number)
        row = row_b or row_a
        if row_a is None or row_b is None:
            moved.append(
                {
                    "number": number,
                    "title": row["title"],
                    "objective": "",
                    "what": "mesure ajoutée" if row_a is None else "mesure retirée",
                    "before": "",
                    "after": "",
                }
            )
            continue
        if row_a["status"] != row_b["status"]:
            moved.append(
                {
                    "number": number,
                    "title": row_b["title"],
                    "objective": "",
                    "what": "statut de la mesure",
                    "before": row_a["status_label"],
                    "after": row_b["status_label"],
                }
            )
        objectives_a = {o["id"]: o for o in row_a["objectives"]}
        for objective in row_b["objectives"]:
            previous = objectives_a.get(objective["id"])
            if previous is None:
                moved.append(
                    {
                        "number": number,
                        "title": row_b["title"],
                        "objective": objective["wording"],
                        "what": "objectif ajouté",
                        "before": "",
                        "after": objective.get("rate_display", objective["rate_text"]),
                    }
                )
                continue
            if previous["rate_text"] != objective["rate_text"] or previous["rate"] != objective["rate"]:
                delta = None
                if previous["rate"] is not None and objective["rate"] is not None:
                    delta = decimal_text(Decimal(objective["rate"]) - Decimal(previous["rate"]))
                moved.append(
                    {
                        "number": number,
                        "title": row_b["title"],
                        "objective": objective["wording"],
                        "what": "taux de réalisation",
                        "before": previous.get("rate_display", previous["rate_text"]) or "—",
                        "after": objective.get("rate_display", objective["rate_text"]) or "—",
                        "delta": delta,
                    }
                )
            if objective["own_status"] and previous["status"] != objective["status"]:
                moved.append(
                    {
                        "number": number,
                        "title": row_b["title"],
                        "objective": objective["wording"],
                        "what": "statut de l’objectif",
                        "before": previous["status_label"],
                        "after": objective["status_label"],
                    }
                )
    late_requests = [row for row in request_rows(after, now) if row["late"]]
    not_updated = []
    if b["period"]:
        for row in b["rows"]:
            stale = [
                o
                for o in row["objectives"]
                if o["value_period"] is None or periods.sort_key(o["value_period"]) < periods.sort_key(b["period"])
            ]
            if stale and row["status"] != "ST_MESURE_ABANDONNEE":
                not_updated.append({"row": row, "objectives": stale})
    return {
        "before": before,
        "after": after,
        "moved": moved,
        "late_requests": late_requests,
        "not_updated": not_updated,
    }


# --- History ----------------------------------------------------------------------------------------------

HIDDEN_FIELDS = {"measure", "objective", "entered_by", "order", "frozen_dashboard", "withdrawn_at", "withdrawn_by"}


class _Labels:
    """Names of the options, organisations and users that history records point to, read once."""

    def __init__(self):
        self.options = dict(Option.objects.values_list("pk", "label"))
        self.organisations = {o.pk: o.acronym or o.name for o in Organisation.objects.filter(kind="central_admin")}

    def show(self, field, value) -> str:
        if value in (None, ""):
            return ""
        if isinstance(value, list):  # many-to-many rows, as simple-history diffs them
            target = "organisation" if field.name == "pilots" else "option"
            names = self.organisations if field.name == "pilots" else self.options
            return ", ".join(sorted(str(names.get(row.get(target), row.get(target))) for row in value))
        if field.is_relation:
            model = field.related_model._meta.model_name
            if model == "option":
                return self.options.get(value, str(value))
            if model == "organisation":
                return self.organisations.get(value, str(value))
            return str(value)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, Decimal):
            return formats.number(value, 0 if value == value.to_integral_value() else 2)
        return str(value)


def _entries(records, label_of, labels: _Labels) -> list[dict]:
    return history_entries(records, label_of, show=labels.show, hidden=HIDDEN_FIELDS)


def measure_history(measure: Measure) -> list[dict]:
    """Every change of the measure, its objectives and their values: who, when, which field, from what to what."""
    labels = _Labels()
    objective_ids = list(Objective.history.filter(measure_id=measure.pk).values_list("id", flat=True).distinct())
    orders = dict(Objective.history.filter(id__in=objective_ids).values_list("id", "order"))
    entries = _entries(measure.history.all(), lambda r: "Mesure", labels)
    entries += _entries(
        Objective.history.filter(id__in=objective_ids),
        lambda r: f"Objectif {measure.number}.{r.order}",
        labels,
    )
    entries += _entries(
        ObjectiveValue.history.filter(objective_id__in=objective_ids),
        lambda r: (
            f"Valeur {periods.label(r.period)} de l’objectif {measure.number}.{orders.get(r.objective_id, '')}"
            + (" (retirée)" if r.withdrawn_at else "")
        ),
        labels,
    )
    return sorted(entries, key=lambda e: e["date"], reverse=True)


# --- Indicators -------------------------------------------------------------------------------------------


def indicator_value_text(value, unit: str) -> str:
    """« 222 projets », « 62 % », « 18,2 millions de repas », « 4,4 M€ », « 700 000 € »: French formats."""
    number = Decimal(value)
    places = next(p for p in (0, 1, 2) if number * 10**p == (number * 10**p).to_integral_value())
    if unit.strip() == "%":
        return formats.percent(number, places)
    if unit.strip() == "€":
        return formats.euros(number)
    return f"{formats.number(number, places)}\u00a0{unit}" if unit else formats.number(number, places)


def measure_indicators(measure: Measure, *, with_withdrawn: bool = False) -> list[dict]:
    """The measure page's indicators: each with its values by period (oldest first), withdrawn ones included
    when asked (struck through on the page)."""
    manager = IndicatorValue.all_objects if with_withdrawn else IndicatorValue.objects
    values = manager.filter(indicator__measure=measure).select_related("entered_by", "validated_by", "withdrawn_by")
    by_indicator: dict[int, list[IndicatorValue]] = {}
    for value in values:
        by_indicator.setdefault(value.indicator_id, []).append(value)
    return [
        {
            "indicator": indicator,
            "values": sorted(by_indicator.get(indicator.pk, []), key=lambda v: periods.sort_key(v.period)),
        }
        for indicator in measure.indicators.all()
    ]


def published_indicators() -> list[dict]:
    """Every indicator with a validated value, in the measures' order: its latest validated value (the one the
    bilan prints), and all its validated values by period."""
    indicators = Indicator.objects.select_related("measure__axis").prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.validated(), to_attr="validated_values")
    )
    out = []
    for indicator in indicators:
        values = sorted(indicator.validated_values, key=lambda v: periods.sort_key(v.period))
        if not values:
            continue
        latest = values[-1]
        out.append(
            {
                "indicator": indicator,
                "latest": latest,
                "periods": {v.period: v.value for v in values},
            }
        )
    return out

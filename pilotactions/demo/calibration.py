"""The calibration report: each published figure the demo targets, the demo's value, the gap, the tolerance.

The targets are `data/calibration_targets.json` (derived by `scripts/derive_calibration_targets.py` from
`shared/reference/published-figures.json`, which a deployed instance does not have). Every value is read
from the bilan registry (`reports.bilan.bilan_build`), nationally or for one région or one authority, except
the three the registry does not compute (contracts by status, the communes carrying Nantes Métropole's
actions, the young adults leaving the ASE), read from the contracts. Chapter I's indicators of the national
measures are read in `measures.indicators` (one target per indicator, per year for a series). Chapter III's
(`III.*`) are read as the bilan reads them from the year's survey campaign (kind `enquete`): a measure whose
scope has `"survey_campaign": true` is built with `Scope(survey_campaign_id=…)`, the validated snapshots; the
amounts of the pacts the report illustrates are read in those snapshots (`op: pact`).
"""

import json
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

from pilotactions.core.formats import euros, number

TARGETS_FILE = Path(__file__).resolve().parent / "data" / "calibration_targets.json"
SHARE_OPS = {"share_of_rows", "ratio", "share_rows", "spread", "difference", "youth_with_ase"}
KEY_OPS = {"rank", "keys_where", "max_key", "min_key", "scoped_mean_keys"}
COUNT_OPS = {"base", "contracts", "nantes_communes"}
OFF_REGISTRY_OPS = {"contracts", "nantes_communes", "youth_with_ase"}


def load_targets(path: Path = TARGETS_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class Line:
    id: str
    label: str
    published: str
    demo: str
    gap: str
    tolerance: str
    ok: bool
    decision: str
    source: str  # "registre" or "contrats"


class Reader:
    """Values of the bilan registry, national or scoped, each scope computed once."""

    def __init__(self, year: int, figure_ids: set[str]):
        self.year = year
        self.figure_ids = figure_ids
        self.cache: dict[tuple, dict] = {}

    def survey_campaign_id(self) -> int | None:
        """The year's survey campaign (the latest if several): chapter III is read from its snapshots."""
        from pilotactions.campaigns.enums import CampaignKind
        from pilotactions.campaigns.models import Campaign

        if "survey_campaign" not in self.cache:
            campaigns = Campaign.objects.filter(kind=CampaignKind.ENQUETE, year=self.year).order_by("-pk")
            self.cache["survey_campaign"] = campaigns.values_list("pk", flat=True).first()
        return self.cache["survey_campaign"]

    def pact_record(self, reference: str) -> dict:
        """A pact as the survey campaign's validated snapshots hold it."""
        from pilotactions.reports.pacts_data import campaign_records

        if "pact_records" not in self.cache:
            records = campaign_records(self.survey_campaign_id()) if self.survey_campaign_id() else []
            self.cache["pact_records"] = {record["reference"]: record for record in records}
        return self.cache["pact_records"][reference]

    def figures(self, **scope) -> dict:
        from pilotactions.reports.aggregates import Scope
        from pilotactions.reports.bilan import bilan_build

        if scope.pop("survey_campaign", False):
            scope["survey_campaign_id"] = self.survey_campaign_id()
            if scope["survey_campaign_id"] is None:
                raise KeyError("survey_campaign")
        key = tuple(sorted(scope.items()))
        if key not in self.cache:
            payload = bilan_build(Scope(year=self.year, **scope), figure_ids=self.figure_ids)
            self.cache[key] = {f["id"]: f for f in payload["figures"]}
        return self.cache[key]

    def figure_labels(self, figure: str) -> dict:
        return {row["key"]: row["label"] for row in self.figures()[figure]["rows"]}

    def rows(self, figure: str, type_: str = "ALL", **scope) -> dict:
        return {row["key"]: row["values"].get(type_) for row in self.figures(**scope)[figure]["rows"]}

    def region_mean(self, region: str) -> tuple[Decimal, int]:
        figure = self.figures(region=region)["cls.budget.total"]
        total = next(r["values"]["ALL"] for r in figure["rows"] if r["key"] == "total")
        return Decimal(total), figure["base"]["ALL"] or 0


def _matches(value, measure) -> bool:
    if value is None:
        return False
    if "gt" in measure and not value > Decimal(str(measure["gt"])):
        return False
    if "lt" in measure and not value < Decimal(str(measure["lt"])):
        return False
    return "eq" not in measure or value == Decimal(str(measure["eq"]))


def measure_value(reader: Reader, measure: dict):
    """The demo's value for one target (a number, a list of keys or a boolean)."""
    op = measure["op"]
    type_ = measure.get("type", "ALL")
    scope = measure.get("scope", {})
    if op in OFF_REGISTRY_OPS:
        return off_registry_value(reader.year, measure)
    if op == "value":
        return reader.rows(measure["figure"], type_, **scope)[measure["row"]]
    if op == "indicator_period":  # one year of a measure's indicator (chapter I)
        rows = reader.figures(**scope)[measure["figure"]]["rows"]
        return next(r for r in rows if r["key"] == measure["row"])["periods"].get(measure["period"])
    if op == "base":
        return reader.figures(**scope)[measure["figure"]]["base"][type_]
    if op == "pact":  # an amount of one pact in the survey's snapshots: its budget, or its co-financings' sum
        record = reader.pact_record(measure["reference"])
        if measure["field"] == "cofinancings":
            return sum((Decimal(c["amount"]) for c in record["cofinancings"]), Decimal(0))
        return Decimal(record[measure["field"]])
    if op == "count":  # a share of a figure as a count
        figure = reader.figures(**scope)[measure["figure"]]
        share = next(r for r in figure["rows"] if r["key"] == measure["row"])["values"][type_]
        base = figure["base"][type_]
        count = (Decimal(str(share)) * base / 100).quantize(Decimal("1"))
        if "percent_of" in measure:
            other = reader.rows(measure["percent_of"]["figure"], type_, **scope)[measure["percent_of"]["row"]]
            return count * 100 / Decimal(str(other)) if other else None
        return count
    if op in ("scoped_mean", "scoped_mean_keys", "min_key") and "regions" in measure:
        means = {}
        for region in measure["regions"]:
            means[region] = reader.region_mean(region)
        if op == "scoped_mean":
            total = sum(t for t, _n in means.values())
            count = sum(n for _t, n in means.values())
            return total / count if count else None
        averages = {r: t / n for r, (t, n) in means.items() if n}
        if op == "min_key":
            return min(averages, key=lambda r: (averages[r], r))
        return sorted(r for r, v in averages.items() if _matches(v, measure))
    rows = reader.rows(measure["figure"], type_, **scope)
    if op == "sum":
        keys = measure.get("rows") or list(rows)
        total = sum((rows[k] or Decimal(0) for k in keys), Decimal(0))
        if "percent_of" in measure:
            other = reader.rows(measure["percent_of"]["figure"], type_, **scope)[measure["percent_of"]["row"]]
            return total * 100 / other if other else None
        return total
    if op == "share_of_rows":
        within = measure.get("within") or list(rows)
        whole = sum((rows[k] or Decimal(0) for k in within), Decimal(0))
        part = sum((rows[k] or Decimal(0) for k in measure["rows"]), Decimal(0))
        return part * 100 / whole if whole else None
    if op == "ratio":
        all_rows = reader.figures(**scope)[measure["figure"]]["rows"]
        values = next(r["values"] for r in all_rows if r["key"] == measure["row"])
        return Decimal(values[measure["numerator"]]) * 100 / Decimal(values[measure["denominator"]])
    if op == "spread":
        values = [rows[k] for k in measure["rows"]]
        return max(values) - min(values)
    if op == "difference":
        first, second = (reader.rows(measure["figure"], t, **scope)[measure["row"]] for t in measure["types"])
        return first - second
    if op == "rank":  # the keys with the largest values first, or the smallest with `ascending`
        keys = [k for k in (measure.get("among") or rows) if rows.get(k) is not None]
        sign = 1 if measure.get("ascending") else -1
        ranked = sorted(keys, key=lambda k: (sign * rows[k], k))
        return ranked[: measure.get("n", len(ranked))]
    if op == "keys_where":
        return sorted(k for k, v in rows.items() if _matches(v, measure))
    if op == "share_rows":
        filled = [v for v in rows.values() if v is not None]
        return Decimal(sum(1 for v in filled if _matches(v, measure))) * 100 / len(filled) if filled else None
    if op == "max_key":
        keys = [k for k in (measure.get("among") or rows) if rows.get(k) is not None]
        return max(keys, key=lambda k: (rows[k], k))
    if op == "increasing":
        values = [rows.get(k) or Decimal(0) for k in measure["rows"]]
        return all(a < b for a, b in pairwise(values))
    raise ValueError(f"Mesure inconnue : {op}")


def off_registry_value(year: int, measure: dict):
    """The figures the bilan registry does not compute, read from the contracts."""
    from pilotactions.contracts.export import actions_for_year
    from pilotactions.contracts.models import Action
    from pilotactions.contracts.selectors import communes_carrying, contract_counts

    op = measure["op"]
    if op == "contracts":  # the report's sentence reads the same counts (reports.report.contracts_sentence)
        counts = contract_counts("CLS")
        return sum(
            n
            for key, n in counts.items()
            if key[0] == measure.get("type", key[0])
            and key[1] == measure.get("status", key[1])
            and (len(key) == 3) == bool(measure.get("epci"))
        )
    if op == "nantes_communes":
        return communes_carrying(measure["authority"], year)
    if op == "youth_with_ase":
        actions = actions_for_year(year, Action.objects.filter(contract__contract_type__family="CLS"))
        young = actions.filter(target_publics__code="AGE_JEUNE_18_30")
        with_ase = young.filter(target_publics__code="PUB_JEUNES_MAJEURS_ASE")
        count = young.distinct().count()
        return Decimal(with_ase.distinct().count()) * 100 / count if count else None
    raise ValueError(f"Mesure inconnue : {op}")


# --- Checks and display -------------------------------------------------------------------------------


def value_kind(entry: dict, reader: Reader) -> str:
    measure = entry["measure"]
    op = measure["op"]
    if op in KEY_OPS:
        return "keys"
    if op == "increasing":
        return "bool"
    if op in ("spread", "difference"):
        return "pt"
    if op in SHARE_OPS or "percent_of" in measure or entry.get("unit", "").startswith("%"):
        return "%"
    if op in COUNT_OPS or op == "count":
        return "count"
    if op in ("scoped_mean", "pact"):
        return "€"
    if entry.get("unit", "").startswith("€"):
        return "€"
    if measure.get("figure", "").startswith("pl.") and entry.get("unit") and entry["unit"][0].isalpha():
        return "count"  # a count of a chapter III table (« actions », « pactes », « personnes »)
    unit = reader.figures(**measure.get("scope", {}))[measure["figure"]]["unit"]
    return "€" if unit == "€" else "%" if unit == "%" else "count"


def show(value, kind: str, labels: dict | None = None) -> str:
    if value is None:
        return "—"
    if kind == "keys":
        keys = value if isinstance(value, list) else [value]
        return ", ".join(short_label(k, labels or {}) for k in keys)
    if kind == "bool":
        return "ordre respecté" if value else "ordre non respecté"
    if isinstance(value, str):
        return value
    if kind == "€":
        return euros(value, 2)
    if kind == "%":
        return f"{number(value, 2)} %"
    if kind == "pt":
        return f"{number(value, 2)} pt"
    return number(value, 2 if Decimal(str(value)) % 1 else 0)


def short_label(key: str, labels: dict) -> str:
    """« Accès aux droits » for an option code, « Nord (59) » for a territory code."""
    label = (labels.get(key) or "").split(" (")[0]
    if not label:
        return key
    if len(label) > 30:
        label = label[:29] + "…"
    return label if "_" in key else f"{label} ({key})"


def keys_labels(reader: Reader, measure: dict) -> dict:
    from pilotactions.territories.models import Region

    if "figure" in measure:
        return reader.figure_labels(measure["figure"])
    return dict(Region.objects.values_list("code", "name"))


def numeric(value):
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    return None


def check(entry: dict, value, kind: str) -> tuple[bool, str]:
    """Whether the demo's value is within the target's tolerance, and the tolerance in words."""
    rule = entry["check"]
    target = rule.get("target", entry["published"])
    decided = (
        "target" in rule
        and entry["reference"] == "published"
        and numeric(rule["target"]) is not None
        and numeric(rule["target"]) != numeric(entry["published"])
    )
    prefix = "décision : " if decided else ""
    kind_name = rule["kind"]
    if kind_name == "exact":
        if isinstance(target, (int, float)) and not isinstance(target, bool):
            ok = numeric(value) is not None and numeric(value) == Decimal(str(target))
            shown = euros(target, 2) if kind == "€" else number(target)
            return ok, f"{prefix}exacte ({shown})" if decided else "exacte"
        if isinstance(target, bool):
            return value is target, "ordre du graphique"
        return value == target, "exacte"
    if kind_name in ("points", "euros"):
        tolerance = Decimal(str(rule["tolerance"]))
        if numeric(value) is None:
            return False, ""
        ok = abs(numeric(value) - Decimal(str(target))) <= tolerance
        unit = " pt" if kind_name == "points" and kind == "%" else " €" if kind_name == "euros" else ""
        tolerance_text = f"±{number(tolerance, 2 if tolerance % 1 else 0)}{unit}"
        if decided or entry["reference"] == "target":
            target_text = number(Decimal(str(target)), 2)
            return ok, f"{prefix}{target_text} {tolerance_text}"
        return ok, tolerance_text
    if kind_name == "range":
        number_value = numeric(value)
        ok = number_value is not None
        parts = []
        if "min" in rule:
            bound = Decimal(str(rule["min"]))
            ok = ok and (number_value > bound if rule.get("min_open") else number_value >= bound)
            parts.append(("> " if rule.get("min_open") else "≥ ") + show(bound, kind))
        if "max" in rule:
            bound = Decimal(str(rule["max"]))
            ok = ok and (number_value < bound if rule.get("max_open") else number_value <= bound)
            parts.append(("< " if rule.get("max_open") else "≤ ") + show(bound, kind))
        return ok, " et ".join(parts)
    if kind_name == "order":
        return value == target, "ordre exact"
    if kind_name == "set":
        return sorted(value or []) == sorted(target), "ensemble exact"
    raise ValueError(f"Tolérance inconnue : {kind_name}")


def gap(entry: dict, value, kind: str) -> str:
    rule = entry["check"]
    reference = rule.get("target") if entry["reference"] == "target" else entry["published"]
    reference = numeric(reference)
    demo = numeric(value)
    if reference is None or demo is None:
        return "—"
    difference = (demo - reference).quantize(Decimal("0.01"))
    sign = "+" if difference > 0 else "−" if difference < 0 else ""
    magnitude = abs(difference)
    if kind == "€":
        return f"{sign}{euros(magnitude, 2)}"
    if kind in ("%", "pt"):
        return f"{sign}{number(magnitude, 2)} pt"
    return f"{sign}{number(magnitude, 2 if magnitude % 1 else 0)}"


def published_text(entry: dict, kind: str) -> str:
    published = entry["published"]
    if "published_share" in entry:
        return f"{number(Decimal(str(entry['published_share'])), 2)} % ({euros(published)})"
    if isinstance(published, list):
        return ", ".join(published)
    if isinstance(published, str):
        if published[:1] in "<>" and published[1:].isdigit():  # « >1000000 » → « > 1 000 000 »
            return f"{published[0]} {number(published[1:])}" + (" €" if kind == "€" else " %" if kind == "%" else "")
        return published
    unit = entry.get("unit", "")
    if unit == "M€":
        return f"{number(Decimal(str(published)), 2)} M€"
    if kind == "€" or unit in ("€", "€ (environ)"):
        return euros(published, 2 if Decimal(str(published)) % 1 else 0)
    if kind == "%" or unit.startswith("%"):
        return f"{number(Decimal(str(published)), 2 if Decimal(str(published)) % 1 else 0)} %"
    return number(published, 2 if Decimal(str(published)) % 1 else 0)


def calibrate(year: int = 2024, targets: dict | None = None) -> tuple[list[Line], dict]:
    targets = targets or load_targets()
    figure_ids = {"cls.budget.total"} | {
        e["measure"][k]
        for e in targets["figures"]
        for k in ("figure",)
        if k in e["measure"] and e["measure"]["op"] not in OFF_REGISTRY_OPS
    }
    figure_ids |= {e["measure"]["percent_of"]["figure"] for e in targets["figures"] if "percent_of" in e["measure"]}
    reader = Reader(year, figure_ids)
    reader.figures()
    lines = []
    for entry in targets["figures"]:
        try:
            value = measure_value(reader, entry["measure"])
        except (KeyError, TypeError, ValueError, ArithmeticError):  # e.g. a row missing from an empty database
            value = None
        kind = value_kind(entry, reader)
        ok, tolerance = check(entry, value, kind)
        labels = keys_labels(reader, entry["measure"]) if kind == "keys" else None
        lines.append(
            Line(
                id=entry["id"],
                label=entry["label"],
                published=published_text(entry, kind),
                demo=show(value, kind, labels),
                gap=gap(entry, value, kind),
                tolerance=tolerance,
                ok=ok,
                decision=entry["decision"],
                source="contrats" if entry["measure"]["op"] in OFF_REGISTRY_OPS else "registre",
            )
        )
    return lines, targets

"""The counts and sums chapter III is computed from, one tally per région, additive: the nation's is the sum of
the régions'. A tally is built in one pass over the survey records (`pacts.survey.survey_records`, live, or a
validated snapshot's), so that live and validated figures come from the same code.

Live, each région's tally is kept in `RegionPactTally` with the fingerprint of the data it was built from
(count, highest id, latest change and versions of the région's pacts, actions, answers and co-financings, and the
questions asked): a bilan rebuilds only the régions whose data changed since, whatever the write path (screens,
imports, the generator, the admin). `refresh_bilan` rebuilds them after a bulk load.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Sum

from pilotactions.pacts.enums import QuestionKind
from pilotactions.pacts.models import (
    Pact,
    PactAction,
    PactActionCofinancing,
    PactCofinancing,
    SurveyAnswer,
    SurveyQuestion,
)
from pilotactions.pacts.survey import survey_records, surveyed_pacts

from .models import RegionPactTally

TALLY_FORMAT = 2  # bump when the tally's content changes: every stored tally is rebuilt
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.SCALE, QuestionKind.YES_NO)
# The sub-populations a question is asked in (after another answer): name → (level, question, answers).
SUBSETS = {
    "met": ("pact", "forces_vives_meeting", {"OUI"}),
    "difficulties": ("pact", "difficulties_level", {"DIF_OUI_UN_PEU", "DIF_OUI_BEAUCOUP"}),
    "specific_public": ("action", "targets_specific_public", {"OUI"}),
}
ZERO = Decimal(0)


def _blank(value) -> bool:
    return value in (None, "", [])


def _amount(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def cofinanced(action: dict) -> bool | None:
    """Whether an action has financers besides the pact's credits: None when its budget is not declared."""
    if action.get("total_budget") is None:
        return None
    return bool(action.get("cofinancings")) or _amount(action["total_budget"]) > (_amount(action["state_amount"]) or 0)


@dataclass
class PactTally:
    members: Counter = field(default_factory=Counter)  # "level|subset" → records
    answered: Counter = field(default_factory=Counter)  # "level|subset|question" → records that answered
    ticked: Counter = field(default_factory=Counter)  # "level|subset|question|code" → records holding the code
    sums: Counter = field(default_factory=Counter)  # name → int or Decimal (see `add_pact`, `add_action`)
    months: Counter = field(default_factory=Counter)  # "YYYY-MM" → pacts finalised that month
    brackets: Counter = field(default_factory=Counter)  # budget bracket code ("" = none) → actions
    cofinancers: Counter = field(default_factory=Counter)  # co-financer type → co-financings of actions
    extremes: dict = field(default_factory=dict)  # "action_budget_min" / "_max" → Decimal

    def count(self, level: str, question: str, code: str | None = None, subset: str = "") -> int:
        if code is None:
            return self.answered[f"{level}|{subset}|{question}"]
        return self.ticked[f"{level}|{subset}|{question}|{code}"]

    def size(self, level: str, subset: str = "") -> int:
        return self.members[f"{level}|{subset}"]

    def _answers(self, level: str, answers: dict, choices: set[str]) -> None:
        subsets = [""] + [
            name
            for name, (of, question, accepted) in SUBSETS.items()
            if of == level and _holds(answers.get(question), accepted)
        ]
        for subset in subsets:
            self.members[f"{level}|{subset}"] += 1
            for question, value in answers.items():
                if _blank(value):
                    continue
                self.answered[f"{level}|{subset}|{question}"] += 1
                if question in choices:
                    for code in value if isinstance(value, list) else [value]:
                        self.ticked[f"{level}|{subset}|{question}|{code}"] += 1

    def add_pact(self, pact: dict, choices: set[str]) -> None:
        answers = pact["answers"]
        self._answers("pact", answers, choices)
        if pact.get("total_budget") is not None:
            self.sums["pact_budget"] += _amount(pact["total_budget"])
            self.sums["pact_budget_n"] += 1
        self.sums["pact_credits"] += _amount(pact.get("state_amount")) or ZERO
        if pact.get("status") == "finalised":
            self.sums["finalised"] += 1
        if not _blank(answers.get("finalised_on")):
            self.months[answers["finalised_on"][:7]] += 1
        if answers.get("forces_vives_meeting") == "OUI" and answers.get("actors_invited"):
            self.sums["meetings_with_invited"] += 1
            if set(answers["actors_invited"]) <= set(answers.get("actors_present") or []):
                self.sums["meetings_full"] += 1
        for action in pact["actions"]:
            self.add_action(action, choices)

    def add_action(self, action: dict, choices: set[str]) -> None:
        answers = action["answers"]
        self._answers("action", answers, choices)
        if answers.get("beneficiaries_target") is not None:
            self.sums["beneficiaries_declared"] += 1
            self.sums["beneficiaries_targeted"] += answers["beneficiaries_target"]
            self.sums["beneficiaries_reached"] += answers.get("beneficiaries_reached") or 0
        self.brackets[action.get("budget_bracket") or ""] += 1
        budget = _amount(action.get("total_budget"))
        if budget is not None:
            self.sums["action_budget"] += budget
            self.sums["action_budget_n"] += 1
            self._extreme("action_budget_min", budget, min)
            self._extreme("action_budget_max", budget, max)
        verdict = cofinanced(action)
        self.sums[{True: "cofinanced", False: "not_cofinanced", None: "cofinancing_unknown"}[verdict]] += 1
        if verdict and action.get("state_amount") is not None:
            self.sums["cofinanced_credits"] += _amount(action["state_amount"])
            self.sums["cofinanced_credits_n"] += 1
        self.cofinancers.update(c["financer_type"] for c in action.get("cofinancings", []))

    def _extreme(self, name: str, value: Decimal, pick) -> None:
        self.extremes[name] = value if name not in self.extremes else pick(self.extremes[name], value)

    def merge(self, other: "PactTally") -> "PactTally":
        for name in ("members", "answered", "ticked", "sums", "months", "brackets", "cofinancers"):
            getattr(self, name).update(getattr(other, name))
        for name, value in other.extremes.items():
            self._extreme(name, value, min if name.endswith("_min") else max)
        return self

    def encode(self) -> dict:
        data = {name: dict(getattr(self, name)) for name in ("members", "answered", "ticked", "months", "brackets")}
        data["cofinancers"] = dict(self.cofinancers)
        data["sums"] = {k: str(v) if isinstance(v, Decimal) else v for k, v in self.sums.items()}  # counts: ints
        data["extremes"] = {k: str(v) for k, v in self.extremes.items()}
        return data

    @classmethod
    def decode(cls, data: dict) -> "PactTally":
        tally = cls(**{name: Counter(data[name]) for name in ("members", "answered", "ticked", "months", "brackets")})
        tally.cofinancers = Counter(data["cofinancers"])
        tally.sums = Counter({k: Decimal(v) if isinstance(v, str) else v for k, v in data["sums"].items()})
        tally.extremes = {k: Decimal(v) for k, v in data["extremes"].items()}
        return tally


def _holds(value, accepted: set[str]) -> bool:
    if _blank(value):
        return False
    return bool(set(value) & accepted) if isinstance(value, list) else value in accepted


def choice_questions() -> set[str]:
    return set(SurveyQuestion.objects.filter(kind__in=CHOICE_KINDS).values_list("code", flat=True))


def tallies_from_records(records, choices: set[str]) -> dict[str, PactTally]:
    """{région code: tally} of survey records."""
    tallies: dict[str, PactTally] = {}
    for record in records:
        tallies.setdefault(record["region"], PactTally()).add_pact(record, choices)
    return tallies


# --- Live tallies, kept per région ----------------------------------------------------------------------


def _grouped(queryset, region: str, **aggregates) -> dict[str, tuple]:
    rows = queryset.order_by().values(region).annotate(**aggregates)
    return {row[region]: tuple(str(row[name]) for name in aggregates) for row in rows}


def fingerprints(year: int) -> dict[str, str]:
    """{région code: fingerprint of its survey data of `year`} in a few grouped queries."""
    stamp = {"n": Count("id"), "top": Max("id")}
    parts = [
        _grouped(Pact.objects.filter(year=year), "region__code", **stamp, last=Max("updated_at"), v=Sum("version")),
        _grouped(
            PactAction.objects.filter(pact__year=year),
            "pact__region__code",
            **stamp,
            last=Max("updated_at"),
            v=Sum("version"),
        ),
        _grouped(SurveyAnswer.objects.filter(year=year), "pact__region__code", **stamp, last=Max("answered_at")),
        _grouped(PactCofinancing.objects.filter(pact__year=year), "pact__region__code", **stamp, s=Sum("amount")),
        _grouped(
            PactActionCofinancing.objects.filter(action__pact__year=year),
            "action__pact__region__code",
            **stamp,
            s=Sum("amount"),
        ),
    ]
    questions = list(
        SurveyQuestion.objects.order_by("code").values_list(
            "code", "kind", "condition", "form_field", "first_year", "last_year"
        )
    )
    common = json.dumps([TALLY_FORMAT, questions], default=str)
    return {
        region: hashlib.sha256(json.dumps([common, [part.get(region) for part in parts]]).encode()).hexdigest()
        for region in parts[0]
    }


def live_tallies(year: int, regions: list[str] | None = None) -> dict[str, PactTally]:
    """{région code: tally} of the live data of `year`, each rebuilt only if its data changed since it was kept."""
    wanted = fingerprints(year)
    if regions is not None:
        wanted = {code: print_ for code, print_ in wanted.items() if code in regions}
    kept = {
        row.region_code: row
        for row in RegionPactTally.objects.filter(year=year, region_code__in=wanted, fingerprint__in=wanted.values())
    }
    tallies, choices = {}, None
    for code, fingerprint in sorted(wanted.items()):
        row = kept.get(code)
        if row is not None and row.fingerprint == fingerprint:
            tallies[code] = PactTally.decode(row.data)
            continue
        choices = choices if choices is not None else choice_questions()
        records = survey_records(surveyed_pacts(year).filter(region__code=code), year)
        tallies[code] = tallies_from_records(records, choices).get(code, PactTally())
        try:
            with transaction.atomic():
                RegionPactTally.objects.update_or_create(
                    year=year, region_code=code, defaults={"fingerprint": fingerprint, "data": tallies[code].encode()}
                )
        except IntegrityError:  # another bilan kept the same région's tally meanwhile: either one is right
            pass
    return tallies

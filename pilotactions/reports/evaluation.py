"""Mid-term evaluation: what was programmed against what was done, per action and rolled up (issue 23,
docs/evaluation.md).

Read only from the validated snapshots of a follow-up (`suivi`) campaign — each snapshot row holds the action's
programmed budget of the year by financer, its targeted beneficiaries and dates, and the execution the authority
entered (spending by financer, beneficiaries reached, state of progress) — so that a figure never changes once its
dossier is validated. Rolled up per authority, département, région, axis, sub-theme and nationally (a contract's own on its page).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, Sum
from django.dispatch import receiver

from pilotactions.campaigns.enums import CampaignKind, DossierState
from pilotactions.campaigns.models import Campaign, Dossier
from pilotactions.campaigns.signals import dossier_reopened, dossier_validated
from pilotactions.contracts.enums import ActionStatus
from pilotactions.contracts.models import Action
from pilotactions.territories.models import Authority

from .aggregates import Scope
from .models import EvaluationTotal

FINANCERS = ("state", "authority", "third_party")
ZERO = Decimal("0")
# The progress states as the evaluation counts them (etat_avancement_actions); "" is « non renseigné ».
PROGRESS = {
    "AV_NON_DEMARREE": "Non démarrées",
    "AV_A_PEINE_LANCEE": "À peine lancées",
    "AV_EN_COURS": "En cours",
    "AV_TERMINEE": "Terminées",
    "AV_ABANDONNEE": "Abandonnées",
    "": "Avancement non renseigné",
}
PROGRESS_SINGULAR = {
    "AV_NON_DEMARREE": "non démarrée",
    "AV_A_PEINE_LANCEE": "à peine lancée",
    "AV_EN_COURS": "en cours",
    "AV_TERMINEE": "terminée",
    "AV_ABANDONNEE": "abandonnée",
    "": "sans avancement renseigné",
}
# One action's progress, in its table row: « Terminée », « À peine lancée ».
ACTION_PROGRESS = {code: label[:1].upper() + label[1:] for code, label in PROGRESS_SINGULAR.items() if code}
DONE = {"AV_TERMINEE", "AV_ABANDONNEE"}
PROGRESS_COLUMNS = {  # code → EvaluationTotal column
    "AV_NON_DEMARREE": "not_started",
    "AV_A_PEINE_LANCEE": "just_launched",
    "AV_EN_COURS": "ongoing",
    "AV_TERMINEE": "finished",
    "AV_ABANDONNEE": "abandoned",
    "": "progress_unknown",
}
SUMMED = [
    "actions",
    "reported",
    *(f"{kind}_{f}" for kind in ("planned", "planned_reported", "spent") for f in FINANCERS),
    "target",
    "reached",
    "with_reach",
    "late",
    *PROGRESS_COLUMNS.values(),
]


def decimal_or_none(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)


@dataclass
class Line:
    """One action of a validated follow-up dossier: its programme and its execution for the campaign's year."""

    reference: str
    title: str
    contract_type: str
    authority_code: str
    region: str
    departement: str
    axis: str
    subtheme: str
    planned: dict  # financer → Decimal
    spent: dict  # financer → Decimal or None (not reported)
    target: int | None
    reached: int | None
    progress: str
    end_date: date | None
    indicators: list  # {label, unit, baseline, target, value} of the year (absent from the oldest snapshots)

    @classmethod
    def from_row(cls, row: dict) -> "Line":
        execution = row.get("execution") or {}
        return cls(
            reference=row["action_id"],
            title=row["title"],
            contract_type=row["contract_type"],
            authority_code=row["authority_code"],
            region=row["region_code"] or "",
            departement=row["departement_code"] or "",
            axis=row["axis"] or "",
            subtheme=row["subtheme"] or "",
            planned={f: decimal_or_none(row[f"budget_{f}"]) or ZERO for f in FINANCERS},
            spent={f: decimal_or_none(execution.get(f"spent_{f}")) for f in FINANCERS},
            target=int(row["beneficiaries_target"]) if row.get("beneficiaries_target") not in (None, "") else None,
            reached=execution.get("beneficiaries_reached"),
            progress=row.get("status") or "",
            end_date=date.fromisoformat(row["end_date"]) if row.get("end_date") else None,
            indicators=[
                {**i, **{k: decimal_or_none(i.get(k)) for k in ("baseline", "target", "value")}}
                for i in row.get("indicators", [])
            ],
        )

    @property
    def planned_total(self) -> Decimal:
        return sum(self.planned.values(), ZERO)

    @property
    def reported(self) -> bool:
        """The authority entered spending for at least one financer."""
        return any(v is not None for v in self.spent.values())

    @property
    def spent_total(self) -> Decimal | None:
        return sum((v for v in self.spent.values() if v is not None), ZERO) if self.reported else None

    def gap(self, financer: str | None = None) -> tuple[Decimal | None, Decimal | None]:
        """(spent − planned, in euros; and in % of planned) for a financer or the total; None until reported."""
        spent = self.spent_total if financer is None else self.spent[financer]
        planned = self.planned_total if financer is None else self.planned[financer]
        if spent is None:
            return None, None
        return spent - planned, (spent - planned) * 100 / planned if planned else None

    def is_late(self, year: int) -> bool:
        """Due to end within the campaign's year, and neither finished nor abandoned."""
        return self.end_date is not None and self.end_date <= date(year, 12, 31) and self.progress not in DONE


@dataclass
class Totals:
    """Planned against actual over a set of lines. Rates read only the actions that reported their spending
    (resp. both their target and their reach): an action that reported nothing neither lowers nor raises them."""

    actions: int = 0
    reported: int = 0
    planned: dict = field(default_factory=lambda: dict.fromkeys(FINANCERS, ZERO))
    planned_reported: dict = field(default_factory=lambda: dict.fromkeys(FINANCERS, ZERO))
    spent: dict = field(default_factory=lambda: dict.fromkeys(FINANCERS, ZERO))
    target: int = 0
    reached: int = 0
    with_reach: int = 0
    progress: dict = field(default_factory=lambda: dict.fromkeys(PROGRESS, 0))
    late: int = 0

    def add(self, line: Line, year: int) -> None:
        self.actions += 1
        for f in FINANCERS:
            self.planned[f] += line.planned[f]
        if line.reported:
            self.reported += 1
            for f in FINANCERS:
                self.planned_reported[f] += line.planned[f]
                self.spent[f] += line.spent[f] or ZERO
        if line.target and line.reached is not None:
            self.with_reach += 1
            self.target += line.target
            self.reached += line.reached
        self.progress[line.progress if line.progress in PROGRESS else ""] += 1
        self.late += line.is_late(year)

    @property
    def planned_total(self) -> Decimal:
        return sum(self.planned.values(), ZERO)

    @property
    def spent_total(self) -> Decimal:
        return sum(self.spent.values(), ZERO)

    def rate(self, financer: str | None = None) -> Decimal | None:
        """Execution rate (%): spent over planned, on the actions that reported their spending."""
        planned = sum(self.planned_reported.values(), ZERO) if financer is None else self.planned_reported[financer]
        spent = self.spent_total if financer is None else self.spent[financer]
        return spent * 100 / planned if planned else None

    @property
    def reach_rate(self) -> Decimal | None:
        return Decimal(self.reached) * 100 / self.target if self.target else None

    def fields(self) -> dict:
        """The columns of an EvaluationTotal."""
        return {
            "actions": self.actions,
            "reported": self.reported,
            **{f"planned_{f}": self.planned[f] for f in FINANCERS},
            **{f"planned_reported_{f}": self.planned_reported[f] for f in FINANCERS},
            **{f"spent_{f}": self.spent[f] for f in FINANCERS},
            "target": self.target,
            "reached": self.reached,
            "with_reach": self.with_reach,
            "late": self.late,
            **{column: self.progress[code] for code, column in PROGRESS_COLUMNS.items()},
        }

    @classmethod
    def from_fields(cls, row: dict) -> "Totals":
        """Totals from summed EvaluationTotal columns (a sum over no row is None)."""

        def money(name):
            return Decimal(row[name] or 0)

        def count(name):
            return int(row[name] or 0)

        return cls(
            actions=count("actions"),
            reported=count("reported"),
            planned={f: money(f"planned_{f}") for f in FINANCERS},
            planned_reported={f: money(f"planned_reported_{f}") for f in FINANCERS},
            spent={f: money(f"spent_{f}") for f in FINANCERS},
            target=count("target"),
            reached=count("reached"),
            with_reach=count("with_reach"),
            progress={code: count(column) for code, column in PROGRESS_COLUMNS.items()},
            late=count("late"),
        )


@dataclass
class Evaluation:
    """One validated dossier's lines (a contract's page and fiche): read from its snapshot."""

    campaign: Campaign | None
    lines: list[Line]
    withdrawn: list[dict]

    @property
    def year(self) -> int | None:
        return self.campaign.year if self.campaign else None

    def total(self) -> Totals:
        totals = Totals()
        for line in self.lines:
            totals.add(line, self.year)
        return totals


@dataclass
class StoredEvaluation:
    """A follow-up campaign's validated dossiers within a territory and contract types, summed from their
    EvaluationTotal rows by the database (the national page, the eval.* figures)."""

    campaign: Campaign | None
    scope: Scope
    types: list[str]
    withdrawn: list[dict]  # the first WITHDRAWN_LISTED
    withdrawn_count: int = 0

    @property
    def year(self) -> int | None:
        return self.campaign.year if self.campaign else None

    def _rows(self):
        if self.campaign is None:
            return EvaluationTotal.objects.none()
        rows = EvaluationTotal.objects.filter(campaign=self.campaign, contract_type__in=self.types)
        if self.scope.region:
            rows = rows.filter(region=self.scope.region)
        if self.scope.authority:
            rows = rows.filter(authority_code=self.scope.authority)
        if self.scope.departement:  # the authorities covering it, as campaign_rows reads them
            covering = Authority.objects.in_territory(departement=self.scope.departement).values("code")
            rows = rows.filter(authority_code__in=covering)
        return rows

    def total(self) -> Totals:
        return Totals.from_fields(self._rows().aggregate(**{name: Sum(name) for name in SUMMED}))

    def rollup(self, key: str) -> dict:
        """{value of `key` (authority_code, departement, region, axis, subtheme, contract_type): Totals}; for
        "contract", {(authority_code, contract_type): Totals} (an authority has one contract of each type)."""
        keys = ["authority_code", "contract_type"] if key == "contract" else [key]
        sums = self._rows().order_by().values(*keys).annotate(**{name: Sum(name) for name in SUMMED})
        return {tuple(row[k] for k in keys) if key == "contract" else row[key]: Totals.from_fields(row) for row in sums}


def totals_refresh(campaign: Campaign, authority_code: str) -> int:
    """Rewrite the authority's EvaluationTotal rows of the campaign from its validated dossiers' snapshots."""
    EvaluationTotal.objects.filter(campaign=campaign, authority_code=authority_code).delete()
    if campaign.kind != CampaignKind.SUIVI:
        return 0
    dossiers = Dossier.objects.filter(
        campaign=campaign, state=DossierState.VALIDATED, contract__authority__code=authority_code
    ).prefetch_related("snapshots")
    groups = defaultdict(Totals)
    for dossier in dossiers:
        snapshot = dossier.snapshots.first()  # latest first: the one it was validated in
        for row in snapshot.data["actions"] if snapshot else []:
            line = Line.from_row(row)
            groups[line.contract_type, line.region, line.departement, line.axis, line.subtheme].add(line, campaign.year)
    EvaluationTotal.objects.bulk_create(
        EvaluationTotal(
            campaign=campaign,
            authority_code=authority_code,
            contract_type=contract_type,
            region=region,
            departement=departement,
            axis=axis,
            subtheme=subtheme,
            **totals.fields(),
        )
        for (contract_type, region, departement, axis, subtheme), totals in groups.items()
    )
    return len(groups)


def follow_up_campaigns():
    """The follow-up campaigns with validated dossiers, the latest first: what an evaluation reads."""
    validated = Dossier.objects.filter(campaign=OuterRef("pk"), state=DossierState.VALIDATED)
    return Campaign.objects.filter(Exists(validated), kind=CampaignKind.SUIVI).order_by("-year", "-opens_at")


def evaluate(campaign: Campaign | None, scope: Scope, types: list[str] | None = None) -> StoredEvaluation:
    """The campaign's validated dossiers within the scope's territory (and contract types), and the actions
    withdrawn during its year, with why (live data: a withdrawal is dated and kept)."""
    types = scope.types if types is None else types
    if campaign is None:
        return StoredEvaluation(None, scope, types, [])
    withdrawn = _withdrawn(campaign.year).filter(contract__contract_type__code__in=types)
    if scope.region or scope.departement or scope.authority:
        authorities = Authority.objects.in_territory(**_territory(scope))
        withdrawn = withdrawn.filter(contract__authority__in=authorities)
    listed = _withdrawn_rows(withdrawn)
    count = withdrawn.count() if len(listed) == WITHDRAWN_LISTED else len(listed)
    return StoredEvaluation(campaign, scope, types, listed, count)


def evaluate_snapshot(campaign: Campaign, data: dict, contract: str) -> Evaluation:
    """One contract's validated dossier: the lines of its snapshot, and its actions withdrawn during the year."""
    lines = [Line.from_row(row) for row in data["actions"]]
    withdrawn = _withdrawn(campaign.year).filter(contract__reference=contract)
    return Evaluation(campaign, lines, _withdrawn_rows(withdrawn))


def _withdrawn(year: int):
    return Action.objects.filter(status=ActionStatus.WITHDRAWN, withdrawn_at__year=year)


WITHDRAWN_LISTED = 100  # a page lists the first hundred withdrawn actions, and says how many there are


def _withdrawn_rows(actions) -> list[dict]:
    fields = ("reference", "title", "contract__reference", "withdrawn_reason")
    return list(actions.order_by("reference").values(*fields)[:WITHDRAWN_LISTED])


def _territory(scope: Scope) -> dict:
    return {"region": scope.region, "departement": scope.departement, "authority": scope.authority}


# --- The evaluation's figures in the bilan JSON (`eval.*`, docs/bilan-json.md) ------------------------


def campaign_for(scope: Scope) -> Campaign | None:
    """The follow-up campaign a bilan's scope evaluates: its own campaign when it is one, else the latest of its
    year with validated dossiers."""
    campaigns = follow_up_campaigns()
    if scope.campaign_id:
        return campaigns.filter(pk=scope.campaign_id).first() or campaigns.filter(year=scope.year).first()
    return campaigns.filter(year=scope.year).first()


def totals_by_type(result: StoredEvaluation) -> dict[str, Totals]:
    """{type: Totals, …, "ALL": Totals}: what each eval.* figure's columns read."""
    by_type = result.rollup("contract_type")
    return {**{t: by_type.get(t, Totals()) for t in result.types}, "ALL": result.total()}


def _per_type(totals: dict[str, Totals], value) -> dict:
    return {key: value(t) for key, t in totals.items()}


def _row(key: str, label: str, values: dict) -> dict:
    return {"key": key, "label": label, "values": values}


def execution_rows(totals: dict[str, Totals]) -> tuple[list[dict], dict]:
    rows = [
        _row("planned_state", "Crédits de l’État programmés (actions ayant déclaré leurs dépenses)", None),
        _row("spent_state", "Crédits de l’État dépensés", None),
        _row("rate_state", "Taux d’exécution des crédits de l’État (%)", None),
        _row("planned_total", "Budget total programmé (actions ayant déclaré leurs dépenses)", None),
        _row("spent_total", "Budget total dépensé", None),
        _row("rate_total", "Taux d’exécution du budget total (%)", None),
    ]
    readers = {
        "planned_state": lambda t: t.planned_reported["state"],
        "spent_state": lambda t: t.spent["state"],
        "rate_state": lambda t: t.rate("state"),
        "planned_total": lambda t: sum(t.planned_reported.values(), ZERO),
        "spent_total": lambda t: t.spent_total,
        "rate_total": lambda t: t.rate(),
    }
    for row in rows:
        row["values"] = _per_type(totals, readers[row["key"]])
    return rows, _per_type(totals, lambda t: t.reported)


def beneficiary_rows(totals: dict[str, Totals]) -> tuple[list[dict], dict]:
    rows = [
        _row("target", "Bénéficiaires visés", _per_type(totals, lambda t: t.target)),
        _row("reached", "Bénéficiaires touchés", _per_type(totals, lambda t: t.reached)),
        _row("rate", "Taux d’atteinte (%)", _per_type(totals, lambda t: t.reach_rate)),
    ]
    return rows, _per_type(totals, lambda t: t.with_reach)


def progress_rows(totals: dict[str, Totals]) -> tuple[list[dict], dict]:
    rows = [
        _row(code or "non_renseigne", label, _per_type(totals, lambda t, code=code: t.progress[code]))
        for code, label in PROGRESS.items()
    ]
    rows.append(_row("late", "En retard sur leur date de fin", _per_type(totals, lambda t: t.late)))
    return rows, _per_type(totals, lambda t: t.actions)


# id → (title, unit, compute): computed by bilan.bilan_build for the scope's follow-up campaign.
EVAL_FIGURES = {
    "eval.execution": ("Évaluation : exécution des crédits programmés", "€", execution_rows),
    "eval.beneficiaries": ("Évaluation : bénéficiaires touchés et visés", "personnes", beneficiary_rows),
    "eval.progress": ("Évaluation : avancement des actions", "actions", progress_rows),
}


@receiver(dossier_validated)
@receiver(dossier_reopened)
def totals_on_circuit(sender, dossier, **kwargs):
    """A follow-up dossier validated or reopened: its authority's totals again, in the same transaction."""
    if dossier.campaign.kind == CampaignKind.SUIVI and not dossier.is_survey:
        totals_refresh(dossier.campaign, dossier.contract.authority.code)

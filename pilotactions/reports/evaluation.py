"""Mid-term evaluation: what was programmed against what was done, per action and rolled up (issue 23,
docs/evaluation.md).

Read only from the validated snapshots of a follow-up (`suivi`) campaign — each snapshot row holds the action's
programmed budget of the year by financer, its targeted beneficiaries and dates, and the execution the authority
entered (spending by financer, beneficiaries reached, state of progress) — so that a figure never changes once its
dossier is validated. Rolled up per contract, authority, département, région, axis, sub-theme and nationally.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pilotactions.campaigns.enums import CampaignKind, DossierState
from pilotactions.campaigns.models import Campaign
from pilotactions.contracts.enums import ActionStatus
from pilotactions.contracts.models import Action
from pilotactions.territories.models import Authority

from .aggregates import Scope, campaign_rows

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
DONE = {"AV_TERMINEE", "AV_ABANDONNEE"}


def decimal_or_none(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)


@dataclass
class Line:
    """One action of a validated follow-up dossier: its programme and its execution for the campaign's year."""

    reference: str
    title: str
    contract: str
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

    @classmethod
    def from_row(cls, row: dict) -> "Line":
        execution = row.get("execution") or {}
        return cls(
            reference=row["action_id"],
            title=row["title"],
            contract=row["contract_id"],
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


@dataclass
class Evaluation:
    campaign: Campaign | None
    lines: list[Line]
    withdrawn: list[dict]

    @property
    def year(self) -> int | None:
        return self.campaign.year if self.campaign else None

    def total(self, lines=None) -> Totals:
        totals = Totals()
        for line in self.lines if lines is None else lines:
            totals.add(line, self.year)
        return totals

    def rollup(self, key: str) -> dict[str, Totals]:
        """{value of the lines' `key` (contract, authority_code, departement, region, axis, subtheme): Totals}."""
        groups = defaultdict(Totals)
        for line in self.lines:
            groups[getattr(line, key)].add(line, self.year)
        return dict(groups)


def follow_up_campaigns():
    """The follow-up campaigns with validated dossiers, the latest first: what an evaluation reads."""
    return (
        Campaign.objects.filter(kind=CampaignKind.SUIVI, dossiers__state=DossierState.VALIDATED)
        .distinct()
        .order_by("-year", "-opens_at")
    )


def evaluate(campaign: Campaign | None, scope: Scope) -> Evaluation:
    """The lines of the campaign's validated dossiers within the scope's territory, and the actions withdrawn
    during its year, with why (live data: a withdrawal is dated and kept)."""
    if campaign is None:
        return Evaluation(None, [], [])
    rows = campaign_rows(Scope(year=campaign.year, campaign_id=campaign.pk, **_territory(scope)))
    withdrawn = _withdrawn(campaign.year)
    if scope.region or scope.departement or scope.authority:
        authorities = Authority.objects.in_territory(**_territory(scope))
        withdrawn = withdrawn.filter(contract__authority__in=authorities)
    return Evaluation(campaign, [Line.from_row(row) for row in rows], _withdrawn_rows(withdrawn))


def evaluate_snapshot(campaign: Campaign, data: dict, contract: str) -> Evaluation:
    """One contract's validated dossier: the lines of its snapshot, and its actions withdrawn during the year."""
    lines = [Line.from_row(row) for row in data["actions"]]
    withdrawn = _withdrawn(campaign.year).filter(contract__reference=contract)
    return Evaluation(campaign, lines, _withdrawn_rows(withdrawn))


def _withdrawn(year: int):
    return Action.objects.filter(status=ActionStatus.WITHDRAWN, withdrawn_at__year=year)


def _withdrawn_rows(actions) -> list[dict]:
    return list(actions.order_by("reference").values("reference", "title", "contract__reference", "withdrawn_reason"))


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


def _per_type(result: Evaluation, types: list[str], value) -> dict:
    """{type: value(Totals of the type's lines), …, "ALL": value(Totals of every line)}."""
    out = {t: value(result.total([line for line in result.lines if line.contract_type == t])) for t in types}
    out["ALL"] = value(result.total([line for line in result.lines if line.contract_type in types]))
    return out


def _row(key: str, label: str, values: dict) -> dict:
    return {"key": key, "label": label, "values": values}


def execution_rows(result: Evaluation, types: list[str]) -> tuple[list[dict], dict]:
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
        row["values"] = _per_type(result, types, readers[row["key"]])
    return rows, _per_type(result, types, lambda t: t.reported)


def beneficiary_rows(result: Evaluation, types: list[str]) -> tuple[list[dict], dict]:
    rows = [
        _row("target", "Bénéficiaires visés", _per_type(result, types, lambda t: t.target)),
        _row("reached", "Bénéficiaires touchés", _per_type(result, types, lambda t: t.reached)),
        _row("rate", "Taux d’atteinte (%)", _per_type(result, types, lambda t: t.reach_rate)),
    ]
    return rows, _per_type(result, types, lambda t: t.with_reach)


def progress_rows(result: Evaluation, types: list[str]) -> tuple[list[dict], dict]:
    rows = [
        _row(code or "non_renseigne", label, _per_type(result, types, lambda t, code=code: t.progress[code]))
        for code, label in PROGRESS.items()
    ]
    rows.append(_row("late", "En retard sur leur date de fin", _per_type(result, types, lambda t: t.late)))
    return rows, _per_type(result, types, lambda t: t.actions)


# id → (title, unit, compute): computed by bilan.bilan_build for the scope's follow-up campaign.
EVAL_FIGURES = {
    "eval.execution": ("Évaluation : exécution des crédits programmés", "€", execution_rows),
    "eval.beneficiaries": ("Évaluation : bénéficiaires touchés et visés", "personnes", beneficiary_rows),
    "eval.progress": ("Évaluation : avancement des actions", "actions", progress_rows),
}

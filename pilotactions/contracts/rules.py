"""Value rules of contracts and actions, shared by the forms, the services, the importer and the generator.

Drafts are never blocked by completeness (DESIGN.md, convention 11): a value is checked only when it
is present. Errors are French sentences that say what is wrong and where.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pilotactions.accounts.enums import OrganisationKind
from pilotactions.accounts.models import Organisation
from pilotactions.core.formats import euros, percent
from pilotactions.nomenclatures.models import Option

from .enums import CeilingMode, Financer
from .models import MAX_AMOUNT, Contract, ContractType

SINGLE_OPTION_FIELDS = [
    "axis",
    "subtheme",
    "nature",
    "pilot_type",
    "implementation",
    "scale",
    "qpv_targeting",
    "rural_targeting",
    "direct_impact",
]
MULTI_OPTION_FIELDS = ["policy_fields", "action_types", "partners", "target_publics", "expected_impacts"]


def signing_organisations(authorities):
    """The State services that may sign for these authorities: the departmental ones (préfecture,
    DDETS/DEETS) of the départements the authorities cover."""
    return Organisation.objects.filter(
        kind=OrganisationKind.DEPARTMENTAL_STATE, is_active=True, departement__authorities__in=authorities
    ).distinct()


@dataclass
class BudgetLineInput:
    year: int
    financer: str
    planned: Decimal
    financer_type: Option | None = None
    id: int | None = None


@dataclass
class RuleReport:
    """Errors block the save (field → messages); warnings are shown and kept; flags mark the action."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    needs_state_review: bool = False

    def error(self, where: str, message: str) -> None:
        self.errors.setdefault(where, []).append(message)


def format_euros(amount: Decimal) -> str:
    """1234567.5 → « 1 234 567,50 € »."""
    return euros(amount, 2)


def check_amount(value: Decimal | None, where: str, label: str, report: RuleReport) -> None:
    if value is None:
        return
    if value < 0:
        report.error(where, f"{label} : le montant ne peut pas être négatif ({format_euros(value)}).")
    elif value > MAX_AMOUNT:
        report.error(
            where, f"{label} : {format_euros(value)} dépasse le plafond plausible de {format_euros(MAX_AMOUNT)}."
        )
    if value.as_tuple().exponent < -2:
        report.error(where, f"{label} : deux décimales au plus (centimes).")


def check_option(contract_type: ContractType, field_name: str, option: Option | None, report: RuleReport) -> None:
    if option is None:
        return
    expected = contract_type.option_list_code(field_name)
    if expected and option.option_list.code != expected:
        report.error(field_name, f"« {option.label} » n’appartient pas à la liste attendue pour ce champ.")


def check_action(
    *,
    contract: Contract,
    values: dict,
    multi: dict[str, list[Option]],
    budget_lines: list[BudgetLineInput],
    ceiling_justification: str = "",
) -> RuleReport:
    """Every value rule of an action; `values` holds the single-valued fields."""
    report = RuleReport()
    contract_type = contract.contract_type

    if not (values.get("title") or "").strip():
        report.error("title", "Donnez un intitulé à l’action.")
    axis = values.get("axis")
    if axis is None:
        report.error("axis", "Choisissez l’axe du Pacte auquel l’action se rattache.")
    elif not contract_type.axes.filter(pk=axis.pk).exists():
        report.error("axis", f"L’axe « {axis.label} » n’est pas ouvert aux contrats de type {contract_type.code}.")
    subtheme = values.get("subtheme")
    if subtheme is not None and axis is not None and subtheme.parent_id != axis.pk:
        report.error("subtheme", f"La sous-thématique « {subtheme.label} » n’appartient pas à l’axe choisi.")
    for name in SINGLE_OPTION_FIELDS:
        check_option(contract_type, name, values.get(name), report)
    for name in MULTI_OPTION_FIELDS:
        for option in multi.get(name, []):
            check_option(contract_type, name, option, report)

    period_start, period_end = date(contract.start_year, 1, 1), date(contract.end_year, 12, 31)
    start, end = values.get("start_date"), values.get("end_date")
    period = f"{contract.start_year}-{contract.end_year}"
    for name, value, label in [("start_date", start, "La date de début"), ("end_date", end, "La date de fin")]:
        if value and not period_start <= value <= period_end:
            report.error(name, f"{label} ({value:%d/%m/%Y}) doit être comprise dans la période du contrat ({period}).")
    if start and end and start > end:
        report.error("end_date", f"La date de fin ({end:%d/%m/%Y}) précède la date de début ({start:%d/%m/%Y}).")

    check_budget(
        contract=contract, budget_lines=budget_lines, ceiling_justification=ceiling_justification, report=report
    )
    return report


def check_budget(
    *, contract: Contract, budget_lines: list[BudgetLineInput], ceiling_justification: str, report: RuleReport
) -> None:
    totals: dict[int, dict[str, Decimal]] = {}
    for index, line in enumerate(budget_lines, start=1):
        where = f"budget-{index}"
        label = f"Ligne de financement n° {index} ({line.year})"
        if line.year not in contract.years:
            report.error(
                where,
                f"{label} : l’année doit être comprise dans la période du contrat ({contract.start_year}-{contract.end_year}).",
            )
        check_amount(line.planned, where, f"{label}, montant prévu", report)
        if line.financer == Financer.THIRD_PARTY and line.financer_type is None:
            report.error(where, f"{label} : précisez le type de financeur tiers (Caf, commune, FSE+…).")
        if line.financer != Financer.THIRD_PARTY and line.financer_type is not None:
            report.error(where, f"{label} : le type de financeur ne s’indique que pour un financeur tiers.")
        if line.financer_type is not None:
            check_option(contract.contract_type, "financer_type", line.financer_type, report)
        year = totals.setdefault(line.year, {f: Decimal("0") for f in Financer.values})
        year[line.financer] += line.planned or Decimal("0")

    ceiling = contract.contract_type.state_share_ceiling
    if ceiling is None:
        return
    for year, amounts in sorted(totals.items()):
        total = sum(amounts.values())
        if not total or amounts[Financer.STATE] * 100 <= ceiling * total:
            continue
        share = amounts[Financer.STATE] * 100 / total
        message = (
            f"En {year}, la part de l’État atteint {percent(share, 1)} du budget de l’action "
            f"({format_euros(amounts[Financer.STATE])} sur {format_euros(total)}), au-delà du plafond de {percent(ceiling)}."
        )
        if contract.contract_type.ceiling_mode == CeilingMode.BLOCK:
            report.error("budget", message)
            continue
        # A draft is saved all the same (convention 11); the justification is required at submission.
        report.needs_state_review = True
        if ceiling_justification.strip():
            report.warnings.append(message + " L’action est signalée au service de l’État.")
        else:
            report.warnings.append(message + " Justifiez ce dépassement : le dossier ne pourra pas être soumis sans.")

"""Model instances → the API's JSON (plain dicts matching schemas.py), with a fixed number of queries."""

from django.db.models import Prefetch

from pilotactions.contracts.models import Action, ActionYear, BudgetLine, Indicator
from pilotactions.contracts.rules import MULTI_OPTION_FIELDS, SINGLE_OPTION_FIELDS


def option_ref(option):
    return None if option is None else {"id": option.pk, "code": option.code, "label": option.label}


def action_summary(action: Action) -> dict:
    contract = action.contract
    return {
        "reference": action.reference,
        "contract": contract.reference,
        "contract_type": contract.contract_type.code,
        "authority": contract.authority.code,
        "number": action.number,
        "title": action.title,
        "status": action.status,
        "axis": action.axis.code if action.axis_id else None,
        "version": action.version,
        "updated_at": action.updated_at,
    }


def action_detail_queryset(queryset):
    return queryset.select_related(
        "contract__contract_type",
        "contract__authority",
        *SINGLE_OPTION_FIELDS,
    ).prefetch_related(
        *MULTI_OPTION_FIELDS,
        "communes",
        "epcis",
        Prefetch(
            "years",
            queryset=ActionYear.objects.select_related("progress_status").prefetch_related(
                Prefetch("budget_lines", queryset=BudgetLine.objects.select_related("financer_type"))
            ),
        ),
        Prefetch("indicators", queryset=Indicator.objects.prefetch_related("values")),
    )


def action_detail(action: Action) -> dict:
    data = action_summary(action)
    data.update(
        {
            "description": action.description,
            "objectives": action.objectives,
            "axis_option": option_ref(action.axis),
            "pilot_name": action.pilot_name,
            "beneficiaries_target": action.beneficiaries_target,
            "start_date": action.start_date,
            "end_date": action.end_date,
            "fte_funded": action.fte_funded,
            "ceiling_justification": action.ceiling_justification,
            "needs_state_review": action.needs_state_review,
            "withdrawn_reason": action.withdrawn_reason,
            "created_at": action.created_at,
            "communes": [{"code": c.code, "name": c.name} for c in action.communes.all()],
            "epcis": [{"code": e.siren, "name": e.name} for e in action.epcis.all()],
            "years": [
                {
                    "year": y.year,
                    "progress_status": option_ref(y.progress_status),
                    "deployment_satisfactory": y.deployment_satisfactory,
                    "beneficiaries_reached": y.beneficiaries_reached,
                    "assessment": y.assessment,
                    "difficulties": y.difficulties,
                    "planned_state": y.planned_state,
                    "planned_authority": y.planned_authority,
                    "planned_third_party": y.planned_third_party,
                    "planned_total": y.planned_total,
                    "spent_state": y.spent_state,
                    "spent_authority": y.spent_authority,
                    "spent_third_party": y.spent_third_party,
                    "budget_lines": [
                        {
                            "id": line.pk,
                            "financer": line.financer,
                            "financer_type": option_ref(line.financer_type),
                            "planned": line.planned,
                        }
                        for line in y.budget_lines.all()
                    ],
                }
                for y in action.years.all()
            ],
            "indicators": [
                {
                    "id": i.pk,
                    "label": i.label,
                    "unit": i.unit,
                    "baseline": i.baseline,
                    "target": i.target,
                    "values": {str(v.year): v.value for v in i.values.all()},
                }
                for i in action.indicators.all()
            ],
        }
    )
    for name in SINGLE_OPTION_FIELDS:
        if name != "axis":
            data[name] = option_ref(getattr(action, name))
    for name in MULTI_OPTION_FIELDS:
        data[name] = [option_ref(o) for o in getattr(action, name).all()]
    return data

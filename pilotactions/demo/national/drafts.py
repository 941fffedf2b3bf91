"""Step 10, the drafts: the slots turned into the generator's `ContractDraft` and `ActionDraft`, which its
`Writer` writes in bulk."""

from datetime import date, timedelta

from pilotactions.demo.generator.drafts import ActionDraft, ContractDraft
from pilotactions.demo.generator.planning import ContractPlan
from pilotactions.demo.generator.vocabulary import JUSTIFICATIONS

from .state import YEAR, Slot, State, contract_reference, rng_for


def contract_drafts(state: State) -> list[ContractDraft]:
    """One draft per contract, in authority code order, with its actions."""
    result = []
    for index, (code, slots) in enumerate(sorted(state.by_authority.items())):
        plan = state.plans[code]
        info = state.infos[code]
        rng = rng_for("contract", code)
        contract_plan = ContractPlan(
            index=index,
            type_code=plan.type_code,
            authority=info,
            k=0,
            start_year=YEAR,
            end_year=YEAR + 3,
            reference=contract_reference(plan),
            size=len(slots),
        )
        label = "départemental" if plan.type_code == "CLS-D" else "métropolitain"
        result.append(
            ContractDraft(
                plan=contract_plan,
                title=f"Contrat local des solidarités {label} {YEAR}-{YEAR + 3} — {info.name}",
                signature_date=date(YEAR, 3, 15) + timedelta(days=rng.randrange(0, 200)),
                envelope_cents=int(state.envelopes[code] * 100),
                actions=[action_draft(slot) for slot in slots],
            )
        )
    return result


def action_draft(slot: Slot) -> ActionDraft:
    """An action's draft; 2025 gets the same budget lines as 2024 when the action goes on."""
    budget = {}
    if slot.has_budget:
        lines = [("state", "", slot.state)]
        if slot.third_party:
            if len(slot.financers) == 1:
                lines.append(("third_party", slot.financers[0], slot.third_party))
            else:
                first = slot.third_party * 6 // 10 // 100_00 * 100_00
                lines += [
                    ("third_party", slot.financers[0], first),
                    ("third_party", slot.financers[1], slot.third_party - first),
                ]
        authority = slot.total - slot.state - slot.third_party
        if authority:
            lines.append(("authority", "", authority))
        budget[YEAR] = lines
        if slot.end_date and slot.end_date.year > YEAR:
            budget[YEAR + 1] = list(lines)  # the same maquette for 2025 (contracts are pluriannual)
    justification = ""
    if slot.over_ceiling:
        justification = JUSTIFICATIONS[slot.number % len(JUSTIFICATIONS)].format(next=YEAR + 1)
    return ActionDraft(
        number=slot.number,
        title=slot.title,
        description=slot.description,
        objectives=slot.objectives,
        single={
            "axis": slot.axis,
            "subtheme": slot.subtheme if slot.described else "",
            "nature": slot.nature,
            "pilot_type": slot.pilot_type,
            "implementation": slot.implementation,
            "scale": slot.scale,
            "qpv_targeting": slot.qpv,
            "rural_targeting": slot.rural,
            "direct_impact": slot.direct,
        },
        multi={
            "policy_fields": sorted(slot.fields),
            "action_types": sorted(slot.types),
            "partners": sorted(slot.partners),
            "target_publics": sorted(slot.publics),
            "expected_impacts": sorted(slot.impacts),
        },
        pilot_name=slot.pilot_name,
        beneficiaries_target=slot.beneficiaries,
        start_date=slot.start_date,
        end_date=slot.end_date,
        fte_funded=slot.fte,
        ceiling_justification=justification,
        needs_state_review=slot.over_ceiling,
        communes=sorted(slot.communes),
        epcis=sorted(slot.epcis),
        budget=budget,
    )

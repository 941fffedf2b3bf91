"""The plan of a run: its contracts, each with its authority, period, reference and number of actions."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .reference import AuthorityInfo, Reference
from .targets import NON_SIGNATORIES, TARGETS


@dataclass(frozen=True)
class ContractPlan:
    index: int  # position in the whole run (seeds the contract's draws)
    type_code: str
    authority: AuthorityInfo
    k: int  # rank of this contract among the authority's
    start_year: int
    end_year: int
    reference: str
    size: int


def split_actions(actions: int) -> dict[str, int]:
    """N actions shared between CLS-D and CLS-M as in the report."""
    cls_d = round(actions * TARGETS["type_share"]["CLS-D"])
    return {"CLS-D": cls_d, "CLS-M": actions - cls_d}


def contract_sizes(rng: random.Random, total: int, mean: float) -> list[int]:
    """Contract sizes between 4 and 50 (skewed, like the report's) adding up to `total` exactly."""
    if total <= 0:
        return []
    count = max(1, round(total / mean))
    low = min(TARGETS["actions_per_contract"]["min"], total // count)
    high = max(TARGETS["actions_per_contract"]["max"], -(-total // count))
    extra = total / count - low
    shape = 2.0
    if extra > 0:
        sizes = [min(high, max(low, low + round(rng.gammavariate(shape, extra / shape)))) for _ in range(count)]
    else:
        sizes = [low] * count
    diff = total - sum(sizes)
    order = list(range(count))
    rng.shuffle(order)
    step = 1 if diff > 0 else -1
    position = 0
    while diff:
        i = order[position % count]
        if low <= sizes[i] + step <= high:
            sizes[i] += step
            diff -= step
        position += 1
    return sizes


def reference_code(code: str) -> str:
    return code.zfill(3) if len(code) < 3 else code


def plan_contracts(
    *, actions: int, seed: int, year: int, reference: Reference, taken: set[str] | None = None
) -> list[ContractPlan]:
    """Every contract of the run, in order: CLS-D then CLS-M, round-robin over the authorities."""
    taken = set(taken or ())
    rng = random.Random(f"{seed}:plan")
    plans: list[ContractPlan] = []
    for type_code, total in split_actions(actions).items():
        sizes = contract_sizes(rng, total, TARGETS["actions_per_contract"][type_code])
        infos = list(reference.authorities[type_code])
        rng.shuffle(infos)
        infos.sort(key=lambda info: info.code in NON_SIGNATORIES)  # stable: signatories first
        if not infos and sizes:
            raise ValueError(f"Aucune collectivité pour le type {type_code}.")
        for position, size in enumerate(sizes):
            authority = infos[position % len(infos)]
            k = position // len(infos)
            start = year - (k % 4)
            base = f"{type_code}-{start}-{reference_code(authority.code)}"
            number = k // 4 + 1
            ref = base if number == 1 else f"{base}-{number}"
            while ref in taken:
                number += 1
                ref = f"{base}-{number}"
            taken.add(ref)
            plans.append(
                ContractPlan(
                    index=len(plans),
                    type_code=type_code,
                    authority=authority,
                    k=k,
                    start_year=start,
                    end_year=start + 3,
                    reference=ref,
                    size=size,
                )
            )
    return plans


# --- Drafts: one contract and its actions, as codes and amounts in cents -------------------------------

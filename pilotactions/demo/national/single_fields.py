"""Step 4, scale, implementation, QPV and rural targeting, direct impact: exact counts per contract type."""

import random
from collections import Counter

from pilotactions.demo import plan as P

from .allocation import allocate
from .state import Slot, State, rng_for
from .targets import IMPLEMENTATIONS, NO_DIRECT_IMPACT, RURAL_METROPOLES, SCALES, TARGETING, URBAN

# Direct impact is least likely for the support of professionals, partnerships and data exchanges.
INDIRECT_FIRST = {"A3_SOUTIEN_PROFESSIONNELS": 0, "A3_ECHANGE_DONNEES": 1, "A3_PARTENARIATS_ACCES_DROITS": 2}


def choose_single_fields(state: State) -> None:
    """Scale, implementation, targeting and direct impact of every action."""
    rng = rng_for("single")
    pin_single_fields(state)
    place_communal_authorities(state, rng)
    for type_code in SCALES:
        slots = state.of_type(type_code)
        allocate_scale_and_implementation(slots, type_code, rng)
        allocate_targeting(slots, type_code, rng)
        allocate_direct_impact(slots, type_code, rng)


def pin_single_fields(state: State) -> None:
    """The steering FTE covers the whole authority, which implements it; showcase actions as the report says."""
    for slot in state.slots:
        spec = slot.showcase or {}
        if slot.steering:
            slot.scale = "ECH_DEPARTEMENTALE" if slot.type_code == "CLS-D" else "ECH_INTERCOMMUNALE"
            slot.implementation = "MO_COLLECTIVITE"
            slot.direct = "NON"
        slot.scale = spec.get("scale", slot.scale)
        slot.implementation = spec.get("implementation", slot.implementation)
        if spec:
            slot.direct = "OUI"


def place_communal_authorities(state: State, rng: random.Random) -> None:
    """Nantes Métropole: actions carried by its communes; the Ville de Marseille is one commune."""
    for code, quartier in ((P.NANTES, 11), ("211300553", 4)):
        free = [s for s in state.by_authority[code] if not s.steering and not s.scale]
        rng.shuffle(free)
        for index, slot in enumerate(free):
            slot.scale = "ECH_QUARTIER" if index < quartier else "ECH_COMMUNALE"
            slot.implementation = slot.implementation or "MO_OPERATEUR_TIERS"


def scale_allowed(slot: Slot, value: str) -> bool:
    if slot.code == "75":
        return value in ("ECH_DEPARTEMENTALE", "ECH_QUARTIER")
    if slot.info.is_city:
        return value in ("ECH_COMMUNALE", "ECH_QUARTIER")
    return True


def targeting_allowed(slot: Slot, pair: tuple[str, str]) -> bool:
    qpv, rural = pair
    if slot.scale == "ECH_QUARTIER" and (rural != "NON" or qpv == "NON"):
        return False
    if slot.code in URBAN and rural != "NON":
        return False
    # Only a few métropoles have communes rural enough for an action aimed at rural areas alone.
    return slot.type_code != "CLS-M" or rural != "OUI_EXCLUSIVEMENT" or slot.code in RURAL_METROPOLES


def allocate_scale_and_implementation(slots: list[Slot], type_code: str, rng: random.Random) -> None:
    for name, targets, allowed in (
        ("scale", SCALES[type_code], scale_allowed),
        ("implementation", IMPLEMENTATIONS[type_code], None),
    ):
        pinned = Counter(getattr(s, name) for s in slots if getattr(s, name))
        free = [s for s in slots if not getattr(s, name)]
        for slot, value in allocate(free, {k: n - pinned[k] for k, n in targets.items()}, rng, allowed=allowed).items():
            setattr(slot, name, value)


def allocate_targeting(slots: list[Slot], type_code: str, rng: random.Random) -> None:
    pinned = Counter((s.showcase["qpv"], s.showcase["rural"]) for s in slots if s.showcase)
    for slot in slots:
        if slot.showcase:
            slot.qpv, slot.rural = slot.showcase["qpv"], slot.showcase["rural"]
    free = [s for s in slots if not s.showcase]
    targets = {k: n - pinned[k] for k, n in TARGETING[type_code].items()}
    for slot, (qpv, rural) in allocate(free, targets, rng, allowed=targeting_allowed).items():
        slot.qpv, slot.rural = qpv, rural


def allocate_direct_impact(slots: list[Slot], type_code: str, rng: random.Random) -> None:
    """No direct impact for the steering FTE, then for the sub-themes of `INDIRECT_FIRST` first."""
    free = [s for s in slots if not s.direct]
    free.sort(key=lambda s: (INDIRECT_FIRST.get(s.subtheme, 3), rng.random()))
    quota = NO_DIRECT_IMPACT[type_code] - sum(1 for s in slots if s.direct == "NON")
    for index, slot in enumerate(free):
        slot.direct = "NON" if index < quota else "OUI"

"""Step 5, policy fields and action types (multi-valued): counts that keep the order of the report's charts."""

from pilotactions.demo.generator.vocabulary import VOCABULARY

from .allocation import fill_multi
from .state import State, rng_for
from .targets import (
    ACTION_TYPES,
    FIELD_AFFINITY,
    GENERIC_FIELDS,
    GENERIC_TYPES,
    POLICY_FIELDS,
    STEERING_FIELDS,
    TYPE_AFFINITY,
)


def choose_policy_fields_and_types(state: State) -> None:
    """One to three policy fields and action types per action."""
    rng = rng_for("multi")
    for slot in state.slots:
        if slot.showcase:
            slot.fields = list(slot.showcase["fields"])
            slot.types = list(slot.showcase["types"])
        elif slot.steering:
            slot.types = ["TA_ETP_PILOTAGE"]

    def field_preferences(slot):
        if slot.steering:
            return STEERING_FIELDS
        own = VOCABULARY[slot.subtheme]["fields"]
        related = [f"CAP_CLS_{n:02d}" for n in FIELD_AFFINITY[slot.subtheme]]
        return list(dict.fromkeys([*own, *related, *GENERIC_FIELDS]))

    def type_preferences(slot):
        if slot.steering:
            return ["TA_ETP_PILOTAGE", "TA_OUTILS_INGENIERIE", "TA_INSTANCES"]
        own = [t for t in VOCABULARY[slot.subtheme]["types"] if t != "TA_ETP_PILOTAGE"]
        related = [t for t, subthemes in TYPE_AFFINITY.items() if slot.subtheme in subthemes]
        return list(dict.fromkeys([*own, *related, *GENERIC_TYPES]))

    for type_code in POLICY_FIELDS:
        slots = state.of_type(type_code)
        fill_multi(slots, "fields", POLICY_FIELDS[type_code], field_preferences, rng)
        others = [s for s in slots if not s.steering]
        targets = dict(ACTION_TYPES[type_code])
        targets["TA_ETP_PILOTAGE"] -= sum(1 for s in slots if s.steering)
        if targets["TA_ETP_PILOTAGE"]:
            raise ValueError("Les ETP de pilotage ne concernent que les actions de pilotage.")
        del targets["TA_ETP_PILOTAGE"]
        # Steering actions may add ingénierie or instances; count them in those targets.
        for slot in slots:
            if slot.steering and rng.random() < 0.3:
                extra = rng.choice(["TA_OUTILS_INGENIERIE", "TA_INSTANCES"])
                slot.types.append(extra)
                targets[extra] -= 1
        fill_multi(others, "types", targets, type_preferences, rng, most=3)

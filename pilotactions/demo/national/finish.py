"""Step 9, dates, beneficiaries, texts and indicators, authority by authority."""

import math
import random
from datetime import date, timedelta
from decimal import Decimal

from pilotactions.demo.generator.sampling import nice_count
from pilotactions.demo.generator.vocabulary import NATURE_SENTENCES, VOCABULARY
from pilotactions.demo.texts import INDICATORS, with_article

from .state import YEAR, Slot, State, rng_for


def finish_actions(state: State) -> None:
    """Dates, beneficiaries, FTE, texts and indicators of every action, authority by authority."""
    for code, slots in state.by_authority.items():
        rng = rng_for("finish", code)
        state.drafter.titles = set()
        for slot in slots:
            if slot.nature in ("EXISTANTE_RENFORCEE", "EXISTANTE_IDENTIQUE") and rng.random() < 0.7:
                slot.start_date = date(YEAR, 1, 1)
            elif rng.random() < 0.5:
                slot.start_date = date(YEAR, rng.randrange(2, 10), 1)
            else:
                slot.start_date = date(YEAR, 1, 15) + timedelta(days=rng.randrange(0, 260))
            draw = rng.random()
            end_year = 2027 if draw < 0.65 or slot.steering or slot.showcase else YEAR if draw < 0.8 else YEAR + 1
            slot.end_date = date(end_year, 12, 31)
            if slot.direct == "OUI":  # about 400 € per person reached, rarely under 80 € or over 2 500 €
                cost = min(2500.0, max(80.0, math.exp(rng.gauss(math.log(400), 0.6))))
                raw = slot.total / 100 / cost if slot.total else math.exp(rng.gauss(math.log(150), 1.0))
                slot.beneficiaries = nice_count(raw)
            if "TA_ETP_ACCOMPAGNEMENT" in slot.types and slot.total and not slot.fte:
                own = (slot.total - slot.third_party) / 100
                slot.fte = f"{min(40.0, max(0.5, round(own / 55000 * 2) / 2)):.2f}"
            write_texts(state, rng, slot)
            write_indicators(rng, slot)


def write_texts(state: State, rng: random.Random, slot: Slot) -> None:
    """Title, description and objectives: the report's own for a showcase action, drawn otherwise."""
    spec = slot.showcase
    if spec:
        slot.title = spec["title"]
        state.drafter.titles.add(slot.title)
        sentences = [spec["description"], f"Elle est portée par {with_article(slot.pilot_name)}."]
        if slot.nature:
            sentences.append(NATURE_SENTENCES[slot.nature])
        slot.description = " ".join(sentences)
        objectives = list(spec["objectives"])
        if slot.beneficiaries:
            objectives.append(f"Toucher {slot.beneficiaries} personnes en {YEAR}")
        slot.objectives = "\n".join(f"- {line}" for line in objectives)
        return
    slot.title, slot.description, slot.objectives = state.drafter.texts(
        rng,
        None,
        slot.subtheme,
        VOCABULARY[slot.subtheme],
        slot.steering,
        slot.place,
        slot.town,
        slot.qpv,
        slot.rural,
        slot.publics,
        slot.pilot_name,
        slot.partners,
        slot.nature,
        slot.beneficiaries,
    )
    portee = f"Elle est portée par {slot.pilot_name}."
    slot.description = slot.description.replace(portee, f"Elle est portée par {with_article(slot.pilot_name)}.")


def write_indicators(rng: random.Random, slot: Slot) -> None:
    """One or two indicators of the sub-theme, with a baseline consistent with the action's nature."""
    choices = INDICATORS["STEERING" if slot.steering else slot.subtheme]
    count = 1 if len(choices) == 1 or rng.random() < 0.45 else 2
    for label, unit, target in choices[:count]:
        if target == "people":
            value = slot.beneficiaries or nice_count(math.exp(rng.gauss(math.log(120), 0.8)))
        else:
            value = rng.randint(*target)
        if unit == "jours" or label.startswith("Expulsions") or "sans solution" in label:
            baseline = value * rng.randint(15, 30) // 10 if value else rng.randint(2, 12)
        elif slot.nature == "NOUVELLE":
            baseline = 0
        elif slot.nature == "EXISTANTE_IDENTIQUE":
            baseline = value
        else:
            baseline = value * rng.randint(4, 8) // 10
        slot.indicators.append((label, unit, Decimal(baseline), Decimal(value)))

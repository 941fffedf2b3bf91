"""Drafts: one contract and its actions, as codes and amounts in cents, drawn from a plan (no database).

`Drafter.action` draws an action step by step from the contract's `random.Random`; the order of the steps
is the order of the draws, so that a seed always gives the same actions.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import date, timedelta

from .drafts import ActionDraft, ActionDraw, Budget, ContractDraft
from .planning import ContractPlan
from .reference import AuthorityInfo, Reference
from .sampling import Table, compensated, nice_count, normalised, ranked, round_amount, table_share
from .targets import (
    ACTION_TYPE_WEIGHTS,
    BENEFICIARIES_FILLED,
    BUDGET_MAX,
    BUDGET_MEDIAN,
    BUDGET_MIN,
    BUDGET_SIGMA,
    COFINANCED_SIZE,
    EMPTY_DATES,
    EXTRA_POLICY_FIELDS,
    FINANCER_PARTNER,
    FINANCER_WEIGHTS,
    OPERATOR_PILOT,
    OVER_CEILING_SHARE,
    PARTNER_WEIGHTS,
    POLICY_FIELD_WEIGHTS,
    SECOND_FINANCER,
    STATE_SHARE,
    STEERING_SCALE,
    TARGETING,
    TARGETS,
    THIRD_SHARE,
)
from .vocabulary import (
    ASSOCIATION_NAMES,
    ASSOCIATION_TEMPLATES,
    DIRECTIONS,
    JUSTIFICATIONS,
    NATURE_SENTENCES,
    PARTNER_PHRASES,
    PILOT_TEMPLATES,
    PUBLIC_PHRASES,
    STEERING_TITLES,
    VOCABULARY,
    at_place,
    of_place,
)


class Drafter:
    """Pure draws (given the reference data): a plan in, a contract with its actions out."""

    def __init__(self, reference: Reference, year: int):
        self.reference = reference
        self.year = year
        self.titles: set[str] = set()
        # The contract's steering ETP (one action in about half of the contracts) has a forced
        # implementation and scale and no AXE2: the other actions are drawn so that the totals still
        # match the targets.
        self.steering_share = {
            t: TARGETS["steering_etp_contracts"] / TARGETS["actions_per_contract"][t] for t in TARGETS["axis"]
        }
        self.steering_axis = {
            t: Table({axis: w for axis, w in weights.items() if axis != "AXE2"})
            for t, weights in TARGETS["axis"].items()
        }
        self.axis = {
            t: Table(compensated(w, normalised(self.steering_axis[t]), self.steering_share[t]))
            for t, w in TARGETS["axis"].items()
        }
        self.subthemes = {axis: self._subtheme_table(axis) for axis in ["AXE1", "AXE2", "AXE3", "AXE4"]}
        self.nature = Table(TARGETS["nature"])
        self.scale = {
            t: Table(compensated(w, {STEERING_SCALE[t]: 1.0}, self.steering_share[t]))
            for t, w in TARGETS["scale"].items()
        }
        self.implementation = {
            t: Table(compensated(w, {"MO_COLLECTIVITE": 1.0}, self.steering_share[t]))
            for t, w in TARGETS["implementation"].items()
        }
        self.targeting = {t: Table(w) for t, w in TARGETING.items()}
        self.policy_fields = {t: Table(w) for t, w in POLICY_FIELD_WEIGHTS.items()}
        self.extra_fields = Table(EXTRA_POLICY_FIELDS)
        self.action_types = Table(ACTION_TYPE_WEIGHTS)
        self.partners = {t: Table(w) for t, w in PARTNER_WEIGHTS.items()}
        self.financers = {t: Table(w) for t, w in FINANCER_WEIGHTS.items()}
        self.operator_pilot = {t: Table(w) for t, w in OPERATOR_PILOT.items()}
        self.vocabulary = {
            code: {
                "fields": ranked(v["fields"]),
                "types": ranked(v["types"], 0.5),
                "publics": ranked(v["publics"], 0.7) if v["publics"] else None,
                "ages": ranked(v["ages"], 0.45) if v["ages"] else None,
                "impacts": ranked(v["impacts"], 0.6),
            }
            for code, v in VOCABULARY.items()
        }
        self.direct_impact = {type_code: self._direct_impact_share(type_code) for type_code in TARGETS["axis"]}

    @staticmethod
    def _subtheme_table(axis: str) -> Table:
        """The axis's sub-themes weighted by their published amounts, none under 0.5 % of the axis."""
        prefix = f"A{axis[-1]}_"
        total = sum(w for c, w in TARGETS["subtheme_weights"].items() if c.startswith(prefix))
        return Table(
            (code, max(weight, 0.005 * total))
            for code, weight in TARGETS["subtheme_weights"].items()
            if code.startswith(prefix)
        )

    def _direct_impact_share(self, type_code: str) -> float:
        """Direct impact among the actions that may have one: not the contract's steering ETP, nor the
        sub-themes without a public (support to professionals), so that the type's share hits the target."""
        steering = TARGETS["steering_etp_contracts"] / TARGETS["actions_per_contract"][type_code]
        indirect = sum(
            share * table_share(self.subthemes[axis], code)
            for axis, share in TARGETS["axis"][type_code].items()
            for code, words in VOCABULARY.items()
            if words.get("indirect") and code in self.subthemes[axis].items
        )
        possible = (1 - steering) * (1 - indirect)
        return min(1.0, TARGETS["direct_impact"][type_code] / possible)

    # Contract -----------------------------------------------------------------------------------------

    def contract(self, plan: ContractPlan, seed: int) -> ContractDraft:
        rng = random.Random(f"{seed}:contract:{plan.index}")
        authority = plan.authority
        signature = date(plan.start_year, 3, 1) + timedelta(days=rng.randrange(0, 290))
        label = "Contrat local des solidarités " + ("départemental" if plan.type_code == "CLS-D" else "métropolitain")
        title = f"{label} {plan.start_year}-{plan.end_year} — {authority.name}"
        self.titles = set()  # no two actions of a contract with the same title
        steering = rng.random() < TARGETS["steering_etp_contracts"]
        steering_number = rng.randrange(1, plan.size + 1) if steering else 0
        actions = [self.action(rng, plan, number, number == steering_number) for number in range(1, plan.size + 1)]
        state_by_year: dict[int, int] = {}
        for action in actions:
            for year, lines in action.budget.items():
                state_by_year[year] = state_by_year.get(year, 0) + sum(c for f, _t, c in lines if f == "state")
        busiest = max(state_by_year.values(), default=0)
        envelope = max(50000, math.ceil(busiest * rng.uniform(1.0, 1.12) / 100 / 10000) * 10000) * 100
        return ContractDraft(plan=plan, title=title, signature_date=signature, envelope_cents=envelope, actions=actions)

    # Action: the steps, in the order of their draws ---------------------------------------------------

    def action(self, rng: random.Random, plan: ContractPlan, number: int, steering: bool) -> ActionDraft:
        draw = ActionDraw(plan=plan, number=number, steering=steering)
        self.draw_theme(rng, draw)
        self.draw_where(rng, draw)
        self.draw_who(rng, draw)
        self.draw_what(rng, draw)
        self.draw_when(rng, draw)
        self.draw_how_much(rng, draw)
        self.draw_reach(rng, draw)
        draw.title, draw.description, draw.objectives = self.texts(
            rng,
            plan,
            draw.subtheme,
            VOCABULARY[draw.subtheme],
            steering,
            draw.place,
            draw.town,
            draw.qpv,
            draw.rural,
            draw.publics,
            draw.pilot_name,
            draw.partners,
            draw.nature,
            draw.beneficiaries,
        )
        stored = draw.subtheme if steering or rng.random() < TARGETS["subtheme_filled"] else ""
        return draw.draft(stored)

    def draw_theme(self, rng: random.Random, draw: ActionDraw) -> None:
        """Axis and sub-theme (the steering ETP: the « Autre » sub-theme of its axis), nature, targeting."""
        if draw.steering:
            draw.axis = self.steering_axis[draw.type_code].pick(rng)
            draw.subtheme = f"A{draw.axis[-1]}_AUTRE"
        else:
            draw.axis = self.axis[draw.type_code].pick(rng)
            draw.subtheme = self.subthemes[draw.axis].pick(rng)
        draw.nature = self.nature.pick(rng) if rng.random() < TARGETS["nature_filled"] else ""
        draw.qpv, draw.rural = self.targeting[draw.type_code].pick(rng)

    def draw_where(self, rng: random.Random, draw: ActionDraw) -> None:
        """The scale and, when narrower than the authority, the communes or EPCI concerned."""
        authority = draw.plan.authority
        draw.scale = STEERING_SCALE[draw.type_code] if draw.steering else self.scale[draw.type_code].pick(rng)
        if draw.scale == "ECH_QUARTIER" and draw.rural == "OUI_EXCLUSIVEMENT":  # a neighbourhood is not rural
            draw.qpv, draw.rural = "OUI_EXCLUSIVEMENT", "NON"
        if authority.is_city and draw.scale in ("ECH_INTERCOMMUNALE", "ECH_BASSIN_VIE"):
            draw.scale = "ECH_COMMUNALE"
        draw.communes, draw.epcis, draw.place, draw.town = self.places(rng, authority, draw.scale)

    def draw_who(self, rng: random.Random, draw: ActionDraw) -> None:
        """Implementation, pilot type and name."""
        draw.implementation = "MO_COLLECTIVITE" if draw.steering else self.implementation[draw.type_code].pick(rng)
        draw.pilot_type, draw.pilot_name = self.pilot(
            rng, draw.type_code, draw.plan.authority, draw.axis, draw.subtheme, draw.implementation, draw.town
        )

    def draw_what(self, rng: random.Random, draw: ActionDraw) -> None:
        """Policy fields, action types, publics and direct impact, expected impacts."""
        tables = self.vocabulary[draw.subtheme]
        draw.fields = [tables["fields"].pick(rng)]
        for option in self.policy_fields[draw.type_code].sample(rng, self.extra_fields.pick(rng) + 1):
            if option not in draw.fields and len(draw.fields) < 3:
                draw.fields.append(option)
        if draw.steering:
            draw.types = ["TA_ETP_PILOTAGE"] + (["TA_OUTILS_INGENIERIE"] if rng.random() < 0.3 else [])
            draw.publics = []
            draw.direct = "NON"
        else:
            self.draw_types_and_publics(rng, draw)
        draw.impacts = tables["impacts"].sample(rng, 1 + (rng.random() < 0.4))

    def draw_types_and_publics(self, rng: random.Random, draw: ActionDraw) -> None:
        """Action types, publics and direct impact of an action other than the steering ETP."""
        words, tables = VOCABULARY[draw.subtheme], self.vocabulary[draw.subtheme]
        draw.types = [tables["types"].pick(rng)]
        if rng.random() < 0.45:
            extra = self.action_types.pick(rng)
            if extra not in draw.types:
                draw.types.append(extra)
        draw.publics = self.publics(rng, draw.type_code, tables, words)
        indirect = words.get("indirect") or not draw.publics
        draw.direct = "NON" if indirect or rng.random() >= self.direct_impact[draw.type_code] else "OUI"
        if indirect:
            draw.publics = []

    def draw_when(self, rng: random.Random, draw: ActionDraw) -> None:
        """Dates within the contract period; existing actions run from its start."""
        if rng.random() < EMPTY_DATES:
            return
        plan, year = draw.plan, self.year
        if draw.nature in ("EXISTANTE_RENFORCEE", "EXISTANTE_IDENTIQUE") and rng.random() < 0.7:
            draw.start_date = date(plan.start_year, 1, 1)
        elif rng.random() < 0.5:
            draw.start_date = date(year, rng.randrange(1, 11), 1)
        else:
            draw.start_date = date(year, 1, 1) + timedelta(days=rng.randrange(0, 300))
        chance = rng.random()
        end_year = plan.end_year if chance < 0.65 else year if chance < 0.85 else min(year + 1, plan.end_year)
        draw.end_date = date(end_year, 12, 31)

    def draw_how_much(self, rng: random.Random, draw: ActionDraw) -> None:
        """This year's and next year's budget lines, then the partners (the third parties among them)."""
        draw.budget, draw.justification = self.budget(rng, draw.plan, draw.start_date, draw.end_date)
        type_code = draw.type_code
        partners = self.partners[type_code].sample(rng, 1 + (rng.random() < 0.6) + (rng.random() < 0.3))
        for financer_type in sorted({t for lines in draw.budget.values() for _f, t, _c in lines if t}):
            partner = FINANCER_PARTNER.get(financer_type)
            if partner and partner not in partners and not (type_code == "CLS-D" and partner == "PART_03"):
                partners.append(partner)
        own = "PART_13" if type_code == "CLS-M" else "PART_03"  # an authority is never its own partner
        draw.partners = [p for p in partners if p != own]

    def draw_reach(self, rng: random.Random, draw: ActionDraw) -> None:
        """The number of people to reach and the FTE funded."""
        year = self.year
        total = sum(c for _f, _t, c in draw.budget.get(year, []))
        if draw.direct == "OUI" and rng.random() < BENEFICIARIES_FILLED:
            cost = math.exp(rng.gauss(math.log(450), 0.9))  # € per person reached
            raw = (total / 100 / cost) if total else math.exp(rng.gauss(math.log(150), 1.0))
            draw.beneficiaries = nice_count(raw)
        if draw.steering:
            draw.fte = "1.00" if rng.random() < 0.8 else "0.50"
        elif "TA_ETP_ACCOMPAGNEMENT" in draw.types and total:
            state_authority = sum(c for f, _t, c in draw.budget[year] if f != "third_party") / 100
            draw.fte = f"{min(40.0, max(0.5, round(state_authority / 55000 * 2) / 2)):.2f}"

    # Drawing helpers (also used by the national demo) --------------------------------------------------

    def places(self, rng: random.Random, authority: AuthorityInfo, scale: str) -> tuple[list[int], list[int], str, str]:
        """Communes and EPCI concerned, the place named in the title and the town where an operator sits
        ("" when the action covers the whole authority)."""
        pool = authority.communes
        if not pool.ids:
            return [], [], "", ""
        if scale == "ECH_INTERCOMMUNALE":
            if authority.epcis is not None and authority.epcis.ids:
                index = authority.epcis.table.pick(rng)
                epci_id = authority.epcis.ids[index]
                members = pool.by_group.get(epci_id) or [pool.table.pick(rng)]
                return [], [epci_id], authority.epcis.names[index], pool.names[rng.choice(members)]
            return [], [authority.own_epci_id] if authority.own_epci_id else [], "", ""
        if scale == "ECH_QUARTIER":
            index = pool.urban.pick(rng)
            return [pool.ids[index]], [], pool.names[index], pool.names[index]
        if scale == "ECH_COMMUNALE":
            count = 1 if rng.random() < 0.6 else rng.randrange(2, 6 if authority.type_code == "CLS-D" else 15)
            indexes = pool.table.sample(rng, count)
            return sorted(pool.ids[i] for i in indexes), [], pool.names[indexes[0]], pool.names[indexes[0]]
        if scale == "ECH_BASSIN_VIE":
            center = pool.table.pick(rng)
            neighbours = pool.by_group.get(pool.groups[center], [center]) if pool.groups[center] else [center]
            count = min(len(neighbours), rng.randrange(3, 9))
            chosen = {center, *rng.sample(neighbours, count)} if count else {center}
            return sorted(pool.ids[i] for i in chosen), [], pool.names[center], pool.names[center]
        return [], [], "", ""

    def pilot(
        self,
        rng: random.Random,
        type_code: str,
        authority: AuthorityInfo,
        axis: str,
        subtheme: str,
        implementation: str,
        town: str,
    ) -> tuple[str, str]:
        """Pilot type and name, consistent with who implements the action."""
        if implementation == "MO_COLLECTIVITE" or (implementation == "MO_PARTAGEE" and rng.random() < 0.5):
            return "PIL_COLLECTIVITE", f"{authority.name} – {rng.choice(DIRECTIONS[type_code][axis])}"
        pool = authority.communes
        town = town or (pool.names[pool.table.pick(rng)] if pool.ids else authority.name)
        kind = self.operator_pilot[type_code].pick(rng) if implementation == "MO_OPERATEUR_TIERS" else "PIL_ASSOCIATION"
        if kind == "PIL_ASSOCIATION":
            themed = ASSOCIATION_TEMPLATES.get(subtheme)
            templates = themed if themed and rng.random() < 0.6 else ASSOCIATION_TEMPLATES[""]
        elif kind == "PIL_COLLECTIVITE" and type_code == "CLS-D" and rng.random() < 0.3:
            templates = ["CIAS {of_town}"]
        else:
            templates = PILOT_TEMPLATES.get(kind) or PILOT_TEMPLATES[f"{kind}:{axis}"]
        name = rng.choice(templates).format(
            of_town=of_place(town), of_dept=authority.departement_of, name=rng.choice(ASSOCIATION_NAMES)
        )
        return kind, name

    def publics(self, rng: random.Random, type_code: str, tables: dict, words: dict) -> list[str]:
        chosen: list[str] = []
        if tables["ages"] is not None:
            chosen += tables["ages"].sample(rng, 1 + (rng.random() < 0.45))
            if type_code == "CLS-D" and "AGE_ADOLESCENT" not in chosen and rng.random() < 0.06:
                chosen.append("AGE_ADOLESCENT")
        if tables["publics"] is not None:
            chosen += tables["publics"].sample(rng, (rng.random() < 0.75) + (rng.random() < 0.3))
        if "AGE_JEUNE_18_30" in chosen and "PUB_JEUNES_MAJEURS_ASE" not in chosen and rng.random() < 0.1:
            chosen.append("PUB_JEUNES_MAJEURS_ASE")
        return chosen

    # Budget -------------------------------------------------------------------------------------------

    def budget(
        self, rng: random.Random, plan: ContractPlan, start: date | None, end: date | None
    ) -> tuple[Budget, str]:
        """Lines of `year` and `year + 1` (when inside the contract and the action), shares drawn once."""
        if rng.random() >= TARGETS["budget_filled"]:
            return {}, ""
        type_code = plan.type_code
        cofinanced = rng.random() < TARGETS["cofinanced"][type_code]
        size = BUDGET_MEDIAN[type_code] * plan.authority.factor * math.exp(rng.gauss(0, BUDGET_SIGMA))
        if cofinanced:
            size *= COFINANCED_SIZE
        size = min(BUDGET_MAX, max(BUDGET_MIN, size))
        over = rng.random() < TARGETS["over_ceiling"]
        state_share = self.state_share(rng, type_code, over)
        third_share = min(rng.uniform(*THIRD_SHARE), 0.95 - state_share) if cofinanced else 0.0
        financers = self.third_parties(rng, type_code) if cofinanced else []
        years = [self.year]
        if self.year + 1 <= plan.end_year and (end is None or end.year > self.year):
            years.append(self.year + 1)
        budget = {}
        for index, year in enumerate(years):
            growth = 1.0 if index == 0 or rng.random() < 0.5 else rng.uniform(0.9, 1.15)
            total = round_amount(rng, size * growth)
            budget[year] = self.budget_lines(rng, total, state_share, third_share, financers)
        justification = rng.choice(JUSTIFICATIONS).format(next=self.year + 1) if over else ""
        return budget, justification

    @staticmethod
    def state_share(rng: random.Random, type_code: str, over: bool) -> float:
        """The State's share of the action's budget: above the 50 % ceiling when `over`."""
        rule = STATE_SHARE[type_code]
        if over:
            return rng.uniform(*OVER_CEILING_SHARE)
        if rng.random() < rule["half"]:
            return 0.5
        return rng.uniform(*rule["low"])

    def third_parties(self, rng: random.Random, type_code: str) -> list[tuple[str, float]]:
        """The co-financers (type code, part of the third parties' amount): one, sometimes two."""
        first = self.financers[type_code].pick(rng)
        financers = [(first, 1.0)]
        if rng.random() < SECOND_FINANCER:
            second = self.financers[type_code].pick(rng)
            if second != first:
                part = rng.uniform(0.2, 0.5)
                financers = [(first, 1 - part), (second, part)]
        return financers

    @staticmethod
    def budget_lines(
        rng: random.Random, total: int, state_share: float, third_share: float, financers: list[tuple[str, float]]
    ) -> list[tuple[str, str, int]]:
        """One year's lines (cents): the State, the third parties, the authority the rest."""
        step = 1 if rng.random() < 0.1 else 100
        state = int(total * state_share) // step * step
        third = int(total * third_share) // step * step
        lines = [("state", "", state)]
        remaining = third
        for position, (financer_type, part) in enumerate(financers):
            amount = remaining if position == len(financers) - 1 else int(third * part) // step * step
            remaining -= amount
            if amount > 0:
                lines.append(("third_party", financer_type, amount))
        authority_amount = total - state - third
        if authority_amount > 0:
            lines.append(("authority", "", authority_amount))
        return lines

    # Texts --------------------------------------------------------------------------------------------

    def texts(
        self,
        rng: random.Random,
        plan: ContractPlan,
        subtheme: str,
        words: dict,
        steering: bool,
        place: str,
        town: str,
        qpv: str,
        rural: str,
        publics: list[str],
        pilot_name: str,
        partners: list[str],
        nature: str,
        beneficiaries: int | None,
    ) -> tuple[str, str, str]:
        """Title, description and objectives (`plan` is not read: the national demo passes None)."""
        labels = self.reference.labels
        if steering:
            title = rng.choice(STEERING_TITLES)
            description = (
                "Financement d’un poste de chargé(e) de mission dédié au suivi du contrat, à l’animation des "
                "partenaires et à l’évaluation (évaluation à mi-parcours, mesure d’impact social)."
            )
            objectives = (
                "- Animer la gouvernance du contrat\n- Suivre les indicateurs des actions\n- Préparer l’évaluation"
            )
            return title, description, objectives
        title, device, complement = self.title(rng, words, place, town, qpv, rural, publics, partners)
        sentences = [f"{device[0].upper()}{device[1:]}{complement}."]
        if publics:
            audience = ", ".join(labels.get(code, code).split(" (")[0] for code in publics)
            sentences.append(f"L’action s’adresse en priorité aux publics suivants : {audience}.")
        sentences.append(f"Elle est portée par {pilot_name}.")
        if partners:
            partner_text = ", ".join(labels.get(code, code) for code in partners[:3])
            sentences.append(f"Partenaires associés : {partner_text}.")
        if nature:
            sentences.append(NATURE_SENTENCES[nature])
        chosen = rng.sample(words["objectives"], min(len(words["objectives"]), 2 + (rng.random() < 0.4)))
        if beneficiaries:
            chosen.append(f"Toucher {beneficiaries} personnes en {self.year}")
        return title, " ".join(sentences), "\n".join(f"- {line}" for line in chosen)

    def title(
        self,
        rng: random.Random,
        words: dict,
        place: str,
        town: str,
        qpv: str,
        rural: str,
        publics: list[str],
        partners: list[str],
    ) -> tuple[str, str, str]:
        """(title, device, complement): a prefix, a device and a complement (place, public or partner), not
        yet used in the contract when four attempts allow it."""
        for _attempt in range(4):
            device = rng.choice(words["devices"])
            complement = ""
            draw = rng.random()
            if place and draw < 0.8:
                complement = f" {at_place(place)}" if place == town and rng.random() < 0.6 else f" – {place}"
            elif qpv == "OUI_EXCLUSIVEMENT" and draw < 0.9:
                complement = rng.choice([" dans les quartiers prioritaires", " en quartiers politique de la ville"])
            elif rural == "OUI_EXCLUSIVEMENT" and draw < 0.9:
                complement = rng.choice([" en milieu rural", " dans les territoires ruraux"])
            elif publics and draw < 0.5:
                complement = PUBLIC_PHRASES.get(rng.choice(publics), "")
            elif draw < 0.75:
                phrases = [PARTNER_PHRASES[p] for p in partners if p in PARTNER_PHRASES]
                complement = rng.choice(phrases) if phrases else ""
            if complement and complement.split()[0] in device.split():  # « … pour les collégiens pour les … »
                complement = ""
            title = f"{rng.choice(words['prefixes'])} : {device}{complement}"[:255]
            if title not in self.titles:
                break
        self.titles.add(title)
        return title, device, complement


def draft_contracts(plans: list[ContractPlan], drafter: Drafter, seed: int) -> Iterator[ContractDraft]:
    for plan in plans:
        yield drafter.contract(plan, seed)

"""Step 6, publics, places, pilots, partners and impacts, from the generator's drawing functions."""

from pilotactions.demo import plan as P
from pilotactions.demo.generator.reference import AuthorityInfo
from pilotactions.demo.generator.vocabulary import VOCABULARY, of_place

from .state import State, rng_for
from .targets import YOUTH_WITH_ASE


def choose_people_and_places(state: State) -> None:
    """Publics, place, pilot, partners and impacts of every action, authority by authority."""
    drafter = state.drafter
    for code, slots in state.by_authority.items():
        rng = rng_for("people", code)
        info = state.infos[code]
        nantes_towns = nantes_communes(state) if code == P.NANTES else []
        for index, slot in enumerate(slots):
            spec = slot.showcase or {}
            words = VOCABULARY[slot.subtheme]
            tables = drafter.vocabulary[slot.subtheme]
            # Publics: those of the sub-theme, none for actions without a direct impact.
            if spec:
                slot.publics = list(spec["publics"])
            elif slot.direct == "OUI":
                slot.publics = drafter.publics(rng, slot.type_code, tables, words) or [
                    tables["ages"].pick(rng) if tables["ages"] else "AGE_ADULTE_30P"
                ]
            # Where.
            if code == P.NANTES and not slot.steering:
                town_index = nantes_towns[index % len(nantes_towns)]
                pool = info.communes
                slot.communes = [pool.ids[town_index]]
                slot.place = slot.town = pool.names[town_index]
            elif spec.get("place"):
                slot.communes, slot.epcis, slot.place, slot.town = named_place(info, slot.scale, spec["place"])
            else:
                slot.communes, slot.epcis, slot.place, slot.town = drafter.places(rng, info, slot.scale)
            # Who.
            if spec.get("pilot"):
                slot.pilot_type, slot.pilot_name = spec["pilot"]
            elif code == P.NANTES and not slot.steering:
                slot.pilot_type = "PIL_COLLECTIVITE"
                slot.pilot_name = rng.choice(["Ville", "CCAS"]) + " " + of_place(slot.town)
            else:
                slot.pilot_type, slot.pilot_name = drafter.pilot(
                    rng, slot.type_code, info, slot.axis, slot.subtheme, slot.implementation, slot.town
                )
            if slot.steering:
                slot.pilot_type, slot.pilot_name = (
                    "PIL_COLLECTIVITE",
                    f"{info.name} – direction générale adjointe des solidarités",
                )
            partners = drafter.partners[slot.type_code].sample(rng, 1 + (rng.random() < 0.6) + (rng.random() < 0.3))
            slot.partners = [p for p in partners if p != ("PART_03" if slot.type_code == "CLS-D" else "PART_13")]
            slot.impacts = tables["impacts"].sample(rng, 1 + (rng.random() < 0.4))
    balance_youth_publics(state)


def nantes_communes(state: State) -> list[int]:
    """Indexes (in the authority's commune pool) of the 14 communes carrying Nantes Métropole's actions:
    the most populated, Nantes first."""
    pool = state.infos[P.NANTES].communes
    order = sorted(range(len(pool.ids)), key=lambda i: -pool.table.cum[i] + (pool.table.cum[i - 1] if i else 0))
    return order[: P.NANTES_COMMUNES]


def named_place(info: AuthorityInfo, scale: str, name: str) -> tuple[list[int], list[int], str, str]:
    """Communes and EPCI, place and town of a showcase action whose place the report names."""
    pool = info.communes
    if scale == "ECH_INTERCOMMUNALE" and info.epcis is not None:
        index = info.epcis.names.index(name)
        epci_id = info.epcis.ids[index]
        members = pool.by_group.get(epci_id, [])
        town = max(members, key=lambda i: pool.table.cum[i] - (pool.table.cum[i - 1] if i else 0))
        return [], [epci_id], name, pool.names[town]
    center = pool.names.index(name)
    neighbours = pool.by_group.get(pool.groups[center], [center])
    chosen = sorted({center, *neighbours[:8]})
    return sorted(pool.ids[i] for i in chosen), [], name, name


def balance_youth_publics(state: State) -> None:
    """14 % of the actions aimed at young adults include young adults leaving the ASE (II.publics.jeunes_ase)."""
    young = [s for s in state.slots if "AGE_JEUNE_18_30" in s.publics]
    target = round(YOUTH_WITH_ASE * len(young))
    with_ase = [s for s in young if "PUB_JEUNES_MAJEURS_ASE" in s.publics]
    rng = rng_for("ase")
    if len(with_ase) > target:
        for slot in rng.sample(sorted(with_ase, key=lambda s: s.reference), len(with_ase) - target):
            slot.publics.remove("PUB_JEUNES_MAJEURS_ASE")
    else:
        without = sorted(
            (s for s in young if s not in with_ase),
            key=lambda s: (s.subtheme != "A1_AUTONOMIE_JEUNES", rng.random()),
        )
        for slot in without[: target - len(with_ase)]:
            slot.publics.append("PUB_JEUNES_MAJEURS_ASE")

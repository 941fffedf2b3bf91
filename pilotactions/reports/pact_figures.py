"""Chapter III of the bilan: the local pacts' figures (`pl.*`), computed from `pacts_data.PactFacts`.

Every figure has one value column, "ALL" (a pact has no contract type). A share's base is the pacts or actions
that answered the question — for a question asked only after another answer (actors invited, when a meeting was
held; which difficulties, when some were met), the pacts that gave that answer —, and the ones that did not
answer are counted apart (`not_filled`), as in chapter II. The choices made where the report contradicts
itself are in docs/demo-data.md, « Chapitre III ».
"""

from collections import Counter, defaultdict
from decimal import Decimal

from pilotactions.core.formats import MONTHS

from .figures import Result, register, row, share
from .pacts_data import SOURCE, PactFacts

ALL = "ALL"
FILTERS = ("year", "survey_campaign", "region", "departement", "authority")
BASE_PACTS = "pactes locaux"
BASE_ACTIONS = "actions des pactes locaux"


def pacts_figure(**kwargs):
    """Registers a chapter III figure: it reads the pacts (not the contracts' aggregates) and has one column."""
    kwargs.setdefault("filters", FILTERS)
    return register(reads="pacts", source=SOURCE, **kwargs)


def one(value) -> dict:
    return {ALL: value}


def answered(records: list[dict], code: str) -> list:
    """The answers given to a question (missing and empty answers left out)."""
    return [r["answers"][code] for r in records if r["answers"].get(code) not in (None, "", [])]


def not_answered(records: list[dict], code: str) -> int:
    return sum(1 for r in records if r["answers"].get(code) in (None, "", []))


def option_rows(values: list, names: dict[str, str], *, keep_zero: bool = False) -> list[dict]:
    """One row per option of the list, its share of the answers (a multiple answer counts each option ticked);
    options nobody ticked are left out, as the report leaves them out, unless `keep_zero`."""
    counts = Counter()
    for value in values:
        counts.update(value if isinstance(value, list) else [value])
    return [
        row(code, label, one(share(counts[code], len(values))))
        for code, label in names.items()
        if keep_zero or counts[code]
    ]


def answer_shares(records: list[dict], code: str, names: dict[str, str], **kwargs) -> Result:
    values = answered(records, code)
    return Result(
        option_rows(values, names, **kwargs), base=one(len(values)), not_filled=one(not_answered(records, code))
    )


def with_answer(records: list[dict], code: str, accepted: set[str]) -> list[dict]:
    return [r for r in records if r["answers"].get(code) in accepted]


def amount(value) -> Decimal | None:
    return None if value is None else Decimal(value)


# --- III.1 The credits and the pacts ---------------------------------------------------------------


@pacts_figure(
    id="pl.credits.by_region",
    title="Crédits délégués aux commissaires pour les pactes locaux, par région",
    kind="map",
    unit="€",
    base_label="régions",
    chapter="III.1",
    note="Enveloppes régionales figées : l’indicateur de pauvreté par département, majoré pour les outre-mer, "
    "sommé par région. Une enveloppe est régionale : elle n’est pas donnée pour un département ni une collectivité.",
)
def credits_by_region(facts: PactFacts, labels):
    ranked = sorted(facts.envelopes.items(), key=lambda item: (-item[1], item[0]))
    rows = [row(code, facts.region_names.get(code, code), one(value)) for code, value in ranked]
    if len(rows) > 1:
        rows.append(row("total", "Total", one(sum(facts.envelopes.values()))))
    return Result(rows, base=one(len(facts.envelopes)))


@pacts_figure(
    id="pl.pacts.count",
    title="Pactes locaux conclus et leur budget",
    kind="table",
    unit="",
    base_label=BASE_PACTS,
    chapter="III.1",
    note="Un pacte abandonné n’est pas compté ; le budget d’un pacte est son budget total, tous financeurs.",
)
def pacts_count(facts: PactFacts, labels):
    budgets = [amount(p["total_budget"]) for p in facts.pacts if p.get("total_budget") is not None]
    credits = [amount(p["state_amount"]) for p in facts.pacts if p.get("state_amount") is not None]
    rows = [
        row("pacts", "Pactes locaux", one(len(facts.pacts))),
        row("actions", "Actions", one(len(facts.actions))),
        row("budget_total", "Budget total des pactes (€)", one(sum(budgets, Decimal(0)))),
        row("budget_mean", "Budget moyen d’un pacte (€)", one(sum(budgets) / len(budgets) if budgets else None)),
        row("credits", "Crédits des pactes engagés (€)", one(sum(credits, Decimal(0)))),
    ]
    return Result(rows, base=one(len(facts.pacts)), not_filled=one(len(facts.pacts) - len(budgets)))


@pacts_figure(
    id="pl.calendar",
    title="Calendrier de finalisation des pactes locaux (cumul)",
    kind="bars",
    unit="pactes",
    base_label="pactes locaux finalisés",
    chapter="III.1",
    note="Nombre cumulé de pactes finalisés à la fin de chaque mois, d’après la date de finalisation déclarée.",
)
def calendar(facts: PactFacts, labels):
    months = Counter(value[:7] for value in answered(facts.pacts, "finalised_on"))
    rows, total = [], 0
    for month in sorted(months):
        total += months[month]
        year, number = int(month[:4]), int(month[5:])
        rows.append(row(month, f"{MONTHS[number - 1]} {year}", one(total)))
    return Result(rows, base=one(total), not_filled=one(not_answered(facts.pacts, "finalised_on")))


# --- III.2 The construction of the pacts -----------------------------------------------------------

MET = {"OUI"}
SOME_DIFFICULTIES = {"DIF_OUI_UN_PEU", "DIF_OUI_BEAUCOUP"}
GOOD_DYNAMICS = {"DYN_TRES_BONNE", "DYN_PLUTOT_BONNE"}


def pact_question(figure_id, title, code, list_code, chapter="III.2", note="", among=None, base=BASE_PACTS):
    """A figure of the shares of the answers to a pact question; `among` = (question, codes) restricts the pacts
    to those that gave one of these answers to an earlier question."""

    @pacts_figure(
        id=figure_id, title=title, kind="bars", unit="%", base_label=base, chapter=chapter, note=note,
        list_code=list_code,
    )  # fmt: skip
    def compute(facts: PactFacts, labels):
        records = with_answer(facts.pacts, *among) if among else facts.pacts
        return answer_shares(records, code, labels(list_code))

    return compute


pact_question(
    "pl.forces_vives.meeting",
    "Réunion des forces vives du territoire pour co-construire le pacte",
    "forces_vives_meeting",
    "reunion_forces_vives",
)
pact_question(
    "pl.forces_vives.invited",
    "Acteurs invités à la réunion des forces vives",
    "actors_invited",
    "acteurs_forces_vives_pactes_locaux",
    among=("forces_vives_meeting", MET),
    base="pactes ayant réuni les forces vives",
)
pact_question(
    "pl.forces_vives.present",
    "Acteurs présents à la réunion des forces vives",
    "actors_present",
    "acteurs_forces_vives_pactes_locaux",
    among=("forces_vives_meeting", MET),
    base="pactes ayant réuni les forces vives",
)


@pacts_figure(
    id="pl.forces_vives.participation",
    title="Participation des acteurs invités à la réunion des forces vives",
    kind="table",
    unit="%",
    base_label="pactes ayant réuni les forces vives",
    chapter="III.2",
    note="Une réunion où tous les acteurs invités étaient présents : chaque acteur invité est aussi coché présent.",
)
def participation(facts: PactFacts, labels):
    met = [p for p in with_answer(facts.pacts, "forces_vives_meeting", MET) if p["answers"].get("actors_invited")]
    full = sum(1 for p in met if set(p["answers"]["actors_invited"]) <= set(p["answers"].get("actors_present") or []))
    rows = [
        row("all_present", "Tous les acteurs invités ont participé", one(share(full, len(met)))),
        row("some_absent", "Des acteurs invités n’ont pas participé", one(share(len(met) - full, len(met)))),
    ]
    return Result(rows, base=one(len(met)))


pact_question(
    "pl.comitology",
    "Comitologie dans laquelle s’inscrit le pacte local",
    "comitology",
    "comitologie",
)
pact_question(
    "pl.dynamics",
    "Dynamique globale de la démarche de construction du pacte local",
    "construction_dynamics",
    "echelle_dynamique_construction",
)
pact_question(
    "pl.successes",
    "Principales réussites de la démarche de construction",
    "successes",
    "reussites",
    note="Plusieurs réponses possibles : le total dépasse 100 %.",
)
pact_question(
    "pl.difficulties.level",
    "Difficultés rencontrées dans la construction du pacte local",
    "difficulties_level",
    "echelle_difficultes_rencontrees",
)
pact_question(
    "pl.difficulties.which",
    "Difficultés rencontrées, parmi les pactes qui en ont rencontré",
    "difficulties",
    "difficultes_rencontrees",
    among=("difficulties_level", SOME_DIFFICULTIES),
    base="pactes ayant rencontré des difficultés",
    note="Plusieurs réponses possibles : le total dépasse 100 %.",
)


def region_rows(facts: PactFacts, selected) -> Result:
    """Per région: the share of its answering pacts for which `selected(answers)` is true, from the lowest share;
    `selected` returns None when the pact did not answer."""
    counts = defaultdict(lambda: [0, 0])
    for pact in facts.pacts:
        verdict = selected(pact["answers"])
        if verdict is not None:
            counts[pact["region"]][0] += bool(verdict)
            counts[pact["region"]][1] += 1
    ranked = sorted(counts.items(), key=lambda item: (share(*item[1]), item[0]))
    rows = [row(code, facts.region_names.get(code, code), one(share(n, d))) for code, (n, d) in ranked]
    return Result(rows, base=one(sum(d for _n, d in counts.values())))


def answer_is(code: str, accepted: set[str]):
    def selected(answers):
        value = answers.get(code)
        if value in (None, "", []):
            return None
        return bool(set(value) & accepted) if isinstance(value, list) else value in accepted

    return selected


@pacts_figure(
    id="pl.regions.forces_vives_meeting",
    title="Part des pactes ayant réuni les forces vives, par région",
    kind="bars",
    unit="%",
    base_label=BASE_PACTS,
    chapter="III.2",
    note="Régions classées de la part la plus faible à la plus forte.",
)
def regions_meeting(facts: PactFacts, labels):
    return region_rows(facts, answer_is("forces_vives_meeting", MET))


@pacts_figure(
    id="pl.regions.good_dynamics",
    title="Part des pactes dont la dynamique de construction est bonne ou plutôt bonne, par région",
    kind="bars",
    unit="%",
    base_label=BASE_PACTS,
    chapter="III.2",
    note="Régions classées de la part la plus faible à la plus forte.",
)
def regions_dynamics(facts: PactFacts, labels):
    return region_rows(facts, answer_is("construction_dynamics", GOOD_DYNAMICS))


@pacts_figure(
    id="pl.regions.no_success",
    title="Part des pactes sans réussite particulière, par région",
    kind="bars",
    unit="%",
    base_label=BASE_PACTS,
    chapter="III.2",
    note="Régions classées de la part la plus faible à la plus forte.",
)
def regions_no_success(facts: PactFacts, labels):
    return region_rows(facts, answer_is("successes", {"REU_AUCUNE"}))


# --- III.3 The actions of the pacts -----------------------------------------------------------------


def action_question(figure_id, title, code, list_code, note="", among=None, base=BASE_ACTIONS, keep_zero=False):
    @pacts_figure(
        id=figure_id, title=title, kind="bars", unit="%", base_label=base, chapter="III.3", note=note,
        list_code=list_code,
    )  # fmt: skip
    def compute(facts: PactFacts, labels):
        records = with_answer(facts.actions, *among) if among else facts.actions
        return answer_shares(records, code, labels(list_code), keep_zero=keep_zero)

    return compute


MULTIPLE = "Plusieurs réponses possibles : le total dépasse 100 %."
action_question(
    "pl.actions.policy_fields",
    "Champs d’action publique des actions des pactes locaux",
    "policy_fields",
    "champs_action_publique_pactes_locaux",
    note=MULTIPLE,
)
action_question("pl.actions.scale", "Échelle géographique des actions", "scale", "echelle_geographique_pactes_locaux")


@pacts_figure(
    id="pl.actions.specific_public",
    title="Actions ciblant un public spécifique",
    kind="bars",
    unit="%",
    base_label=BASE_ACTIONS,
    chapter="III.3",
)
def specific_public(facts: PactFacts, labels):
    return answer_shares(facts.actions, "targets_specific_public", {"OUI": "Oui", "NON": "Non"})


action_question(
    "pl.actions.target_publics",
    "Publics cibles des actions, parmi celles qui ciblent un public spécifique",
    "target_publics",
    "publics_cibles",
    among=("targets_specific_public", {"OUI"}),
    base="actions ciblant un public spécifique",
    note=MULTIPLE,
)
action_question(
    "pl.actions.qpv", "Actions ciblant les habitants des quartiers prioritaires (QPV)", "qpv_targeting",
    "ciblage_qpv_rural", keep_zero=True,
)  # fmt: skip
action_question(
    "pl.actions.rural", "Actions ciblant les habitants des zones rurales", "rural_targeting", "ciblage_qpv_rural",
    keep_zero=True,
)  # fmt: skip


@pacts_figure(
    id="pl.actions.beneficiaries",
    title="Bénéficiaires visés et touchés par les actions des pactes locaux",
    kind="table",
    unit="personnes",
    base_label=BASE_ACTIONS,
    chapter="III.3",
    note="Sommes sur les actions qui ont déclaré leurs bénéficiaires visés ; le taux d’atteinte rapporte les "
    "bénéficiaires touchés aux bénéficiaires visés des mêmes actions.",
)
def beneficiaries(facts: PactFacts, labels):
    declared = [a["answers"] for a in facts.actions if a["answers"].get("beneficiaries_target") is not None]
    targeted = sum(a["beneficiaries_target"] for a in declared)
    reached = sum(a.get("beneficiaries_reached") or 0 for a in declared)
    rows = [
        row("targeted", "Bénéficiaires visés", one(targeted)),
        row("reached", "Bénéficiaires touchés", one(reached)),
        row("rate", "Taux d’atteinte (%)", one(share(reached, targeted))),
    ]
    return Result(rows, base=one(len(declared)), not_filled=one(len(facts.actions) - len(declared)))


action_question(
    "pl.actions.beneficiaries_bracket",
    "Volume de bénéficiaires visés par action",
    "beneficiaries_bracket",
    "volumes_beneficiaires",
)
action_question("pl.actions.pilot_type", "Type de pilote des actions", "pilot_type", "types_pilote_pactes_locaux")
action_question(
    "pl.actions.partners", "Partenaires des actions", "partners", "partenaires_pactes_locaux", note=MULTIPLE
)
action_question(
    "pl.actions.resources", "Ressources mobilisées par les actions", "resources", "ressources_mobilisees",
    note=MULTIPLE,
)  # fmt: skip


@pacts_figure(
    id="pl.actions.budget_brackets",
    title="Répartition des actions selon leur budget total",
    kind="bars",
    unit="%",
    base_label=BASE_ACTIONS,
    chapter="III.3",
    list_code="tranches_budget_action",
    note="Tranche déduite du budget total de l’action ; « Non renseigné » : budget total non déclaré.",
)
def budget_brackets(facts: PactFacts, labels):
    names = labels("tranches_budget_action")
    unknown = next((code for code, label in names.items() if label == "Non renseigné"), None)
    values = [a.get("budget_bracket") or unknown for a in facts.actions]
    ordered = dict(reversed(list(names.items())))  # from the smallest bracket, as the report prints them
    if unknown in ordered:  # « Non renseigné » first, as printed
        ordered = {unknown: ordered.pop(unknown), **ordered}
    return Result(option_rows([v for v in values if v], ordered), base=one(len(values)))


@pacts_figure(
    id="pl.actions.budget",
    title="Budget des actions des pactes locaux",
    kind="table",
    unit="€",
    base_label="actions dont le budget total est déclaré",
    chapter="III.3",
)
def action_budget(facts: PactFacts, labels):
    budgets = [amount(a["total_budget"]) for a in facts.actions if a.get("total_budget") is not None]
    rows = [
        row("mean", "Budget moyen", one(sum(budgets) / len(budgets) if budgets else None)),
        row("min", "Budget minimal", one(min(budgets, default=None))),
        row("max", "Budget maximal", one(max(budgets, default=None))),
    ]
    return Result(rows, base=one(len(budgets)), not_filled=one(len(facts.actions) - len(budgets)))


def cofinanced(action: dict) -> bool | None:
    """Whether an action has financers besides the pact's credits: None when its budget is not declared."""
    if action.get("total_budget") is None:
        return None
    return bool(action.get("cofinancings")) or amount(action["total_budget"]) > (amount(action["state_amount"]) or 0)


@pacts_figure(
    id="pl.actions.cofinancing",
    title="Cofinancement des actions par les crédits des pactes locaux",
    kind="table",
    unit="%",
    base_label=BASE_ACTIONS,
    chapter="III.3",
    note="Une action est cofinancée quand d’autres financeurs que les crédits du pacte y contribuent ; « non "
    "renseigné » : budget total non déclaré. Le montant moyen est celui des crédits du pacte dans les actions "
    "cofinancées.",
)
def cofinancing(facts: PactFacts, labels):
    verdicts = [cofinanced(a) for a in facts.actions]
    total = len(verdicts)
    with_cofinancing = [a for a, v in zip(facts.actions, verdicts, strict=True) if v]
    credits = [amount(a["state_amount"]) for a in with_cofinancing if a.get("state_amount") is not None]
    without = verdicts.count(False)
    rows = [
        row("cofinanced", "Actions cofinancées (%)", one(share(len(with_cofinancing), total))),
        row("not_cofinanced", "Actions sans cofinancement (%)", one(share(without, total))),
        row("not_filled", "Cofinancement non renseigné (%)", one(share(verdicts.count(None), total))),
        row("not_cofinanced_count", "Actions sans cofinancement (nombre)", one(without)),
        row("mean_credits", "Crédits du pacte par action cofinancée, en moyenne (€)", one(
            sum(credits) / len(credits) if credits else None
        )),
    ]  # fmt: skip
    return Result(rows, base=one(total))


@pacts_figure(
    id="pl.actions.cofinancers",
    title="Catégories de co-financeurs des actions",
    kind="bars",
    unit="%",
    base_label="co-financements des actions",
    chapter="III.3",
    list_code="cofinanceurs_pactes_locaux",
    note="Part de chaque catégorie parmi les co-financements déclarés (un co-financeur par ligne de financement).",
)
def cofinancers(facts: PactFacts, labels):
    values = [c["financer_type"] for a in facts.actions for c in a.get("cofinancings", [])]
    return Result(option_rows(values, labels("cofinanceurs_pactes_locaux")), base=one(len(values)))


action_question("pl.actions.duration", "Durée des actions", "duration", "duree_actions")
action_question("pl.actions.progress", "État d’avancement des actions", "progress_status", "etat_avancement_actions")


@pacts_figure(
    id="pl.actions.deployment",
    title="Actions dont le déploiement est jugé satisfaisant",
    kind="bars",
    unit="%",
    base_label=BASE_ACTIONS,
    chapter="III.3",
)
def deployment(facts: PactFacts, labels):
    return answer_shares(facts.actions, "deployment_satisfactory", {"OUI": "Oui", "NON": "Non"})


action_question(
    "pl.actions.expected_impacts", "Impacts attendus des actions", "expected_impacts", "impacts_attendus",
    note=MULTIPLE,
)  # fmt: skip
action_question(
    "pl.actions.direct_impact", "Actions ayant un impact direct sur les usagers", "direct_impact",
    "impact_direct_usagers",
)  # fmt: skip

# --- III.4 What the pacts brought ---------------------------------------------------------------------

pact_question(
    "pl.satisfaction",
    "Satisfaction des acteurs locaux",
    "satisfaction",
    "echelle_satisfaction",
    chapter="III.4",
)
pact_question(
    "pl.contributions",
    "Ce que le pacte local a apporté sur le territoire",
    "contributions",
    "apports_pacte_local",
    chapter="III.4",
    note=MULTIPLE,
)

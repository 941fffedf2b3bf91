"""Chapter III of the bilan: the local pacts' figures (`pl.*`), computed from `pacts_data.PactFacts` (the
régions' tallies, `pact_tally.PactTally`, and the frozen envelopes).

Every figure has one value column, "ALL" (a pact has no contract type). A share's base is the pacts or actions
that answered the question — for a question asked only after another answer (actors invited, when a meeting was
held; which difficulties, when some were met), the pacts that gave that answer —, and the ones that did not
answer are counted apart (`not_filled`), as in chapter II. The choices made where the report contradicts
itself are in docs/demo-data.md, « Chapitre III ».
"""

from decimal import Decimal

from pilotactions.core.formats import MONTHS

from .figures import Result, register, row, share
from .pact_tally import PactTally
from .pacts_data import SOURCE, PactFacts

ALL = "ALL"
FILTERS = ("year", "survey_campaign", "region", "departement", "authority")
BASE_PACTS = "pactes locaux"
BASE_ACTIONS = "actions des pactes locaux"
# The singulars of the bases that dropping the « s » does not make (« 1 pacte local »).
SINGULARS = {
    "pactes locaux": "pacte local",
    "actions des pactes locaux": "action des pactes locaux",
    "pactes ayant réuni les forces vives": "pacte ayant réuni les forces vives",
    "pactes ayant rencontré des difficultés": "pacte ayant rencontré des difficultés",
    "pactes locaux finalisés": "pacte local finalisé",
    "co-financements des actions": "co-financement des actions",
}
MULTIPLE = "Plusieurs réponses possibles : le total dépasse 100 %."
YES_NO = {"OUI": "Oui", "NON": "Non"}
GOOD_DYNAMICS = ("DYN_TRES_BONNE", "DYN_PLUTOT_BONNE")


def pacts_figure(**kwargs):
    """Registers a chapter III figure: it reads the pacts (not the contracts' aggregates) and has one column."""
    kwargs.setdefault("filters", FILTERS)
    kwargs.setdefault("base_singular", SINGULARS.get(kwargs["base_label"]))
    kwargs.setdefault("source", SOURCE)
    return register(reads="pacts", **kwargs)


def one(value) -> dict:
    return {ALL: value}


def mean(total, count):
    return Decimal(total) / count if count else None


def option_rows(tally: PactTally, level: str, code: str, names: dict[str, str], subset="", keep_zero=False):
    """One row per option of the list, its share of the records that answered (a multiple answer counts each
    option ticked); options nobody ticked are left out, as the report leaves them out, unless `keep_zero`."""
    answered = tally.count(level, code, subset=subset)
    return [
        row(option, label, one(share(tally.count(level, code, option, subset), answered)))
        for option, label in names.items()
        if keep_zero or tally.count(level, code, option, subset)
    ]


def answer_shares(
    tally: PactTally, level: str, code: str, names: dict[str, str], subset="", over_all=False, **kwargs
) -> Result:
    """The shares of the answers; `over_all`: of every record, those that did not answer in a row of their own
    (for a question that may be left blank, as the report counts the actions' duration)."""
    answered = tally.count(level, code, subset=subset)
    missing = tally.size(level, subset) - answered
    rows = option_rows(tally, level, code, names, subset, **kwargs)
    if over_all:
        whole = tally.size(level, subset)
        for row_ in rows:
            row_["values"] = one(share(tally.count(level, code, row_["key"], subset), whole))
        if missing:
            rows.append(row("not_filled", "Non renseigné", one(share(missing, whole))))
        return Result(rows, base=one(whole))
    return Result(
        rows,
        base=one(answered),
        not_filled=one(missing) if missing else {},  # no « Non renseigné : 0 » beside a « non renseigné » option
    )


def counter_shares(counts, names: dict[str, str]) -> Result:
    """One row per option of a plain count (co-financings, brackets), its share of the whole count."""
    total = sum(counts.values())
    rows = [row(code, label, one(share(counts[code], total))) for code, label in names.items() if counts.get(code)]
    return Result(rows, base=one(total))


# --- III.1 The credits and the pacts ---------------------------------------------------------------


@pacts_figure(
    id="pl.credits.by_region",
    title="Crédits délégués aux commissaires pour les pactes locaux, par région",
    kind="map",
    unit="€",
    base_label="régions",
    chapter="III.1",
    source="Enveloppes régionales figées par la DIPLP",
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
    tally = facts.total
    pacts, counted = tally.size("pact"), tally.sums["pact_budget_n"]
    rows = [
        row("pacts", "Pactes locaux", one(pacts)),
        row("actions", "Actions", one(tally.size("action"))),
        row("budget_total", "Budget total des pactes (€)", one(Decimal(tally.sums["pact_budget"]))),
        row("budget_mean", "Budget moyen d’un pacte (€)", one(mean(tally.sums["pact_budget"], counted))),
        row("credits", "Crédits des pactes engagés (€)", one(Decimal(tally.sums["pact_credits"]))),
    ]
    return Result(rows, base=one(pacts), not_filled=one(pacts - counted))


@pacts_figure(
    id="pl.calendar",
    title="Calendrier de finalisation des pactes locaux (cumul)",
    kind="bars",
    unit="pactes",
    base_label="pactes locaux finalisés",
    chapter="III.1",
    note="Nombre cumulé de pactes finalisés à la fin de chaque mois, d’après la date de finalisation déclarée ; "
    "les pactes encore en construction n’y sont pas.",
)
def calendar(facts: PactFacts, labels):
    months = facts.total.months
    rows, total = [], 0
    for month in sorted(months):
        total += months[month]
        year, number = int(month[:4]), int(month[5:])
        rows.append(row(month, f"{MONTHS[number - 1]} {year}", one(total)))
    undated = int(facts.total.sums["finalised"]) - total  # finalised pacts whose date is not given
    return Result(rows, base=one(total), not_filled=one(undated) if undated else {})


# --- III.2 The construction of the pacts -----------------------------------------------------------


def pact_question(figure_id, title, code, list_code, chapter="III.2", note="", among="", base=BASE_PACTS):
    """A figure of the shares of the answers to a pact question; `among` names the pacts it is asked to
    (`pact_tally.SUBSETS`: those that gave one of some answers to an earlier question), all of them by default."""

    @pacts_figure(
        id=figure_id, title=title, kind="bars", unit="%", base_label=base, chapter=chapter, note=note,
        list_code=list_code,
    )  # fmt: skip
    def compute(facts: PactFacts, labels):
        return answer_shares(facts.total, "pact", code, labels(list_code), subset=among)

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
    among="met",
    base="pactes ayant réuni les forces vives",
)
pact_question(
    "pl.forces_vives.present",
    "Acteurs présents à la réunion des forces vives",
    "actors_present",
    "acteurs_forces_vives_pactes_locaux",
    among="met",
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
    met, full = facts.total.sums["meetings_with_invited"], facts.total.sums["meetings_full"]
    rows = [
        row("all_present", "Tous les acteurs invités ont participé", one(share(full, met))),
        row("some_absent", "Des acteurs invités n’ont pas participé", one(share(met - full, met))),
    ]
    return Result(rows, base=one(met))


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
    note=MULTIPLE,
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
    among="difficulties",
    base="pactes ayant rencontré des difficultés",
    note=MULTIPLE,
)


def region_rows(facts: PactFacts, question: str, codes: tuple[str, ...]) -> Result:
    """Per région: the share of its pacts that answered `question` whose answer is one of `codes` (for a multiple
    choice, the codes must exclude each other, as « aucune réussite particulière » is ticked alone), from the
    lowest share. Not for a département or an authority: only part of each région's pacts would be counted."""
    if not facts.whole_regions:
        return Result([], base=one(0))
    shares = {}
    for code, tally in facts.by_region.items():
        answered = tally.count("pact", question)
        if answered:
            selected = sum(tally.count("pact", question, option) for option in codes)
            shares[code] = (share(selected, answered), answered)
    ranked = sorted(shares.items(), key=lambda item: (item[1][0], item[0]))
    rows = [row(code, facts.region_names.get(code, code), one(value)) for code, (value, _n) in ranked]
    return Result(rows, base=one(sum(n for _value, n in shares.values())))


def region_figure(figure_id, title, question, codes):
    @pacts_figure(
        id=figure_id, title=title, kind="bars", unit="%", base_label=BASE_PACTS, chapter="III.2",
        note="Régions classées de la part la plus faible à la plus forte ; pas pour un département ni une "
        "collectivité, qui ne couvrent qu’une partie des pactes de leur région.",
    )  # fmt: skip
    def compute(facts: PactFacts, labels):
        return region_rows(facts, question, codes)

    return compute


region_figure(
    "pl.regions.forces_vives_meeting",
    "Part des pactes ayant réuni les forces vives, par région",
    "forces_vives_meeting",
    ("OUI",),
)
region_figure(
    "pl.regions.good_dynamics",
    "Part des pactes dont la dynamique de construction est bonne ou plutôt bonne, par région",
    "construction_dynamics",
    GOOD_DYNAMICS,
)
region_figure(
    "pl.regions.no_success",
    "Part des pactes sans réussite particulière, par région",
    "successes",
    ("REU_AUCUNE",),
)

# --- III.3 The actions of the pacts -----------------------------------------------------------------


def action_question(
    figure_id, title, code, list_code, note="", among="", base=BASE_ACTIONS, keep_zero=False, over_all=False
):
    @pacts_figure(
        id=figure_id, title=title, kind="bars", unit="%", base_label=base, chapter="III.3", note=note,
        list_code=list_code,
    )  # fmt: skip
    def compute(facts: PactFacts, labels):
        names = labels(list_code) if list_code else YES_NO
        return answer_shares(facts.total, "action", code, names, subset=among, keep_zero=keep_zero, over_all=over_all)

    return compute


action_question(
    "pl.actions.policy_fields",
    "Champs d’action publique des actions des pactes locaux",
    "policy_fields",
    "champs_action_publique_pactes_locaux",
    note=MULTIPLE,
)
action_question("pl.actions.scale", "Échelle géographique des actions", "scale", "echelle_geographique_pactes_locaux")
action_question("pl.actions.specific_public", "Actions ciblant un public spécifique", "targets_specific_public", None)
action_question(
    "pl.actions.target_publics",
    "Publics cibles des actions, parmi celles qui ciblent un public spécifique",
    "target_publics",
    "publics_cibles",
    among="specific_public",
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
    sums = facts.total.sums
    declared, targeted, reached = (int(sums[f"beneficiaries_{k}"]) for k in ("declared", "targeted", "reached"))
    rows = [
        row("targeted", "Bénéficiaires visés", one(targeted)),
        row("reached", "Bénéficiaires touchés", one(reached)),
        row("rate", "Taux d’atteinte (%)", one(share(reached, targeted))),
    ]
    return Result(rows, base=one(declared), not_filled=one(facts.total.size("action") - declared))


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
    unknown = next((code for code, label in names.items() if label == "Non renseigné"), "")
    counts = dict(facts.total.brackets)
    counts[unknown] = counts.get(unknown, 0) + counts.pop("", 0)  # no bracket: no budget declared
    return counter_shares(counts, names)


@pacts_figure(
    id="pl.actions.budget",
    title="Budget des actions des pactes locaux",
    kind="table",
    unit="€",
    base_label="actions dont le budget total est déclaré",
    chapter="III.3",
)
def action_budget(facts: PactFacts, labels):
    tally = facts.total
    counted = tally.sums["action_budget_n"]
    rows = [
        row("mean", "Budget moyen", one(mean(tally.sums["action_budget"], counted))),
        row("min", "Budget minimal", one(tally.extremes.get("action_budget_min"))),
        row("max", "Budget maximal", one(tally.extremes.get("action_budget_max"))),
    ]
    return Result(rows, base=one(counted), not_filled=one(tally.size("action") - counted))


@pacts_figure(
    id="pl.actions.cofinancing",
    title="Cofinancement des actions par les crédits des pactes locaux",
    kind="table",
    unit="",  # shares, a count and an amount: each row says its unit
    base_label=BASE_ACTIONS,
    chapter="III.3",
    note="Une action est cofinancée quand d’autres financeurs que les crédits du pacte y contribuent ; « non "
    "renseigné » : budget total non déclaré. Le montant moyen est celui des crédits du pacte dans les actions "
    "cofinancées.",
)
def cofinancing(facts: PactFacts, labels):
    sums, total = facts.total.sums, facts.total.size("action")
    rows = [
        row("cofinanced", "Actions cofinancées (%)", one(share(sums["cofinanced"], total))),
        row("not_cofinanced", "Actions sans cofinancement (%)", one(share(sums["not_cofinanced"], total))),
        row("not_filled", "Cofinancement non renseigné (%)", one(share(sums["cofinancing_unknown"], total))),
        row("not_cofinanced_count", "Actions sans cofinancement (nombre)", one(int(sums["not_cofinanced"]))),
        row("mean_credits", "Crédits du pacte par action cofinancée, en moyenne (€)", one(
            mean(sums["cofinanced_credits"], sums["cofinanced_credits_n"])
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
    return counter_shares(facts.total.cofinancers, labels("cofinanceurs_pactes_locaux"))


action_question(
    "pl.actions.duration", "Durée des actions", "duration", "duree_actions", over_all=True,
    note="Parts de toutes les actions, celles dont la durée n’est pas renseignée comprises.",
)  # fmt: skip
action_question("pl.actions.progress", "État d’avancement des actions", "progress_status", "etat_avancement_actions")
action_question(
    "pl.actions.deployment", "Actions dont le déploiement est jugé satisfaisant", "deployment_satisfactory", None
)
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

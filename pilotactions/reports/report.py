"""The report: the bilan's figures laid out in the published report's chapters, with computed summaries,
for the nation or as a fiche for one région, département or authority compared with the nation."""

import math
import re
from collections import Counter
from decimal import Decimal

from django.utils import formats as django_formats
from django.utils import timezone

from pilotactions.campaigns.enums import DossierState
from pilotactions.campaigns.models import Campaign
from pilotactions.core import formats
from pilotactions.core.charts import bars
from pilotactions.measures import periods
from pilotactions.measures.enums import CommitteeState
from pilotactions.measures.models import Committee
from pilotactions.measures.selectors import indicator_value_text
from pilotactions.pacts.enums import PactStatus
from pilotactions.pacts.models import Pact
from pilotactions.territories.models import Authority, Departement, Region

from . import chapter2_text
from . import render as figure_render
from .aggregates import Scope
from .bilan import bilan_build
from .document import Comparison, ReportDocument, ReportFigure, ReportSection, TableRow
from .figures import CHAPTERS, REGISTRY
from .models import ReportText
from .pacts_data import in_scope, survey_campaign_year

METHODOLOGY, SYNTHESIS = "methodology", "synthesis"
# The published report's structure (the bilan 2025): chapter I opens on the budget table, then the measures
# dashboard (then its other sections in figures.CHAPTERS order); chapter II presents the contracts, then the
# methodology box, the financial figures, the actions, the beneficiaries, and ends on « En synthèse ». Every
# writer prints this order: it is held here once, as data.
REPORT_CHAPTERS = {
    "I": ["I.2", "I.1"],
    "II": ["II.1", METHODOLOGY, "II.2", "II.3", "II.4", "II.5", SYNTHESIS],
    "III": ["III.1", "III.2", "III.3", "III.4"],
}
# The section after which the pacts chosen by the DIPLP are printed, each in an « Illustration » box: the one
# of what the pacts brought (the survey's « Illustration » question closes it).
ILLUSTRATED_SECTION = "III.4"
# A fiche compares its territory with the nation: chapter III's figures (one value column) get a second one.
NATIONAL_COLUMN = "France entière"
# Figures whose rows are cumulated counts (a month of the calendar): a month the territory lacks keeps its total.
CUMULATED = {"pl.calendar"}
# Figures whose rows are régions: a fiche's région has its own row only, the others are not zero but absent.
REGION_ROWS = {"pl.credits.by_region", "pl.regions.forces_vives_meeting", "pl.regions.good_dynamics",
               "pl.regions.no_success"}  # fmt: skip
PART_TITLES = {METHODOLOGY: "Encadré méthodologique", SYNTHESIS: "En synthèse"}
PART_KINDS = {METHODOLOGY: "box", SYNTHESIS: "synthesis"}
# The « Champ : » line the publication prints under a figure ({year}: the report's year).
CHAMPS = {
    "cls.map.third_party_share": "montants totaux des contrats locaux des solidarités {year} (crédits de l’État, "
    "des collectivités et des financeurs tiers)",
    "cls.map.action_budget_mean": "montants totaux des contrats locaux des solidarités {year} (crédits de l’État, "
    "des collectivités et des financeurs tiers)",
}


def chapter_parts(chapter: str) -> list[str]:
    """The keys of a chapter's parts in the published order: figure sections (figures.CHAPTERS) and boxes."""
    order = REPORT_CHAPTERS.get(chapter, [])
    return [*order, *(key for key in CHAPTERS[chapter]["sections"] if key not in order)]


def _values(figures, figure_id, key="total"):
    figure = figures.get(figure_id)
    if figure is None:
        return {}
    return next((r["values"] for r in figure["rows"] if r["key"] == key), {})


def _pct(value) -> str:
    return formats.percent(value) if value is not None else "—"


def _euros(value) -> str:
    return formats.euros(value) if value is not None else "—"


def _portion(value) -> str:
    """A share worded as the published report words it, with its value: « la majorité (52 %) » above half,
    « près de la moitié (48 %) » from 45 % (docs/demo-data.md, decision 13), otherwise « 30 % »."""
    if value is not None and value > 50:
        return f"la majorité ({_pct(value)})"
    if value is not None and value >= 45:
        return f"près de la moitié ({_pct(value)})"
    return _pct(value)


def summaries(figures: dict, year: int, cases: dict | None = None) -> dict[str, list[str]]:
    """One or two sentences per section, every number computed from the figures; `cases` names what the figures
    do not (chapter2_text.named_cases)."""
    cases = cases or {}
    contracts = _values(figures, "cls.contracts.count")
    actions = _values(figures, "cls.actions.count")
    budget = {k: _values(figures, "cls.budget.total", k) for k in ["state", "authority", "third_party", "total"]}
    out = {key: [] for key in CHAPTERS["II"]["sections"]}
    if not actions.get("ALL"):
        for key in out:
            out[key].append("Aucune action n’est enregistrée pour ce périmètre et cette année.")
        return out
    share_d = Decimal(actions.get("CLS-D", 0)) * 100 / actions["ALL"]
    out["II.1"].append(
        f"En {year}, {formats.counted(contracts.get('ALL', 0), 'contrats locaux des solidarités', 'contrat local des solidarités')} "
        f"{'comptent' if contracts.get('ALL', 0) > 1 else 'compte'} au moins une action "
        f"({formats.counted(contracts.get('CLS-D', 0), 'départementaux', 'départemental')} et "
        f"{formats.counted(contracts.get('CLS-M', 0), 'métropolitains', 'métropolitain')}), pour "
        f"{formats.counted(actions['ALL'], 'actions')}"
        + (
            f", dont {_pct(share_d)} dans les contrats départementaux et {_pct(100 - share_d)} dans les contrats "
            "métropolitains."
            if actions.get("CLS-D") and actions.get("CLS-M")
            else "."
        )
    )
    out["II.1"] += chapter2_text.contracts_sentences(cases)
    out["II.1"] += chapter2_text.contract_sizes(cases)
    third = _values(figures, "cls.budget.third_party_share").get("ALL")
    out["II.2"].append(
        f"En {year}, les contrats locaux des solidarités représentent un budget de {_euros(budget['total'].get('ALL'))}, "
        f"dont {_pct(third)} apportés par des financeurs tiers. Les crédits de l’État s’élèvent à "
        f"{_euros(budget['state'].get('ALL'))} ({_euros(budget['state'].get('CLS-D'))} dans les contrats départementaux, "
        f"{_euros(budget['state'].get('CLS-M'))} dans les contrats métropolitains)."
    )
    cofinanced = _values(figures, "cls.actions.cofinanced_share")
    out["II.2"].append(
        f"{_pct(cofinanced.get('ALL'))} des actions sont cofinancées par des tiers ({_pct(cofinanced.get('CLS-D'))} des "
        f"actions départementales, {_pct(cofinanced.get('CLS-M'))} des actions métropolitaines)."
    )
    regions = sorted(figures["cls.budget.by_region"]["rows"], key=lambda r: r["values"]["ALL"], reverse=True)
    if len(regions) > 4 and budget["total"].get("ALL"):
        top = regions[:4]
        top_share = sum(r["values"]["ALL"] for r in top) * 100 / budget["total"]["ALL"]
        names = ", ".join(r["label"] for r in top[:3]) + f" et {top[3]['label']}"
        first_two = sum(r["values"]["ALL"] for r in top[:2]) * 100 / budget["total"]["ALL"]
        out["II.2"].append(
            f"Quatre régions concentrent {_portion(top_share)} des crédits : {names} ; les deux premières en "
            f"réunissent {_pct(first_two)}."
        )
    contracts_by_budget = sorted(
        (r for r in figures.get("cls.budget.by_authority", {}).get("rows", []) if r["values"].get("ALL")),
        key=lambda r: r["values"]["ALL"],
    )
    if len(contracts_by_budget) > 1:
        largest, smallest = contracts_by_budget[-1], contracts_by_budget[0]
        out["II.2"].append(
            f"Les budgets des contrats diffèrent fortement : le plus important ({largest['label']}) atteint "
            f"{_euros(largest['values']['ALL'])}, quand le plus modeste ({smallest['label']}) s’élève à "
            f"{_euros(smallest['values']['ALL'])}."
        )
    if cases.get("third_party_top"):
        name, value = cases["third_party_top"]
        out["II.2"].append(
            f"La part des financeurs tiers la plus élevée revient à {name} : {_pct(value)} du budget de son contrat."
        )
    out["II.2"] += chapter2_text.third_party_map(figures)
    per_contract = {k: _values(figures, "cls.actions.per_contract", k).get("ALL") for k in ["mean", "min", "max"]}
    mean = _values(figures, "cls.action_budget.mean").get("ALL")
    median = _values(figures, "cls.action_budget.median").get("ALL")
    nature = {r["key"]: r["values"].get("ALL") for r in figures["cls.nature"]["rows"]}
    new_or_reinforced = (nature.get("NOUVELLE") or 0) + (nature.get("EXISTANTE_RENFORCEE") or 0)
    steering = _values(figures, "cls.steering_fte").get("ALL")
    out["II.3"].append(
        f"On compte en moyenne {formats.number(per_contract['mean'], 1)} actions par contrat (de "
        f"{per_contract['min']} à {per_contract['max']}). Le budget moyen d’une action s’élève à {_euros(mean)} et la "
        f"moitié des actions ont un budget supérieur à {_euros(median)}."
    )
    if nature:  # the nature of the actions is entered for some at least
        out["II.3"].append(
            f"{_pct(new_or_reinforced)} des actions sont nouvelles ou renforcées, dont "
            f"{_pct(nature.get('NOUVELLE') or 0)} de nouvelles."
        )
    if steering:
        out["II.3"].append(
            f"{formats.counted(steering, 'collectivités')} "
            f"{'financent un ETP dédié au pilotage de leur' if steering > 1 else 'finance un ETP dédié au pilotage de son'}"
            " contrat."
        )
    out["II.3"] += chapter2_text.action_budget_map(figures, cases, _portion)
    out["II.3"] += chapter2_text.axes_sentence(figures)
    out["II.3"] += chapter2_text.fields_sentence(figures)
    out["II.3"] += chapter2_text.scale_sentence(figures)
    out["II.3"] += chapter2_text.subtheme_sentences(figures)
    direct = {r["key"]: r["values"] for r in figures["cls.direct_impact"]["rows"]}.get("OUI", {})
    qpv = _targeting(figures["cls.qpv_targeting"])
    rural = _targeting(figures["cls.rural_targeting"])
    out["II.4"].append(
        f"{_pct(direct.get('ALL'))} des actions ont vocation à avoir un impact direct sur les usagers. Les quartiers "
        f"prioritaires sont visés par {_pct(qpv.get('CLS-D'))} des actions départementales et {_pct(qpv.get('CLS-M'))} des "
        f"actions métropolitaines ; les zones rurales par {_pct(rural.get('CLS-D'))} et {_pct(rural.get('CLS-M'))}."
    )
    progress = figures["suivi.progress_status"]
    reported = progress["base"].get("ALL") or 0
    if reported:
        shares = {r["key"]: r["values"].get("ALL") for r in progress["rows"]}
        out["II.5"].append(
            f"{formats.number(reported)} actions ont renseigné leur état d’avancement : {_pct(shares.get('AV_EN_COURS'))} "
            f"sont en cours de déploiement et {_pct(shares.get('AV_TERMINEE'))} terminées."
        )
    else:
        out["II.5"].append("L’état d’avancement des actions sera disponible à l’issue de la campagne de suivi.")
    return out


def methodology(figures: dict, scope: Scope) -> list[str]:
    """The methodology box: what the analysis reads, computed (bilan 2025: « L’analyse porte sur 113 contrats
    locaux des solidarités et se fonde sur un total de 1 445 actions exploitables… »)."""
    contracts = _values(figures, "cls.contracts.count")
    actions = _values(figures, "cls.actions.count")
    total = actions.get("ALL") or 0
    if not total:
        return ["Aucune action n’est enregistrée pour ce périmètre et cette année : l’analyse est vide."]
    share_d = Decimal(actions.get("CLS-D", 0)) * 100 / total
    text = [
        f"L’analyse porte sur {formats.counted(contracts.get('ALL', 0), 'contrats locaux des solidarités', 'contrat local des solidarités')} "
        f"et se fonde sur un total de {formats.counted(total, 'actions')} ({_pct(share_d)} issues des contrats "
        f"départementaux, {_pct(100 - share_d)} des contrats métropolitains).",
    ]
    if scope.campaign_id:
        text.append(
            "Les actions sont celles des dossiers validés de la campagne choisie, telles que la DIPLP les a validées."
        )
    else:
        text.append(
            "Les actions ont été recensées dans Pilot’actions par les collectivités co-contractantes et les services "
            "déconcentrés de l’État ; les chiffres sont ceux de la date des données."
        )
    text.append(
        "La Délégation interministérielle à la prévention et à la lutte contre la pauvreté a traité ces données."
    )
    return text


def synthesis(figures: dict) -> list[str]:
    """« En synthèse »: the chapter's salient points, each worded from a figure."""
    actions = _values(figures, "cls.actions.count").get("ALL")
    if not actions:
        return []
    nature = {r["key"]: r["values"].get("ALL") for r in figures["cls.nature"]["rows"]}
    per_contract = _values(figures, "cls.actions.per_contract", "mean")
    third = _values(figures, "cls.budget.third_party_share").get("ALL")
    direct = {r["key"]: r["values"] for r in figures["cls.direct_impact"]["rows"]}.get("OUI", {})
    points = []  # a point whose figure is not filled in is left out, never printed with a dash
    if nature.get("NOUVELLE") is not None:
        points.append(f"{_portion(nature['NOUVELLE'])} des actions contractualisées sont nouvelles")
    if per_contract.get("CLS-M") is not None and per_contract.get("CLS-D") is not None:
        points.append(
            f"des contrats métropolitains de {formats.number(per_contract['CLS-M'], 1)} actions en moyenne, "
            f"pour {formats.number(per_contract['CLS-D'], 1)} dans les contrats départementaux"
        )
    if third is not None:
        points.append(f"des financeurs tiers qui apportent {_pct(third)} des crédits")
    if direct.get("ALL") is not None:
        points.append(f"{_pct(direct['ALL'])} des actions ont vocation à avoir un impact direct sur les usagers")
    return [_capital(point) for point in points]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- Chapter III: the local pacts ---------------------------------------------------------------------


def _shares(figures: dict, figure_id: str) -> dict:
    """{row key: share of the whole ("ALL")} of a chapter III figure."""
    return {r["key"]: r["values"].get("ALL") for r in figures.get(figure_id, {}).get("rows", [])}


def _sum_of(shares: dict, keys) -> Decimal | None:
    """The share of several answers together (« très bonne » or « plutôt bonne »), None when none was given."""
    if not shares:
        return None
    return sum((shares.get(key) or Decimal(0) for key in keys), Decimal(0))


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} et {names[-1]}"


def _regions_named(figures: dict, figure_id: str, *, lowest: bool, below=None, count: int = 3) -> str:
    """The régions a sentence names, with their share: the `count` lowest shares (below the national one) or the
    highest (above zero), from the per-région figure; empty when fewer than two régions answered (a fiche)."""
    rows = [r for r in figures.get(figure_id, {}).get("rows", []) if r["values"].get("ALL") is not None]
    if len(rows) < 2:
        return ""
    if lowest:
        chosen = [r for r in rows if below is None or r["values"]["ALL"] < below][:count]
    else:
        chosen = [r for r in reversed(rows) if r["values"]["ALL"] > 0][:count]
    return _listed([f"{r['label']} ({_pct(r['values']['ALL'])})" for r in chosen]) if chosen else ""


def _most_frequent(figures: dict, figure_id: str, count: int = 2, leave_out: str = "") -> list[str]:
    """« Label » (x %) of the most frequent answers of a figure, from the highest."""
    rows = [r for r in figures.get(figure_id, {}).get("rows", []) if r["values"].get("ALL") and r["key"] != leave_out]
    rows.sort(key=lambda r: r["values"]["ALL"], reverse=True)
    return [f"« {r['label'][:1].lower() + r['label'][1:]} » ({_pct(r['values']['ALL'])})" for r in rows[:count]]


def pact_summaries(figures: dict, year: int) -> dict[str, list[str]]:
    """Chapter III's sentences, each computed from a `pl.*` figure (bilan 2025, chapter III: « En 2024,
    17 827 000 € ont été délégués… », « Seuls 64 % des pactes locaux ont fait l’objet d’une réunion des forces
    vives… »); a sentence whose figure is empty is left out."""
    out = {key: [] for key in CHAPTERS["III"]["sections"]}
    count = _shares(figures, "pl.pacts.count")
    pacts, actions = count.get("pacts") or 0, count.get("actions") or 0
    credits = _shares(figures, "pl.credits.by_region")
    delegated = credits.get("total") if "total" in credits else next(iter(credits.values()), None)
    if delegated:
        regions = len(credits) - ("total" in credits)
        if regions > 1:
            out["III.1"].append(
                f"En {year}, {_euros(delegated)} ont été délégués aux commissaires à la lutte contre la pauvreté "
                f"pour la mise en œuvre des pactes locaux, répartis entre {formats.counted(regions, 'régions')}."
            )
        else:  # a région's fiche: its own envelope
            out["III.1"].append(
                f"En {year}, le commissaire à la lutte contre la pauvreté de la région a disposé de "
                f"{_euros(delegated)} pour la mise en œuvre des pactes locaux."
            )
    if not pacts:
        out["III.1"].append("Aucun pacte local n’est enregistré pour ce périmètre et cette année.")
        return out
    mean = count.get("budget_mean")
    out["III.1"].append(
        f"Au total, {formats.counted(pacts, 'pactes locaux', 'pacte local')} "
        f"{'ont été conclus' if pacts > 1 else 'a été conclu'}"
        + (f" pour un budget moyen de {_euros(mean)}" if mean is not None else "")
        + f", portant {formats.counted(actions, 'actions')}."
    )
    calendar = figures.get("pl.calendar", {}).get("rows", [])
    if calendar:
        first, last = calendar[0], calendar[-1]
        out["III.1"].append(
            f"Les premiers pactes ont été finalisés en {first['label']} ; fin {last['label']}, "
            f"{formats.counted(last['values']['ALL'], 'pactes étaient finalisés', 'pacte était finalisé')}."
        )
    met = _shares(figures, "pl.forces_vives.meeting").get("OUI")
    if met is not None:
        sentence = f"{_pct(met)} des pactes locaux ont fait l’objet d’une réunion des forces vives."
        named = _regions_named(figures, "pl.regions.forces_vives_meeting", lowest=True, below=met)
        if named:
            sentence += f" Parmi les régions qui ont le moins initié de telles réunions, on trouve : {named}."
        out["III.2"].append(sentence)
    full = _shares(figures, "pl.forces_vives.participation").get("all_present")
    if full is not None:
        out["III.2"].append(
            f"Dans {_pct(full)} des pactes qui ont réuni les forces vives, tous les acteurs invités étaient présents."
        )
    comitology = _shares(figures, "pl.comitology")
    if comitology:
        out["III.2"].append(
            f"{_pct(comitology.get('COMITO_EXISTANTE') or 0)} des pactes s’inscrivent dans une comitologie "
            f"existante, {_pct(comitology.get('COMITO_DEDIEE') or 0)} dans une comitologie dédiée."
        )
    good = _sum_of(_shares(figures, "pl.dynamics"), ["DYN_TRES_BONNE", "DYN_PLUTOT_BONNE"])
    if good is not None:
        sentence = (
            f"Pour {_pct(good)} des pactes locaux, la dynamique globale de construction a été « très bonne » ou "
            "« plutôt bonne »."
        )
        named = _regions_named(figures, "pl.regions.good_dynamics", lowest=True, below=good, count=4)
        if named:
            sentence += f" Les dynamiques ont été moins bonnes dans les régions suivantes : {named}."
        out["III.2"].append(sentence)
    none = _shares(figures, "pl.successes")
    if none:
        top = _most_frequent(figures, "pl.successes", leave_out="REU_AUCUNE")
        if top:
            out["III.2"].append(f"Les principales réussites de la démarche sont {_listed(top)}.")
        sentence = (
            f"Dans {_pct(none.get('REU_AUCUNE') or 0)} des pactes locaux, aucune réussite particulière n’a été "
            "identifiée par les pilotes."
        )
        named = _regions_named(figures, "pl.regions.no_success", lowest=False, count=2)
        if named and none.get("REU_AUCUNE"):
            sentence += f" Il s’agit principalement des régions suivantes : {named}."
        out["III.2"].append(sentence)
    difficulties = _sum_of(_shares(figures, "pl.difficulties.level"), ["DIF_OUI_UN_PEU", "DIF_OUI_BEAUCOUP"])
    if difficulties is not None:
        which = _most_frequent(figures, "pl.difficulties.which")
        out["III.2"].append(
            f"{_pct(difficulties)} des pactes ont rencontré des difficultés dans leur construction"
            + (f", le plus souvent {_listed(which)}" if which else "")
            + "."
        )
    fields = _most_frequent(figures, "pl.actions.policy_fields", count=3)
    if fields:
        out["III.3"].append(
            f"Les champs d’action publique les plus investis par les {formats.counted(actions, 'actions')} des "
            f"pactes locaux sont {_listed(fields)}."
        )
    beneficiaries = _shares(figures, "pl.actions.beneficiaries")
    if beneficiaries.get("targeted"):
        out["III.3"].append(
            f"Les actions visent {formats.counted(beneficiaries['targeted'], 'bénéficiaires')} ; "
            f"{formats.number(beneficiaries.get('reached') or 0)} ont déjà été touchés, soit un taux d’atteinte de "
            f"{_pct(beneficiaries.get('rate'))}."
        )
    budget = _shares(figures, "pl.actions.budget")
    if budget.get("mean") is not None:
        out["III.3"].append(
            f"Le budget moyen d’une action s’élève à {_euros(budget['mean'])} (de {_euros(budget.get('min'))} à "
            f"{_euros(budget.get('max'))})."
        )
    cofinancing = _shares(figures, "pl.actions.cofinancing")
    if cofinancing.get("cofinanced") is not None:
        without = cofinancing.get("not_cofinanced_count") or 0
        out["III.3"].append(
            f"{_pct(cofinancing['cofinanced'])} des actions sont cofinancées par d’autres financeurs que les crédits "
            "du pacte"
            + (
                f" ; {formats.counted(without, 'actions')} {'n’ont' if without > 1 else 'n’a'} aucun cofinancement."
                if without
                else "."
            )
        )
    deployment = _shares(figures, "pl.actions.deployment").get("OUI")
    if deployment is not None:
        out["III.3"].append(f"Le déploiement est jugé satisfaisant pour {_pct(deployment)} des actions.")
    satisfied = _sum_of(_shares(figures, "pl.satisfaction"), ["SAT_TRES", "SAT_PLUTOT"])
    if satisfied is not None:
        out["III.4"].append(
            f"Les acteurs locaux sont « très » ou « plutôt » satisfaits du pacte local dans {_pct(satisfied)} des "
            "pactes."
        )
    brought = _most_frequent(figures, "pl.contributions", count=3)
    if brought:
        out["III.4"].append(f"Ce que les pactes locaux ont le plus apporté : {_listed(brought)}.")
    return out


def bilan_illustrations(scope: Scope) -> list[dict]:
    """The pacts the DIPLP chose to illustrate the bilan (pacts.services.pact_illustration_set) within the scope's
    territory, as the pacts' figures count them (pacts_data.in_scope): title, région, territory and the text."""
    year = (survey_campaign_year(scope.survey_campaign_id) if scope.survey_campaign_id else None) or scope.year
    pacts = (
        Pact.objects.filter(year=year)
        .exclude(bilan_illustration="")
        .exclude(status=PactStatus.ABANDONED)
        .select_related("region")
        .prefetch_related("communes", "epcis", "departements", "partner_authorities")
        .order_by("region__name", "reference")
    )
    chosen = []
    for pact in pacts:
        departements = [d.code for d in pact.departements.all()]
        record = {
            "region": pact.region.code,
            "departements": departements,
            "partner_authorities": [a.code for a in pact.partner_authorities.all()],
        }
        if in_scope(record, scope):
            chosen.append(
                {
                    "reference": pact.reference,
                    "title": pact.title,
                    "region": pact.region.name,
                    "territory": pact.territory_text(),
                    "paragraphs": [p for p in re.split(r"\n\s*\n", pact.bilan_illustration) if p.strip()],
                }
            )
    return chosen


def illustration_section(illustration: dict) -> ReportSection:
    """An « Illustration » box of the report: the pact's title, région and territory, then the DIPLP's text."""
    return ReportSection(
        title=f"Illustration — {illustration['title']}",
        summary=[f"Région {illustration['region']} · {illustration['territory']}", *illustration["paragraphs"]],
        level=2,
        kind="box",
    )


def with_national_column(figure: dict, national: dict, label: str) -> dict:
    """A chapter III figure of a fiche with the nation's values beside the territory's: its rows in the national
    order (then any the nation lacks), two columns (the territory's `label`, « France entière »). An answer
    nobody in the territory gave is 0 %, not unknown; a région's row of a per-région figure is absent elsewhere."""
    local_rows = {r["key"]: r for r in figure["rows"]}
    national_rows = {r["key"]: r for r in national["rows"]}
    counted_locally = bool(figure["base"].get("ALL"))
    rows, running = [], 0
    keys = [*national_rows, *(k for k in local_rows if k not in national_rows)]
    if figure["id"] in REGION_ROWS:  # a territory's own région, and the nation's total: not every région's row
        keys = [k for k in keys if k in local_rows or k == "total"]
    for key in keys:
        local, whole = local_rows.get(key), national_rows.get(key)
        value = local["values"].get("ALL") if local else None
        if local is None and figure["unit"] == "%" and counted_locally and figure["id"] not in REGION_ROWS:
            value = Decimal(0)
        if figure["id"] in CUMULATED and counted_locally:  # a month without any pact keeps the total so far
            value = running = value if value is not None else running
        rows.append(
            {
                **(local or whole),
                "values": {label: value, NATIONAL_COLUMN: whole["values"].get("ALL") if whole else None},
            }
        )
    national_base = national["base"].get("ALL")
    head, separator, tail = figure["footer"].partition(" · Traitement : ")
    if national_base is not None and separator:
        base = REGISTRY[figure["id"]].base_text(national_base)
        head += f" ; {NATIONAL_COLUMN} : {base}"
    return {
        **figure,
        "rows": rows,
        "base": {label: figure["base"].get("ALL"), NATIONAL_COLUMN: national_base},
        "not_filled": {label: figure["not_filled"].get("ALL"), NATIONAL_COLUMN: national["not_filled"].get("ALL")}
        if figure["not_filled"] or national["not_filled"]
        else {},
        "footer": head + separator + tail,
    }


def measures_summaries(figures: dict) -> dict[str, list[str]]:
    dashboard = figures.get("measures.dashboard")
    budget = figures.get("measures.budget")
    out = {}
    if dashboard and dashboard["rows"]:
        statuses = Counter(row["values"]["ALL"]["status"] for row in dashboard["rows"])
        parts = ", ".join(f"{n} « {label} »" for label, n in statuses.most_common())
        out["I.1"] = [f"Sur les {len(dashboard['rows'])} mesures nationales du Pacte des solidarités : {parts}."]
    if budget and budget["rows"]:
        total = next((r["values"]["ALL"] for r in budget["rows"] if r["key"] == "total"), {})
        years = sorted(k for k in total if k.isdigit())
        if years:
            out["I.2"] = [
                "Les crédits de loi de finances initiale dédiés au Pacte s’élèvent à "
                + " et ".join(f"{_euros(total[y])} en {y}" for y in years)
                + "."
            ]
    indicators = figures.get("measures.indicators")
    if indicators and indicators["rows"]:
        out["I.3"] = indicator_narratives(indicators["rows"])
    return out


def indicator_narratives(rows: list[dict]) -> list[str]:
    """One paragraph per axis: each measure's validated indicators, with their unit, source and year
    (« FIPE : projets financés — 222 projets (source : DGCS, 2024) »)."""
    by_axis: dict[str, dict[int, list[dict]]] = {}
    labels = {}
    for row in rows:
        by_axis.setdefault(row["axis"], {}).setdefault(row["measure"], []).append(row)
        labels[row["axis"]] = row["axis_label"]
        labels[row["measure"]] = row["measure_title"]
    paragraphs = []
    for axis, measures in by_axis.items():
        parts = [
            f"mesure {number} « {labels[number]} » : "
            + " ; ".join(
                f"{r['label']} — {r['text']} (source : {r['source']}, {r['year']}{_earlier(r)})" for r in items
            )
            for number, items in sorted(measures.items())
        ]
        paragraphs.append(f"{labels[axis]}. " + ". ".join(p[0].upper() + p[1:] for p in parts) + ".")
    return paragraphs


def _earlier(row: dict) -> str:
    """An indicator's earlier validated values, after its latest (« ; 630 en 2023, 770 en 2024 »)."""
    earlier = [(period, value) for period, value in row["periods"].items() if period != row["period"]]
    if not earlier:
        return ""
    shown = [
        f"{indicator_value_text(value, row['unit'])} {'au' if periods.parse(period)[1] else 'en'} {periods.label(period)}"
        for period, value in sorted(earlier, key=lambda item: periods.sort_key(item[0]))
    ]
    return " ; " + ", ".join(shown)


def _targeting(figure) -> dict:
    """Share of actions targeting the zone at all (exclusively or in part), per contract type."""
    rows = {r["key"]: r["values"] for r in figure["rows"]}
    return {
        t: (rows.get("OUI_EXCLUSIVEMENT", {}).get(t) or 0) + (rows.get("OUI_EN_PARTIE", {}).get(t) or 0)
        for t in ["CLS-D", "CLS-M", "ALL"]
    }


COMPARED = [
    ("cls.actions.count", "total", "Nombre d’actions", formats.number),
    ("cls.budget.total", "total", "Budget total", _euros),
    ("cls.action_budget.mean", "total", "Budget moyen par action", _euros),
    ("cls.action_budget.median", "total", "Budget médian par action", _euros),
    ("cls.budget.third_party_share", "total", "Part des financeurs tiers", _pct),
    ("cls.actions.cofinanced_share", "total", "Actions cofinancées par des tiers", _pct),
    ("pl.pacts.count", "pacts", "Pactes locaux conclus", formats.number),
    ("pl.pacts.count", "budget_mean", "Budget moyen d’un pacte local", _euros),
    ("pl.forces_vives.meeting", "OUI", "Pactes ayant réuni les forces vives", _pct),
    ("pl.actions.beneficiaries", "rate", "Taux d’atteinte des bénéficiaires visés par les pactes", _pct),
]


def scope_label(scope: Scope) -> str:
    if scope.authority:
        return Authority.objects.get(code=scope.authority).name
    if scope.departement:
        departement = Departement.objects.get(code=scope.departement)
        return f"Département {departement.name_with_article} ({departement.code})"
    if scope.region:
        return f"Région {Region.objects.get(code=scope.region).name}"
    return "France entière"


def report_build(scope: Scope, progress=None) -> ReportDocument:
    """The national report, or a fiche when the scope names a territory (the narrowest one given)."""
    progress = progress or (lambda percent: None)
    payload = bilan_build(scope)
    progress(40)
    figures = {f["id"]: f for f in payload["figures"]}
    territorial = bool(scope.region or scope.departement or scope.authority)
    label = scope_label(scope)
    source = "données validées de la campagne" if scope.campaign_id else "données à jour"
    document = ReportDocument(
        title=f"Fiche {label} — Bilan des contrats et pactes locaux des solidarités {scope.year}"
        if territorial
        else f"Bilan du Pacte des solidarités {scope.year}",
        subtitle=f"{label} · {source} · Source : Pilot’actions · Traitement : DIPLP",
        generated_at=django_formats.date_format(timezone.localtime(), "j F Y à H:i"),
        data_date=django_formats.date_format(timezone.datetime.fromisoformat(payload["meta"]["data_date"]), "j F Y"),
    )
    if territorial:
        whole = Scope(year=scope.year, campaign_id=scope.campaign_id, survey_campaign_id=scope.survey_campaign_id)
        national = {f["id"]: f for f in bilan_build(whole)["figures"]}
        for figure_id, key, text, fmt in COMPARED:
            local_value = _values(figures, figure_id, key).get("ALL")
            national_value = _values(national, figure_id, key).get("ALL")
            document.comparisons.append(
                Comparison(
                    text,
                    fmt(local_value) if local_value is not None else "—",
                    fmt(national_value) if national_value is not None else "—",
                )
            )
    progress(60)
    texts = summaries(figures, scope.year, chapter2_text.named_cases(scope, national=not territorial))
    if not territorial:  # the national measures belong to the national report only
        texts.update(measures_summaries(figures))
    texts[METHODOLOGY] = methodology(figures, scope)
    texts.update(pact_summaries(figures, scope.year))
    types = payload["meta"]["contract_types"]
    illustrations = [illustration_section(item) for item in bilan_illustrations(scope)]
    document.sections.append(
        ReportSection(title="Introduction", summary=introduction(scope, figures, territorial), kind="introduction")
    )
    for chapter in ["II", "III"] if territorial else ["I", "II", "III"]:
        document.sections.append(
            ReportSection(title=f"Chapitre {chapter}. {CHAPTERS[chapter]['title']}", kind="chapter")
        )
        for key in chapter_parts(chapter):
            section = ReportSection(
                title=PART_TITLES.get(key) or CHAPTERS[chapter]["sections"][key],
                summary=texts.get(key, []),
                level=2,
                kind=PART_KINDS.get(key, "section"),
            )
            if key == SYNTHESIS:
                section.bullets = synthesis(figures)
                if not section.bullets:
                    continue
                section.summary = [
                    "Il ressort de l’analyse des contrats locaux des solidarités les points saillants suivants :"
                ]
            for figure in payload["figures"]:
                if figure["chapter"] != key:
                    continue
                series = figure_render.series_of(figure, types)
                if territorial and not figure["by_contract_type"]:  # chapter III: the nation beside the territory
                    figure = with_national_column(figure, national[figure["id"]], label)
                    series = [label, NATIONAL_COLUMN]
                section.figures.append(report_figure(figure, series, scope.year))
            document.sections.append(section)
            if key == ILLUSTRATED_SECTION:
                document.sections.extend(illustrations)
    if not territorial:
        conclusion = ReportText.objects.filter(year=scope.year, kind=ReportText.Kind.CONCLUSION).first()
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", conclusion.text)] if conclusion else []
        if any(paragraphs):  # no text written by the DIPLP: no conclusion (docs/bilan-reports.md)
            document.sections.append(ReportSection(title="Conclusion", summary=[p for p in paragraphs if p]))
    progress(80)
    return document


def _date(value) -> str:
    return django_formats.date_format(timezone.localtime(value) if hasattr(value, "hour") else value, "j F Y")


def _span(start, end) -> str:
    return f"du {_date(start)} au {_date(end)}"


def introduction(scope: Scope, figures: dict, territorial: bool) -> list[str]:
    """The data sources and their dates, read from the data: the measures dashboard's period and committee, the
    campaign(s) of the year and their validations, the contracts and actions read."""
    paragraphs = [
        "Ce bilan est établi par la Délégation interministérielle à la prévention et à la lutte contre la pauvreté "
        f"(DIPLP). Il porte sur l’année {scope.year} et repose sur les sources de données suivantes."
    ]
    if not territorial:
        dashboard = figures.get("measures.dashboard") or {"rows": []}
        period = next((r["values"]["ALL"].get("period") for r in dashboard["rows"]), None)
        committee = (
            Committee.objects.filter(state=CommitteeState.CLOSED, period=period).order_by("-date").first()
            if period
            else None
        )
        if dashboard["rows"]:
            text = (
                f"Le tableau de bord des mesures nationales, renseigné par les administrations pilotes des "
                f"{formats.counted(len(dashboard['rows']), 'mesures')} : valeurs arrêtées pour la période "
                f"« {periods.label(period)} »"
                if period
                else "Le tableau de bord des mesures nationales"
            )
            if committee:
                text += f", examinées par le comité de suivi du {_date(committee.date)}"
            paragraphs.append(text + ".")
    contracts = _values(figures, "cls.contracts.count").get("ALL") or 0
    actions = _values(figures, "cls.actions.count").get("ALL") or 0
    read = (
        f"{formats.counted(contracts, 'contrats locaux des solidarités', 'contrat local des solidarités')} et "
        f"{formats.counted(actions, 'actions')}"
    )
    chosen = [pk for pk in (scope.campaign_id, scope.survey_campaign_id) if pk]
    campaigns = (
        Campaign.objects.filter(pk__in=chosen) if scope.campaign_id else Campaign.objects.filter(year=scope.year)
    )
    if scope.campaign_id:
        paragraphs.append(
            f"Pilot’actions, l’outil de suivi des contractualisations renseigné par les collectivités co-contractantes "
            f"et les services déconcentrés de l’État : {read}, lus dans les dossiers validés de la campagne ci-dessous."
        )
    else:
        paragraphs.append(
            f"Pilot’actions, l’outil de suivi des contractualisations renseigné par les collectivités co-contractantes "
            f"et les services déconcentrés de l’État : {read}, lus dans les données à jour du "
            f"{_date(timezone.localdate())}."
        )
    pacts = _values(figures, "pl.pacts.count", "pacts").get("ALL") or 0
    pact_actions = _values(figures, "pl.pacts.count", "actions").get("ALL") or 0
    survey = Campaign.objects.filter(pk=scope.survey_campaign_id).first() if scope.survey_campaign_id else None
    paragraphs.append(
        "L’enquête auprès des commissaires à la lutte contre la pauvreté (CLP) sur les pactes locaux, avec les "
        f"pactes et leurs actions saisis dans Pilot’actions : {formats.counted(pacts, 'pactes locaux', 'pacte local')}"
        f" et {formats.counted(pact_actions, 'actions')}, "
        + (
            f"lus dans les dossiers validés de l’enquête « {survey.name} »."
            if survey
            else f"lus dans les réponses à jour du {_date(timezone.localdate())}."
        )
    )
    for campaign in campaigns.order_by("opens_at"):
        validated = campaign.dossiers.filter(state=DossierState.VALIDATED, validated_at__isnull=False)
        dates = validated.order_by("validated_at").values_list("validated_at", flat=True)
        count = validated.count()
        text = f"Campagne « {campaign.name} », ouverte {_span(campaign.opens_at, campaign.closes_at)} : "
        if count:
            first, last = dates.first(), dates.last()
            when = f"le {_date(first)}" if _date(first) == _date(last) else _span(first, last)
            text += f"{formats.counted(count, 'dossiers validés', 'dossier validé')} ({'validé' if count == 1 else 'validés'} {when})."
        else:
            text += "aucun dossier validé à ce jour."
        paragraphs.append(text)
    return paragraphs


ROW_HEADINGS = {"measures.dashboard": "Mesure", "measures.budget": "Programme"}
PRINT_WIDTH_MM = 178  # the width of an A4 portrait page less its margins (templates/reports/report.html)
PRINT_CHART_MAX_MM = 225  # the tallest chart printed on one page, below its title


def report_figure(figure: dict, series: list[str], year: int | None = None) -> ReportFigure:
    table = figure_render.table(figure, series)
    svg = figure_render.chart(figure, series)
    rows = [
        TableRow(key=row["key"], label=row["label"], cells=row["cells"], values=row["values"]) for row in table["rows"]
    ]
    _span_rows(rows)
    return ReportFigure(
        id=figure["id"],
        title=figure["title"],
        unit=figure["unit"],
        footer=_with_champ(figure, year),
        note=figure["note"],
        svg=svg,
        columns=table["columns"],
        rows=rows,
        kind=figure["kind"],
        row_heading=ROW_HEADINGS.get(figure["id"], "Indicateur" if len(figure["rows"]) == 1 else "Modalité"),
        text_columns=figure["id"] == "measures.dashboard",
        print_svgs=print_charts(figure, series, svg),
    )


def _with_champ(figure: dict, year: int | None) -> str:
    """The footer, with the publication's « Champ : » line before its base where the figure has one."""
    champ = CHAMPS.get(figure["id"])
    if not champ:
        return figure["footer"]
    line = f"Champ : {champ.format(year=year or '')}".replace("  ", " ")
    head, separator, tail = figure["footer"].partition(" · Base : ")
    return f"{head} · {line}{separator}{tail}" if separator else f"{figure['footer']} · {line}"


def _span_rows(rows: list[TableRow]) -> None:
    """A row with an empty label continues the one above (the dashboard: one row per objective, the measure
    named on its first): the first row's header spans them (rowspan), so that no row header is empty."""
    for index, row in enumerate(rows):
        if row.label or index == 0:
            span = 1
            while index + span < len(rows) and not rows[index + span].label:
                span += 1
            row.rowspan = span
        else:
            row.rowspan = 0


def svg_size(svg: str) -> tuple[float, float]:
    width, height = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups()
    return float(width), float(height)


def printed_height_mm(svg: str) -> float:
    """The height of a chart printed across the page's width."""
    width, height = svg_size(svg)
    return height * PRINT_WIDTH_MM / width


def print_charts(figure: dict, series: list[str], svg: str | None) -> list[str]:
    """The chart as printed: bars taller than a page are split into several charts of consecutive rows, drawn
    on one scale (the longest bar of the whole figure fills the width), so that their labels keep a readable
    size instead of the whole chart being shrunk to the page."""
    if svg is None:
        return []
    if figure["kind"] != "bars" or printed_height_mm(svg) <= PRINT_CHART_MAX_MM:
        return [svg]
    rows = [row for row in figure["rows"] if any(row["values"].get(s) for s in series)] or figure["rows"]
    numbers = [row["values"].get(s) for row in rows for s in series if row["values"].get(s) is not None]
    top = max([Decimal(0), *numbers])
    names = [figure_render.SERIES_LABELS.get(s, s) for s in series]
    prefix = figure["id"].replace(".", "-")
    parts = math.ceil(printed_height_mm(svg) / PRINT_CHART_MAX_MM)
    while True:
        size = math.ceil(len(rows) / parts)
        chunks = [rows[i : i + size] for i in range(0, len(rows), size)]
        svgs = [
            bars(
                [(r["label"], [r["values"].get(s) for s in series]) for r in chunk],
                title=f"{figure['title']} ({index} sur {len(chunks)})",
                unit=figure_render.CHART_UNITS.get(figure["unit"]),
                series=names,
                id_prefix=f"{prefix}-{index}",
                show_title=False,
                max_value=top or None,
            )
            for index, chunk in enumerate(chunks, start=1)
        ]
        if size == 1 or all(printed_height_mm(part) <= PRINT_CHART_MAX_MM for part in svgs):
            return svgs
        parts += 1

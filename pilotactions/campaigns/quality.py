"""Data-quality flags: answers of a contract's dossier that look wrong (issue 23, docs/quality.md).

Each rule has a code, a French explanation and a severity; `findings(dossier)` reads the contract's active actions
for the campaign's year and returns what the rules find, each pointing at an action and, where it can, at one of
its fields. The findings are kept as `QualityFlag` rows when a dossier is submitted or by `refresh_quality_flags`
(services.quality_refresh), so that the cockpit can count them and an agent can mark one as checked.

A rule is a signal for the validator, never a refusal: the form's rules (contracts.rules) refuse what is wrong;
these flag what is unusual.
"""

import math
import statistics
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Q

from pilotactions.contracts.enums import ActionStatus, Financer
from pilotactions.contracts.models import Action, ActionYear
from pilotactions.core.formats import euros, percent

from .enums import CampaignKind

ERROR, WARNING, INFO = "erreur", "alerte", "information"
SEVERITY_LABELS = {ERROR: "Erreur probable", WARNING: "À vérifier", INFO: "Pour information"}
SEVERITY_ORDER = [ERROR, WARNING, INFO]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    label: str
    explanation: str


RULES = {
    rule.code: rule
    for rule in [
        Rule(
            "cout_atypique",
            WARNING,
            "Coût par bénéficiaire atypique",
            "Le budget prévu par bénéficiaire visé s’écarte fortement de celui des actions de la même sous-thématique "
            "dans toute la France (score z robuste, sur l’échelle logarithmique, au-delà de 3,5).",
        ),
        Rule(
            "plafond_etat_depasse",
            WARNING,
            "Part de l’État au-delà du plafond",
            "La part de l’État dépasse le plafond du type de contrat : le service de l’État examine la justification "
            "donnée (sans justification, le dossier ne peut pas être soumis). Une part égale au plafond, cas courant "
            "du cofinancement à parts égales, n’est pas relevée.",
        ),
        Rule(
            "dates_incoherentes",
            WARNING,
            "Dates incohérentes avec l’année de la campagne",
            "L’action se termine avant l’année de la campagne, commence après elle, ou finit avant de commencer.",
        ),
        Rule(
            "beneficiaires_depasses",
            WARNING,
            "Bénéficiaires touchés très au-delà de la cible",
            "Le nombre de bénéficiaires touchés dépasse de plus de trois fois le nombre visé.",
        ),
        Rule(
            "depense_depasse_prevu",
            WARNING,
            "Dépense supérieure au budget programmé",
            "La dépense réalisée de l’année (au total ou pour un financeur) dépasse le montant programmé.",
        ),
        Rule(
            "doublon",
            WARNING,
            "Action en double",
            "Une autre action du contrat, ou d’un autre contrat de la même collectivité, porte le même intitulé "
            "et le même budget pour l’année.",
        ),
        Rule(
            "champ_bilan_vide",
            INFO,
            "Champ lu par le bilan laissé vide",
            "Le bilan annuel compte ce champ : une action qui le laisse vide n’entre pas dans le graphique "
            "correspondant.",
        ),
        Rule(
            "options_contradictoires",
            ERROR,
            "Réponses contradictoires",
            "Deux réponses de l’action se contredisent (par exemple une action « non démarrée » qui a déjà des "
            "dépenses, ou un ciblage exclusif à la fois des quartiers prioritaires et des zones rurales).",
        ),
    ]
}

# The robust z-score (Iglewicz and Hoaglin): 0.6745 × (x − median) / MAD; beyond 3.5, an outlier.
Z_THRESHOLD = 3.5
Z_MIN_SAMPLE = 20  # below this many actions in a sub-theme, its distribution says nothing
REACHED_FACTOR = 3
BILAN_FIELDS = {  # what the bilan's charts count (chapter II), by label
    "subtheme": "sous-thématique",
    "nature": "nature de l’action",
    "policy_fields": "champs d’action publique",
    "action_types": "types d’action",
    "target_publics": "publics cibles",
    "scale": "échelle de déploiement",
    "implementation": "mise en œuvre",
}
MULTI = {"policy_fields", "action_types", "target_publics"}
FIELD_LABELS = {
    **BILAN_FIELDS,
    "title": "intitulé",
    "budget": "budget de l’année",
    "spent": "dépenses réalisées",
    "beneficiaries_target": "nombre de bénéficiaires visé",
    "beneficiaries_reached": "bénéficiaires touchés",
    "start_date": "date de début",
    "end_date": "date de fin",
    "progress_status": "état d’avancement",
    "rural_targeting": "ciblage des zones rurales",
}


@dataclass(frozen=True)
class Finding:
    code: str
    action_id: int
    field: str
    message: str

    @property
    def rule(self) -> Rule:
        return RULES[self.code]

    @property
    def severity(self) -> str:
        return self.rule.severity


def display(items, actions: dict) -> list[dict]:
    """Findings or kept flags, as the pages show them: most severe first, then in the actions' order."""
    rows = []
    for item in items:
        rule = RULES[item.code]
        action = actions[item.action_id]
        rows.append(
            {
                "item": item,
                "action": action,
                "rule": rule,
                "severity": item.severity,
                "severity_label": SEVERITY_LABELS[item.severity],
                "field_label": FIELD_LABELS.get(item.field, ""),
                "message": item.message,
                "open": getattr(item, "checked_at", None) is None,
            }
        )
    rows.sort(key=lambda r: (SEVERITY_ORDER.index(r["severity"]), r["action"].number, r["rule"].code))
    return rows


def findings(dossier) -> list[Finding]:
    """What the rules find in the contract's active actions for the campaign's year (live data)."""
    campaign = dossier.campaign
    if dossier.is_survey:
        return []
    year = campaign.year
    contract = dossier.contract
    actions = list(
        Action.objects.filter(contract=contract, status=ActionStatus.ACTIVE)
        .select_related("subtheme", "qpv_targeting", "rural_targeting")
        .prefetch_related("policy_fields", "action_types", "target_publics")
        .order_by("number")
    )
    years = {
        y.action_id: y
        for y in ActionYear.objects.filter(action__in=actions, year=year).select_related("progress_status")
    }
    ceiling = contract.contract_type.state_share_ceiling
    distribution = cost_distribution(year)
    twins = _twins(contract, year)
    found = []
    for action in actions:
        action_year = years.get(action.pk)
        found += _cost(action, action_year, distribution)
        found += _ceiling(action, action_year, ceiling)
        found += _dates(action, year)
        if campaign.kind == CampaignKind.SUIVI:
            found += _reached(action, action_year)
            found += _spent(action, action_year)
        found += _contradictions(action, action_year)
        found += _empty(action, action_year)
        key = _twin_key(action.title, action_year.planned_total if action_year else None)
        if key is not None and len(twins.get(key, ())) > 1:
            others = sorted(ref for ref in twins[key] if ref != action.reference)
            which = f"l’action {others[0]}" if len(others) == 1 else f"les actions {', '.join(others)}"
            found.append(Finding("doublon", action.pk, "title", f"Même intitulé et même budget {year} que {which}."))
    return found


def cost_distribution(year: int) -> dict[int, tuple[float, float, int]]:
    """{sub-theme id: (median, MAD, count)} of log10(planned budget / targeted beneficiaries), nationally.

    Read from every active action of the year with a budget and a target; kept an hour in the cache (the
    national distribution moves little within a day, and a million actions take seconds to read)."""
    key = f"quality:cost-distribution:{year}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    logs = defaultdict(list)
    rows = (
        ActionYear.objects.filter(
            year=year,
            planned_total__gt=0,
            action__status=ActionStatus.ACTIVE,
            action__beneficiaries_target__gt=0,
            action__subtheme__isnull=False,
        )
        .values_list("action__subtheme_id", "planned_total", "action__beneficiaries_target")
        .iterator(chunk_size=20000)
    )
    for subtheme, planned, target in rows:
        logs[subtheme].append(math.log10(float(planned) / target))
    result = {}
    for subtheme, values in logs.items():
        median = statistics.median(values)
        mad = statistics.median(abs(v - median) for v in values)
        result[subtheme] = (median, mad, len(values))
    cache.set(key, result, 3600)
    return result


def _cost(action, action_year, distribution) -> list[Finding]:
    if not (action_year and action_year.planned_total > 0 and action.beneficiaries_target and action.subtheme_id):
        return []
    median, mad, count = distribution.get(action.subtheme_id, (0.0, 0.0, 0))
    if count < Z_MIN_SAMPLE or not mad:
        return []
    cost = float(action_year.planned_total) / action.beneficiaries_target
    z = 0.6745 * (math.log10(cost) - median) / mad
    if abs(z) <= Z_THRESHOLD:
        return []
    typical = 10**median
    direction = "bien au-dessus" if z > 0 else "bien en dessous"
    return [
        Finding(
            "cout_atypique",
            action.pk,
            "beneficiaries_target",
            f"{euros(Decimal(round(cost, 2)), 2)} par bénéficiaire visé, {direction} du coût médian de la "
            f"sous-thématique « {action.subtheme.label} » ({euros(Decimal(round(typical, 2)), 2)}, "
            f"{count} actions) : vérifiez le budget et le nombre de bénéficiaires.",
        )
    ]


def _ceiling(action, action_year, ceiling) -> list[Finding]:
    if ceiling is None or action_year is None or not action_year.planned_total:
        return []
    share = action_year.planned_state * 100 / action_year.planned_total
    if share <= ceiling:
        return []
    justification = action.ceiling_justification.strip().rstrip(".")
    reason = f"justification : « {justification} »" if justification else "aucune justification n’est donnée"
    return [
        Finding(
            "plafond_etat_depasse",
            action.pk,
            "budget",
            f"La part de l’État ({percent(share, 1)}) dépasse le plafond de {percent(ceiling)} ; {reason}.",
        )
    ]


def _dates(action, year: int) -> list[Finding]:
    start, end = action.start_date, action.end_date
    if start and end and end < start:
        message = f"La date de fin ({end:%d/%m/%Y}) précède la date de début ({start:%d/%m/%Y})."
        return [Finding("dates_incoherentes", action.pk, "end_date", message)]
    if end and end < date(year, 1, 1):
        message = f"L’action se termine le {end:%d/%m/%Y}, avant l’année {year} de la campagne."
        return [Finding("dates_incoherentes", action.pk, "end_date", message)]
    if start and start > date(year, 12, 31):
        message = f"L’action commence le {start:%d/%m/%Y}, après l’année {year} de la campagne."
        return [Finding("dates_incoherentes", action.pk, "start_date", message)]
    return []


def _reached(action, action_year) -> list[Finding]:
    target = action.beneficiaries_target
    reached = action_year.beneficiaries_reached if action_year else None
    if not target or reached is None or reached <= REACHED_FACTOR * target:
        return []
    return [
        Finding(
            "beneficiaires_depasses",
            action.pk,
            "beneficiaries_reached",
            f"{reached} bénéficiaires touchés pour {target} visés (plus de {REACHED_FACTOR} fois la cible).",
        )
    ]


def _spent(action, action_year) -> list[Finding]:
    if action_year is None or action_year.spent_total is None:
        return []
    over = []
    for financer, label in [
        (Financer.STATE, "de l’État"),
        (Financer.AUTHORITY, "de la collectivité"),
        (Financer.THIRD_PARTY, "des financeurs tiers"),
    ]:
        spent = getattr(action_year, f"spent_{financer}")
        planned = getattr(action_year, f"planned_{financer}")
        if spent is not None and spent > planned:
            over.append(f"{label} {euros(spent, 2)} pour {euros(planned, 2)} programmés")
    if not over:
        return []
    return [Finding("depense_depasse_prevu", action.pk, "spent", "Dépense " + " ; ".join(over) + ".")]


def _contradictions(action, action_year) -> list[Finding]:
    found = []
    progress = action_year.progress_status.code if action_year and action_year.progress_status else ""
    if progress == "AV_NON_DEMARREE":
        done = []
        if action_year.spent_total:
            done.append(f"des dépenses ({euros(action_year.spent_total, 2)})")
        if action_year.beneficiaries_reached:
            done.append(f"{action_year.beneficiaries_reached} bénéficiaires touchés")
        if done:
            message = f"L’action est déclarée « non démarrée » mais compte {' et '.join(done)}."
            found.append(Finding("options_contradictoires", action.pk, "progress_status", message))
    exclusive = "OUI_EXCLUSIVEMENT"
    if (
        action.qpv_targeting
        and action.rural_targeting
        and action.qpv_targeting.code == exclusive
        and action.rural_targeting.code == exclusive
    ):
        message = "L’action cible « exclusivement » à la fois les quartiers prioritaires et les zones rurales."
        found.append(Finding("options_contradictoires", action.pk, "rural_targeting", message))
    return found


def _empty(action, action_year) -> list[Finding]:
    empty = [
        label
        for field, label in BILAN_FIELDS.items()
        if not (bool(getattr(action, field).all()) if field in MULTI else getattr(action, f"{field}_id"))
    ]
    if action_year is None or not action_year.has_budget:
        empty.append("budget de l’année")
    if not empty:
        return []
    return [Finding("champ_bilan_vide", action.pk, "", "Non renseigné : " + ", ".join(empty) + ".")]


def _normalized(title: str) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def _twin_key(title: str, planned) -> tuple | None:
    return (_normalized(title), planned) if planned else None


def _twins(contract, year: int) -> dict[tuple, set[str]]:
    """{(normalized title, planned budget): references} over the active actions of the authority's contracts."""
    rows = ActionYear.objects.filter(
        Q(action__contract__authority_id=contract.authority_id),
        year=year,
        planned_total__gt=0,
        action__status=ActionStatus.ACTIVE,
    ).values_list("action__title", "planned_total", "action__reference")
    twins = defaultdict(set)
    for title, planned, reference in rows:
        twins[_twin_key(title, planned)].add(reference)
    return twins


def score(flagged_action_ids: set[int], action_count: int) -> int | None:
    """A dossier's quality score: the share (out of 100) of its active actions without an open error or alert.

    An information flag does not lower it; a flag marked as checked no longer counts. None without actions."""
    if not action_count:
        return None
    return round(100 * (action_count - len(flagged_action_ids)) / action_count)


def lowers_score(severity: str) -> bool:
    return severity in (ERROR, WARNING)

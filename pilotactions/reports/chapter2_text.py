"""Chapter II's sentences that read a figure as the published report reads it (the third-party and action-budget
maps, the axes, the fields of public action, the scales, the sub-themes' shares) or name cases the figures do
not carry (contracts by status, the smallest and largest contracts, the régions' mean action budget).

Every number is computed; the thresholds are the publication's own (« plus de 200 000 € en moyenne pour une
action », « plus de 30 % des crédits »)."""

from collections import defaultdict
from decimal import Decimal

from pilotactions.contracts.enums import ContractStatus
from pilotactions.contracts.selectors import communes_carrying, contract_counts
from pilotactions.core import formats
from pilotactions.nomenclatures.models import Option
from pilotactions.territories.enums import Zone
from pilotactions.territories.models import Authority, Departement, Region

from .aggregates import Scope
from .bilan import aggregates_for

THIRD_PARTY_HIGH, THIRD_PARTY_LOW = 30, 10  # % of a département's credits
ACTION_MEAN_HIGH, ACTION_MEAN_VERY_HIGH = 200_000, 500_000  # € per action, régions then départements
ACTION_MEAN_LOW, ACTION_MEAN_VERY_LOW = 100_000, 30_000  # € per action, départements
# The scales below the département (« Seuls 13 % des actions se déploient à un niveau infra-départemental »)
# and those of the commune and below (« 40 % des actions métropolitaines »).
INFRA_DEPARTEMENTAL = ["ECH_INTERCOMMUNALE", "ECH_COMMUNALE", "ECH_BASSIN_VIE", "ECH_QUARTIER"]
COMMUNAL_AND_BELOW = ["ECH_COMMUNALE", "ECH_QUARTIER"]
HOMOGENEOUS_SPREAD = 3  # points between the smallest and the largest: « de manière globalement homogène »
TOP_FIELDS = 4


def _pct(value, decimals: int = 0) -> str:
    return formats.percent(value, decimals) if value is not None else "—"


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} et {names[-1]}"


def _quoted(labels: list[str]) -> str:
    return _listed([f"« {label} »" for label in labels])


def _rows(figures: dict, figure_id: str, series: str = "ALL") -> list[tuple[str, str, Decimal]]:
    """(key, label, value) of a figure's rows that have a value in `series`."""
    return [
        (r["key"], r["label"], r["values"][series])
        for r in figures.get(figure_id, {}).get("rows", [])
        if r["values"].get(series) is not None
    ]


# --- Cases the figures do not carry -------------------------------------------------------------------------


def named_cases(scope: Scope, *, national: bool) -> dict:
    """Read from the scope's aggregates (a validated campaign's when the scope names one) and the contracts:

    - `third_party_top`: (authority name, share) of the contract with the highest third-party share;
    - `actions`: {authority code: (name, actions, contract type)};
    - `region_means`: {région code: (name, mean action budget, overseas)} and `overseas_mean`;
    - `communes`: {authority code: communes carrying its actions} for the largest contract (live data only);
    - `contracts` (national report only): contract_counts of the CLS family."""
    agg = aggregates_for(scope)
    cases: dict = {}
    shares = {
        code: Decimal(agg.third_party_by_authority[t][code]) * 100 / Decimal(total)
        for t in agg.types
        for code, total in agg.by_authority[t].items()
        if total
    }
    if shares:
        code, value = max(shares.items(), key=lambda item: (item[1], item[0]))
        if value:
            cases["third_party_top"] = (agg.names.get(("authority", code), code), value)
    actions = {code: sum(natures.values()) for code, natures in agg.authority_nature.items()}
    cases["actions"] = {
        code: (agg.names.get(("authority", code), code), n, agg.authority_type.get(code))
        for code, n in actions.items()
        if n
    }
    region_of = dict(Authority.objects.filter(code__in=list(actions)).values_list("code", "region__code"))
    totals, counts = defaultdict(Decimal), defaultdict(int)
    for t in agg.types:
        for code, total in agg.by_authority[t].items():
            totals[region_of.get(code)] += total
            counts[region_of.get(code)] += agg.budget_count_by_authority[t][code]
    regions = {code: (name, zone) for code, name, zone in Region.objects.values_list("code", "name", "zone")}
    cases["region_means"] = {
        code: (regions[code][0], totals[code] / counts[code], regions[code][1] == Zone.DROM)
        for code in totals
        if code in regions and counts[code]
    }
    overseas = [code for code, (_name, _mean, overseas) in cases["region_means"].items() if overseas]
    overseas_count = sum(counts[code] for code in overseas)
    cases["overseas_mean"] = sum(totals[code] for code in overseas) / overseas_count if overseas_count else None
    cases["overseas_departements"] = set(
        Departement.objects.filter(region__zone=Zone.DROM).values_list("code", flat=True)
    )
    if cases["actions"] and not scope.campaign_id:
        largest = max(cases["actions"], key=lambda code: (cases["actions"][code][1], code))
        cases["communes"] = {largest: communes_carrying(largest, scope.year)}
    if national:
        cases["contracts"] = contract_counts(scope.family)
    return cases


def contracts_sentences(cases: dict) -> list[str]:
    """« 93 contrats départementaux et 22 contrats métropolitains sont signés (dont 21 avec un EPCI) ; … »."""
    counts = cases.get("contracts")
    if not counts:
        return []
    signed = {t: counts[t, ContractStatus.SIGNED] for t in ("CLS-D", "CLS-M")}
    with_epci = counts["CLS-M", ContractStatus.SIGNED, "epci"]
    not_signed = sum(n for key, n in counts.items() if len(key) == 2 and key[1] == ContractStatus.NOT_SIGNED)
    eligible = {t: sum(n for key, n in counts.items() if len(key) == 2 and key[0] == t) for t in ("CLS-D", "CLS-M")}
    text = (
        f"{formats.counted(signed['CLS-D'], 'contrats départementaux', 'contrat départemental')} et "
        f"{formats.counted(signed['CLS-M'], 'contrats métropolitains', 'contrat métropolitain')} sont signés"
    )
    if with_epci:
        text += f" (dont {formats.number(with_epci)} avec un EPCI)"
    if not_signed:
        text += (
            f" ; {formats.counted(not_signed, 'collectivités éligibles', 'collectivité éligible')} "
            f"{'n’ont' if not_signed > 1 else 'n’a'} pas signé de contrat"
        )
    return [
        _capital(text) + ".",
        f"Sont éligibles {formats.counted(eligible['CLS-D'], 'collectivités', 'collectivité')} à l’échelle "
        f"départementale et {formats.number(eligible['CLS-M'])} à l’échelle intercommunale.",
    ]


def contract_sizes(cases: dict) -> list[str]:
    """« Les plus petits contrats comptent 4 actions (Jura, Mayenne, Lozère) ; le plus grand, … »."""
    actions = cases.get("actions") or {}
    if len(actions) < 2:
        return []
    sizes = sorted(actions.items(), key=lambda item: (item[1][1], item[0]))
    smallest = [name for _code, (name, n, _t) in sizes if n == sizes[0][1][1]]
    largest_code, (largest, most, largest_type) = sizes[-1]
    counted = formats.counted(sizes[0][1][1], "actions", "action")
    if len(smallest) == 1:
        text = f"Le plus petit contrat compte {counted} ({smallest[0]})"
    elif len(smallest) <= 3:
        text = f"Les plus petits contrats comptent {counted} ({', '.join(smallest)})"
    else:
        text = f"{formats.number(len(smallest))} contrats comptent {counted}"
    text += f" ; le plus grand ({largest}) en compte {formats.number(most)}"
    communes = (cases.get("communes") or {}).get(largest_code)
    if communes and largest_type == "CLS-M":
        text += f", portées par {formats.counted(communes, 'communes', 'commune')}"
    if largest_type == "CLS-M":
        departmental = [item for item in sizes if item[1][2] == "CLS-D"]
        if departmental:
            name, n, _t = departmental[-1][1]
            text += f" ; le plus grand contrat départemental ({name}) en compte {formats.number(n)}"
    return [text + "."]


# --- Maps ---------------------------------------------------------------------------------------------------


def third_party_map(figures: dict) -> list[str]:
    """« Les financeurs tiers apportent plus de 30 % des crédits dans 9 départements : … »."""
    rows = _rows(figures, "cls.map.third_party_share")
    if len(rows) < 2:
        return []
    high = [(label, value) for _key, label, value in rows if value > THIRD_PARTY_HIGH]
    low = sum(1 for *_rest, value in rows if value < THIRD_PARTY_LOW)
    none = sum(1 for *_rest, value in rows if value == 0)
    text = []
    if high:
        top_label, top_value = max(high, key=lambda item: item[1])
        text.append(
            f"Les financeurs tiers apportent plus de {_pct(THIRD_PARTY_HIGH)} des crédits dans "
            f"{formats.counted(len(high), 'départements', 'département')} : {_listed([label for label, _v in high])} ; "
            f"la part la plus élevée : {top_label} ({_pct(top_value)})."
        )
    text.append(
        f"{'Ils' if high else 'Les financeurs tiers'} apportent moins de {_pct(THIRD_PARTY_LOW)} des crédits dans {_pct(Decimal(low) * 100 / len(rows))} des "
        f"départements et n’apportent aucun crédit dans {_pct(Decimal(none) * 100 / len(rows))}."
    )
    return text


def action_budget_map(figures: dict, cases: dict, portion) -> list[str]:
    """« De fortes disparités territoriales : le budget moyen d’une action va de … à … selon les départements »,
    then the régions (overseas apart) and départements above the publication's thresholds, those below, and the
    overseas mean."""
    rows = sorted(_rows(figures, "cls.map.action_budget_mean"), key=lambda r: r[2])
    if len(rows) < 2:
        return []
    sentences = [
        f"De fortes disparités territoriales : le budget moyen d’une action va de {formats.euros(rows[0][2])} "
        f"({rows[0][1]}) à {formats.euros(rows[-1][2])} ({rows[-1][1]}) selon les départements."
    ]
    means = cases.get("region_means") or {}
    if len(means) < 2:  # a région's fiche: its own mean is not a comparison
        means = {}
    high_regions = [
        name
        for name, mean, overseas in sorted(means.values(), key=lambda item: -item[1])
        if mean > ACTION_MEAN_HIGH and not overseas
    ]
    high = []
    if high_regions:
        if len(high_regions) > 2:  # the lowest of them « dans une moindre mesure », as the publication says
            named = f"{', '.join(high_regions[:-1])} et, dans une moindre mesure, {high_regions[-1]}"
        else:
            named = _listed(high_regions)
        high.append(f"dépasse {formats.euros(ACTION_MEAN_HIGH)} dans les régions {named}")
    very_high = [label for _key, label, value in rows if value > ACTION_MEAN_VERY_HIGH]
    if very_high:
        high.append(f"dépasse {formats.euros(ACTION_MEAN_VERY_HIGH)} dans les départements {_listed(very_high)}")
    if high:
        sentences.append(f"Il {' ; il '.join(high)}.")
    low = Decimal(sum(1 for *_rest, value in rows if value < ACTION_MEAN_LOW)) * 100 / len(rows)
    text = f"{'À l’inverse, il' if high else 'Il'} est inférieur à {formats.euros(ACTION_MEAN_LOW)} dans {portion(low)}"
    text += " des départements"
    very_low = [label for _key, label, value in rows if value < ACTION_MEAN_VERY_LOW]
    if very_low:
        text += f", et à {formats.euros(ACTION_MEAN_VERY_LOW)} dans les départements {_listed(very_low)}"
    sentences.append(text + ".")
    overseas = [(label, value) for key, label, value in rows if key in cases.get("overseas_departements", ())]
    if cases.get("overseas_mean") and overseas:
        top_label, top_value = max(overseas, key=lambda item: item[1])
        sentences.append(
            f"En outre-mer, le budget moyen d’une action s’élève à {formats.euros(cases['overseas_mean'])} ; il est "
            f"le plus élevé : {top_label} ({formats.euros(top_value)})."
        )
    return sentences


# --- Options -----------------------------------------------------------------------------------------------


def axes_sentence(figures: dict) -> list[str]:
    """« Les axes … réunissent 72 % des actions départementales ; dans les contrats métropolitains, … »."""
    text = []
    departmental = sorted(_rows(figures, "cls.axes", "CLS-D"), key=lambda r: -r[2])
    if len(departmental) >= 2 and departmental[1][2]:
        first, second = departmental[0], departmental[1]
        text.append(
            f"Dans les contrats départementaux, les axes « {first[1]} » et « {second[1]} » réunissent "
            f"{_pct(first[2] + second[2])} des actions."
        )
    metropolitan = sorted(_rows(figures, "cls.axes", "CLS-M"), key=lambda r: -r[2])
    if len(metropolitan) >= 2:
        first, others = metropolitan[0], [r for r in metropolitan[1:] if r[2]]
        sentence = (
            f"Dans les contrats métropolitains, l’axe « {first[1]} » est le premier ({_pct(first[2])} des actions)"
        )
        if len(others) > 1:
            spread = others[0][2] - others[-1][2]
            if spread <= HOMOGENEOUS_SPREAD:
                shares = (
                    f"{_pct(others[0][2], 1)} chacun"
                    if not spread
                    else f"de {_pct(others[-1][2], 1)} à {_pct(others[0][2], 1)}"
                )
                sentence += (
                    " ; les actions se répartissent ensuite de manière globalement homogène entre les "
                    f"{formats.number(len(others))} autres axes ({shares})"
                )
            else:
                sentence += f", devant « {others[0][1]} » ({_pct(others[0][2])})"
        text.append(sentence + ".")
    return text


def fields_sentence(figures: dict) -> list[str]:
    """« Quatre champs d’action publique sont particulièrement présents dans les contrats départementaux : … »."""
    top = {
        t: [
            label for _key, label, value in sorted(_rows(figures, "cls.policy_fields", t), key=lambda r: -r[2]) if value
        ][:TOP_FIELDS]
        for t in ("CLS-D", "CLS-M")
    }
    if len(top["CLS-D"]) < TOP_FIELDS or len(top["CLS-M"]) < TOP_FIELDS:
        return []
    return [
        f"Quatre champs d’action publique sont particulièrement présents dans les contrats départementaux : "
        f"{_quoted(top['CLS-D'])} ; les contrats métropolitains privilégient {_quoted(top['CLS-M'])}."
    ]


def scale_sentence(figures: dict) -> list[str]:
    """« 13 % des actions départementales se déploient à un niveau infra-départemental ; … »."""
    shares = {t: {key: value for key, _label, value in _rows(figures, "cls.scale", t)} for t in ("CLS-D", "CLS-M")}
    if not shares["CLS-D"] or not shares["CLS-M"]:
        return []
    below = sum((shares["CLS-D"].get(key) or Decimal(0) for key in INFRA_DEPARTEMENTAL), Decimal(0))
    communal = sum((shares["CLS-M"].get(key) or Decimal(0) for key in COMMUNAL_AND_BELOW), Decimal(0))
    return [
        f"{_pct(below)} des actions départementales se déploient à un niveau infra-départemental ; "
        f"{_pct(communal)} des actions métropolitaines, à l’échelle communale ou infra-communale."
    ]


def subtheme_sentences(figures: dict) -> list[str]:
    """Per axis, each sub-theme's share of the axis's amounts and of all the amounts by sub-theme (the report's
    « l’accès à l’autonomie des jeunes précaires (près de 32 %) et le soutien à la parentalité »)."""
    rows = _rows(figures, "cls.subthemes.amounts")
    whole = sum((value for *_rest, value in rows), Decimal(0))
    if not whole:
        return []
    axes = {
        code: (parent, label)
        for code, parent, label in Option.objects.filter(option_list__code="sous_thematiques_par_axe").values_list(
            "code", "parent__code", "parent__label"
        )
    }
    by_axis: dict[tuple, list] = {}
    for key, label, value in rows:
        by_axis.setdefault(axes.get(key, (None, "Autres sous-thématiques")), []).append((label, value))
    sentences = []
    for (_code, axis), items in by_axis.items():
        axis_total = sum((value for _label, value in items), Decimal(0))
        if not axis_total:
            continue
        parts = [
            f"« {label} » {_pct(value * 100 / axis_total, 1)} ({_pct(value * 100 / whole, 1)} du total)"
            for label, value in sorted(items, key=lambda item: -item[1])
            if value
        ]
        sentences.append(
            f"Axe « {axis} » ({_pct(axis_total * 100 / whole)} des montants par sous-thématique) : {', '.join(parts)}."
        )
    budget = next(
        (r["values"].get("ALL") for r in figures.get("cls.budget.total", {}).get("rows", []) if r["key"] == "total"),
        None,
    )
    if budget:
        sentences.insert(
            0,
            f"Les montants ventilés par sous-thématique couvrent {_pct(whole * 100 / budget)} du budget total "
            "(les actions dont la sous-thématique est renseignée) ; leur répartition par axe :",
        )
    return sentences


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]

"""The report: the bilan's figures laid out in the published report's chapters, with computed summaries,
for the nation or as a fiche for one région, département or authority compared with the nation."""

import math
import re
from collections import Counter
from decimal import Decimal

from django.utils import formats as django_formats
from django.utils import timezone

from pilotactions.core import formats
from pilotactions.core.charts import bars
from pilotactions.territories.models import Authority, Departement, Region

from . import render as figure_render
from .aggregates import Scope
from .bilan import bilan_build
from .document import Comparison, ReportDocument, ReportFigure, ReportSection, TableRow
from .figures import CHAPTERS


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


def summaries(figures: dict, year: int) -> dict[str, list[str]]:
    """One or two sentences per section, every number computed from the figures."""
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
        f"{formats.counted(actions['ALL'], 'actions')}, dont {_pct(share_d)} dans les contrats départementaux."
    )
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
        out["II.2"].append(f"Quatre régions concentrent {_portion(top_share)} des crédits : {names}.")
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
    out["II.3"].append(
        f"{_pct(new_or_reinforced)} des actions sont nouvelles ou renforcées, dont {_pct(nature.get('NOUVELLE'))} de "
        f"nouvelles. {steering} collectivités financent un ETP dédié au pilotage de leur contrat."
    )
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
            + " ; ".join(f"{r['label']} — {r['text']} (source : {r['source']}, {r['year']})" for r in items)
            for number, items in sorted(measures.items())
        ]
        paragraphs.append(f"{labels[axis]}. " + ". ".join(p[0].upper() + p[1:] for p in parts) + ".")
    return paragraphs


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
        title=f"Fiche {label} — Bilan des contrats locaux des solidarités {scope.year}"
        if territorial
        else f"Bilan du Pacte des solidarités {scope.year}",
        subtitle=f"{label} · {source} · Source : Pilot’actions · Traitement : DIPLP",
        generated_at=django_formats.date_format(timezone.localtime(), "j F Y à H:i"),
        data_date=django_formats.date_format(timezone.datetime.fromisoformat(payload["meta"]["data_date"]), "j F Y"),
    )
    if territorial:
        national = {f["id"]: f for f in bilan_build(Scope(year=scope.year, campaign_id=scope.campaign_id))["figures"]}
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
    texts = summaries(figures, scope.year)
    if not territorial:  # the national measures belong to the national report only
        texts.update(measures_summaries(figures))
    series = figure_render.series_of({}, payload["meta"]["contract_types"])
    chapters = ["II"] if territorial else ["I", "II"]
    for key, title in [item for chapter in chapters for item in CHAPTERS[chapter]["sections"].items()]:
        section = ReportSection(title=title, summary=texts.get(key, []))
        for figure in payload["figures"]:
            if figure["chapter"] == key:
                section.figures.append(report_figure(figure, series))
        document.sections.append(section)
    progress(80)
    return document


ROW_HEADINGS = {"measures.dashboard": "Mesure", "measures.budget": "Programme"}
PRINT_WIDTH_MM = 178  # the width of an A4 portrait page less its margins (templates/reports/report.html)
PRINT_CHART_MAX_MM = 225  # the tallest chart printed on one page, below its title


def report_figure(figure: dict, series: list[str]) -> ReportFigure:
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
        footer=figure["footer"],
        note=figure["note"],
        svg=svg,
        columns=table["columns"],
        rows=rows,
        kind=figure["kind"],
        row_heading=ROW_HEADINGS.get(figure["id"], "Indicateur" if len(figure["rows"]) == 1 else "Modalité"),
        text_columns=figure["id"] == "measures.dashboard",
        print_svgs=print_charts(figure, series, svg),
    )


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

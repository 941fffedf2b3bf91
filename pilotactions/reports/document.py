"""A report as a plain document — title, sections, summaries, figures with their chart and table —
built once from the bilan's figures and written to every format (HTML, PDF, DOCX, XLSX, ODT, ODS)."""

from dataclasses import dataclass, field


@dataclass
class TableRow:
    key: str
    label: str
    cells: list[str]  # formatted the French way, one per column
    values: list  # raw numbers (Decimal, int or None), one per column: spreadsheets store these
    rowspan: int = 1  # rows its header spans (the dashboard: a measure over its objectives); 0 continues one above


@dataclass
class ReportFigure:
    id: str
    title: str
    unit: str  # "%", "€", "actions", "contrats", "collectivités", "personnes"
    footer: str  # « Source : Pilot'actions · Date : … · Base : … · Traitement : DIPLP »
    note: str
    svg: str | None  # the chart (None for numbers and tables)
    columns: list[str]  # e.g. ["Départements", "Métropoles", "Ensemble"]
    rows: list[TableRow]
    row_heading: str = ""  # the header of the label column: « Mesure », « Indicateur », « Modalité »…
    text_columns: bool = False  # value columns holding text (the dashboard's objectives and statuses)
    print_svgs: list[str] = field(default_factory=list)  # the chart as printed: split when taller than a page
    kind: str = ""  # the bilan figure's kind ("bars", "stacked_bars", "donut", "map", "line", "number", "table")

    @property
    def wide(self) -> bool:
        """Printed on a landscape page: a table of text columns, or of more than four value columns."""
        return self.text_columns or len(self.columns) > 4


@dataclass
class ReportSection:
    title: str
    summary: list[str] = field(default_factory=list)  # computed French sentences (paragraphs)
    figures: list[ReportFigure] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)  # a list printed after the summary (« En synthèse »)
    level: int = 1  # its heading's level: 1 for a chapter, the introduction and the conclusion, 2 within a chapter
    kind: str = "section"  # "chapter", "section", "introduction", "box" (a framed box), "synthesis" (a list)
    # (its figures' headings are one level below its own)

    @property
    def wide(self) -> bool:
        return any(figure.wide for figure in self.figures)


@dataclass
class Comparison:
    label: str  # « Budget moyen par action »
    local: str  # formatted value of the fiche's territory
    national: str  # formatted national value


@dataclass
class ReportDocument:
    title: str  # « Bilan des contrats locaux des solidarités 2024 » or « Fiche … »
    subtitle: str  # scope and source in one line
    generated_at: str  # « 26 novembre 2026 à 16:55 »
    data_date: str  # « 26 novembre 2026 »
    comparisons: list[Comparison] = field(default_factory=list)  # fiches only
    sections: list[ReportSection] = field(default_factory=list)

    @property
    def figures(self) -> list[ReportFigure]:
        return [figure for section in self.sections for figure in section.figures]

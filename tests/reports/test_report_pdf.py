"""The printed report (PDF from reports/report.html): every table fits its page, no cell's text is cut, the
dashboard's rates and statuses are printed, no empty header, a title page, charts readable once printed."""

import html as html_module
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from pilotactions.core.charts.svg import text_width
from pilotactions.measures.services import measures_reference_load
from pilotactions.reports.aggregates import Scope
from pilotactions.reports.outputs import report_html
from pilotactions.reports.report import PRINT_CHART_MAX_MM, PRINT_WIDTH_MM, print_charts, report_build
from tests.reports.test_figures import dataset  # noqa: F401 -- the hand-built data set
from tests.reports.test_pact_figures import pacts  # noqa: F401 -- the hand-built pacts (chapter III)

pytestmark = pytest.mark.django_db
MM = 72 / 25.4  # points in a millimetre


class TableText(HTMLParser):
    """The words of each table of the report, and every header cell's text (charts left out)."""

    def __init__(self):
        super().__init__()
        self.tables, self.headers = [], []
        self._depth_svg, self._in_table, self._header = 0, False, None

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self._depth_svg += 1
        elif tag == "table":
            self._in_table = True
            self.tables.append([])
        elif tag == "th":
            self._header = []

    def handle_endtag(self, tag):
        if tag == "svg":
            self._depth_svg -= 1
        elif tag == "table":
            self._in_table = False
        elif tag == "th":
            self.headers.append(" ".join(self._header).strip())
            self._header = None

    def handle_data(self, data):
        if self._in_table and not self._depth_svg:
            self.tables[-1].extend(data.split())
            if self._header is not None:
                self._header.append(data.strip())


def _multiply(m, n):
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F]


def drawn_text(path):
    """(the text drawn within its page, pages' text, page sizes): a text run starting or ending outside its
    page (a column pushed off the page) is left out, as a reader of the printed page never sees it. A run's
    end is estimated from its font size with the charts' text metrics (Arial's, which overestimate). A word
    broken after its hyphen at the end of a line (« Emploi-|Logement ») is joined again."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    inside, texts, sizes = [], [], []
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        sizes.append((width, height))

        def visit(text, cm, tm, font, size, width=width, height=height):
            if not text.strip():
                return
            m = _multiply(tm, cm)
            x, y = m[4], m[5]
            end = x + text_width(text.strip(), size * (m[0] ** 2 + m[1] ** 2) ** 0.5)
            if x >= 0 and end <= width and 0 <= y <= height:
                inside.append(text)

        texts.append(page.extract_text(visitor_text=visit))
    return re.sub(r"-\s+", "-", " ".join(" ".join(inside).split())), texts, sizes


@pytest.fixture
def national_html(dataset, pacts):  # noqa: F811
    measures_reference_load()  # the 25 national measures, their objectives, rates and statuses
    document = report_build(Scope(year=2024))
    return document, report_html(document)


@pytest.fixture
def national(national_html, tmp_path):
    from weasyprint import HTML

    document, html = national_html
    path = tmp_path / "bilan.pdf"
    HTML(string=html).write_pdf(path)
    return document, html, path


def test_every_table_fits_its_page_and_no_cell_is_cut(national):
    document, html, path = national
    drawn, texts, sizes = drawn_text(path)
    parser = TableText()
    parser.feed(html)
    assert len(parser.tables) == len(document.figures)
    missing = {
        figure.title: missed
        for figure, words in zip(document.figures, parser.tables, strict=True)
        if (missed := sorted(word for word in set(words) if word not in drawn))
    }
    assert not missing, f"Mots de tableaux absents de la page imprimée : {missing}"
    # The dashboard, a table of text, is printed on landscape pages; the others on portrait ones.
    assert (842, 595) in {(round(w), round(h)) for w, h in sizes}
    assert (595, 842) in {(round(w), round(h)) for w, h in sizes}
    # Every measure's objectives are printed with their rate and status, on the page.
    flat = " ".join(" ".join(texts).split())
    dashboard = next(f for f in document.figures if f.id == "measures.dashboard")
    assert len({row.key for row in dashboard.rows if row.key}) == 25
    for row in dashboard.rows:
        _objective, rate, status = row.cells
        assert " ".join(status.split()) in flat, status
        assert " ".join(rate.split()) in flat, rate
        assert all(word in drawn for word in [*status.split(), *rate.split()]), (rate, status)
    assert "Taux de réalisation 2024" in flat and "Trajectoire satisfaisante" in flat


def test_no_table_header_is_empty_and_objectives_are_under_their_measure(national_html):
    document, html = national_html
    parser = TableText()
    parser.feed(html)
    assert parser.headers and all(parser.headers), "en-tête de tableau vide"
    assert "<th></th>" not in html.replace(" ", "") and 'scope="col"></th>' not in html
    dashboard = next(f for f in document.figures if f.id == "measures.dashboard")
    first = next(row for row in dashboard.rows if row.label.startswith("2. "))
    assert first.rowspan > 1 and f'rowspan="{first.rowspan}">{first.label}' in html_module.unescape(html)


def test_the_first_page_is_a_title_page_and_the_report_follows(national):
    _document, _html, path = national
    _drawn, texts, _sizes = drawn_text(path)
    title = " ".join(texts[0].split())
    assert "Bilan du Pacte des solidarités 2024" in title
    assert "Délégation interministérielle à la prévention et à la lutte contre la pauvreté (DIPLP)" in title
    assert "Données du" in title and "document généré le" in title
    # with its contents: each part and the page it starts on
    assert "Sommaire" in title and re.search(r"Introduction[ .]+2\b", title)
    # The introduction follows on the next page, then the first chapter opens on its table.
    second = " ".join(texts[1].split())
    assert second.startswith("Introduction") and "Il porte sur l’année 2024" in second
    third = " ".join(texts[2].split())
    assert "Chapitre I. Bilan des mesures nationales" in third and "Crédits du Pacte des solidarités par" in third


def _printed_sizes(svg: str) -> tuple[float, float]:
    """(smallest font in points, height in mm) of a chart printed across the page's width."""
    width, height = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
    scale = PRINT_WIDTH_MM * MM / width  # points per SVG unit
    fonts = [float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)]
    return min(fonts) * scale, height * scale / MM


def test_every_printed_chart_reads_at_8_points_and_fits_a_page(national_html):
    document, html = national_html
    assert 'class="chart"' in html and "max-height" not in html  # printed across the width, never shrunk
    charts = [svg for figure in document.figures for svg in figure.print_svgs]
    assert any("data-code" in svg for svg in charts)  # the maps are among them
    for svg in charts:
        font, height = _printed_sizes(svg)
        assert font >= 8, (svg[:200], font)
        assert height <= PRINT_CHART_MAX_MM


def test_a_chart_taller_than_a_page_is_split_on_one_scale():
    rows = [
        {
            "key": f"K{i}",
            "label": f"Sous-thématique numéro {i} dont l’intitulé est long et revient à la ligne",
            "values": {"CLS-D": Decimal(i * 1000), "CLS-M": Decimal(500), "ALL": Decimal(i * 1000 + 500)},
        }
        for i in range(1, 31)
    ]
    figure = {"id": "cls.subthemes.amounts", "title": "Montants", "kind": "bars", "unit": "€", "rows": rows}
    from pilotactions.reports import render

    whole = render.chart(figure, ["CLS-D", "CLS-M", "ALL"])
    assert _printed_sizes(whole)[1] > PRINT_CHART_MAX_MM  # too tall: printed whole, it would be shrunk
    parts = print_charts(figure, ["CLS-D", "CLS-M", "ALL"], whole)
    assert len(parts) >= 2
    for part in parts:
        font, height = _printed_sizes(part)
        assert font >= 8 and height <= PRINT_CHART_MAX_MM
    # Every row is drawn once, and the longest bar of the whole figure sets the scale of every part.
    labels = [label for part in parts for label in re.findall(r"<title>(Sous-thématique numéro \d+)", part)]
    assert len(set(labels)) == 30
    longest = max(float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', parts[-1]))
    first = max(float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', parts[0]))
    assert first < longest  # the first part's largest value (30 500 €) is far below the last's


def test_docx_tables_fit_the_page(national_html, tmp_path):
    import docx

    from pilotactions.reports.outputs import write_report

    document, _html = national_html
    write_report(document, "docx", tmp_path / "bilan.docx")
    opened = docx.Document(tmp_path / "bilan.docx")
    empty = [f for f in document.figures if not f.rows]  # chapter III: options nobody chose are left out
    assert empty and len(opened.tables) >= len(document.figures) - len(empty)
    assert [p.text for p in opened.paragraphs].count("Aucune donnée dans ce périmètre.") == len(empty)
    # (the widest page's text width: a table on a landscape section may be wider than a portrait page)
    usable = max(section.page_width - section.left_margin - section.right_margin for section in opened.sections)
    for table in opened.tables:
        widths = [column.width for column in table.columns]
        assert None not in widths and sum(widths) <= usable, widths

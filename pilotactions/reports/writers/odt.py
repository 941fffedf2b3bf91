"""OpenDocument text: the same content as the DOCX, for LibreOffice and its kin."""

from odf import draw as odf_draw
from odf import style as odf_style
from odf import svg as odf_svg
from odf import table as odf_table
from odf import text as odf_text
from odf.opendocument import OpenDocumentText

from pilotactions.core.formats import french_spacing

from ..document import ReportDocument
from .common import (
    BORDER_GREY,
    COMPARISON_HEADER,
    GREY,
    HEADER_FILL,
    MARGIN_CM,
    NO_DATA,
    PAGE_HEIGHT_CM,
    PAGE_WIDTH_CM,
    TEXT_WIDTH_CM,
    TOC_HINT,
    TOC_LEVELS,
    TOC_TITLE,
    VALUE_COLUMN_MAX_CM,
    alt_text,
    as_target,
    chart_pngs,
    figure_mentions,
    figure_table,
    generated_line,
    picture_cm,
    table_widths,
)
from .opendocument import FONT_NAME, cm, odf_meta, odf_paragraph


class _OdtStyles:
    """The common (named) styles a reader sees in LibreOffice, and the automatic ones of the content."""

    def __init__(self, doc: OpenDocumentText):
        self.doc = doc
        default = odf_style.DefaultStyle(family="paragraph")
        default.addElement(odf_style.TextProperties(fontname=FONT_NAME, fontsize="10.5pt", language="fr", country="FR"))
        doc.styles.addElement(default)
        self.standard = self._paragraph_style("Standard", None, margins=("0cm", "0.2cm"))
        self.body = self._paragraph_style("Text_20_body", "Text body", margins=("0cm", "0.25cm"))
        self.title = self._paragraph_style(
            "Title", "Title", margins=("0cm", "0.3cm"), text={"fontsize": "22pt", "fontweight": "bold"}
        )
        self.subtitle = self._paragraph_style(
            "Subtitle", "Subtitle", margins=("0cm", "0.2cm"), text={"fontsize": "13pt", "color": "#3a3a3a"}
        )
        self.heading1 = self._paragraph_style(
            "Heading_20_1",
            "Heading 1",
            margins=("0.6cm", "0.25cm"),
            text={"fontsize": "16pt", "fontweight": "bold", "color": "#000091"},
            outline=1,
        )
        self.heading2 = self._paragraph_style(
            "Heading_20_2",
            "Heading 2",
            margins=("0.45cm", "0.2cm"),
            text={"fontsize": "12.5pt", "fontweight": "bold"},
            outline=2,
        )
        self.heading3 = self._paragraph_style(
            "Heading_20_3",
            "Heading 3",
            margins=("0.4cm", "0.2cm"),
            text={"fontsize": "11pt", "fontweight": "bold"},
            outline=3,
        )
        self.cell_text = self._paragraph_style(
            "Table_20_Contents", "Table Contents", margins=("0.03cm", "0.03cm"), text={"fontsize": "9pt"}
        )
        self.cell_heading = self._paragraph_style(
            "Table_20_Heading",
            "Table Heading",
            margins=("0.03cm", "0.03cm"),
            text={"fontsize": "9pt", "fontweight": "bold"},
            parent="Table_20_Contents",
        )
        self.mentions = self._paragraph_style(
            "Mentions",
            "Mentions",
            margins=("0.1cm", "0.4cm"),
            text={"fontsize": "8pt", "fontstyle": "italic", "color": f"#{GREY}"},
        )
        self.figure = self._paragraph_style("Figure", "Figure", margins=("0.1cm", "0.2cm"), align="center")
        self.figure.getElementsByType(odf_style.ParagraphProperties)[0].setAttribute("keepwithnext", "always")

        self.contents_heading = self._paragraph_style(
            "Contents_20_Heading",
            "Contents Heading",
            margins=("0.4cm", "0.25cm"),
            text={"fontsize": "16pt", "fontweight": "bold", "color": "#000091"},
        )
        self.contents = [
            self._paragraph_style(
                f"Contents_20_{level}", f"Contents {level}", margins=("0cm", "0.1cm"), indent=0.5 * (level - 1)
            )
            for level in range(1, TOC_LEVELS + 1)
        ]
        self.cell_text_right = self._automatic_paragraph("P-droite", self.cell_text, align="end")
        self.cell_heading_right = self._automatic_paragraph("P-entete-droite", self.cell_heading, align="end")
        self.table = odf_style.Style(name="Tableau", family="table")
        self.table.addElement(
            odf_style.TableProperties(width=cm(TEXT_WIDTH_CM), align="left", margintop="0.1cm", marginbottom="0cm")
        )
        doc.automaticstyles.addElement(self.table)
        self.cell = odf_style.Style(name="Cellule", family="table-cell")
        self.cell.addElement(odf_style.TableCellProperties(border=f"0.5pt solid #{BORDER_GREY}", padding="0.08cm"))
        doc.automaticstyles.addElement(self.cell)
        self.header_cell = odf_style.Style(name="Cellule-entete", family="table-cell")
        self.header_cell.addElement(
            odf_style.TableCellProperties(
                border=f"0.5pt solid #{BORDER_GREY}", padding="0.08cm", backgroundcolor=f"#{HEADER_FILL}"
            )
        )
        doc.automaticstyles.addElement(self.header_cell)
        self.frame = odf_style.Style(name="Cadre", family="graphic")
        self.frame.addElement(
            odf_style.GraphicProperties(
                verticalpos="top", verticalrel="baseline", horizontalpos="center", horizontalrel="paragraph"
            )
        )
        doc.automaticstyles.addElement(self.frame)
        self._columns: dict[str, odf_style.Style] = {}

        layout = odf_style.PageLayout(name="Mise-en-page")
        layout.addElement(
            odf_style.PageLayoutProperties(
                pagewidth=cm(PAGE_WIDTH_CM),
                pageheight=cm(PAGE_HEIGHT_CM),
                printorientation="portrait",
                margintop=cm(MARGIN_CM),
                marginbottom=cm(MARGIN_CM),
                marginleft=cm(MARGIN_CM),
                marginright=cm(MARGIN_CM),
            )
        )
        doc.automaticstyles.addElement(layout)
        doc.masterstyles.addElement(odf_style.MasterPage(name="Standard", pagelayoutname=layout))

    def _paragraph_style(
        self, name, display, *, margins, text=None, outline=None, parent="Standard", align=None, indent=None
    ):
        style = odf_style.Style(name=name, family="paragraph")
        if display:
            style.setAttribute("displayname", display)
        if name != "Standard":
            style.setAttribute("parentstylename", parent)
        if outline:
            style.setAttribute("defaultoutlinelevel", str(outline))
            style.setAttribute("nextstylename", "Text_20_body")
        properties = {"margintop": margins[0], "marginbottom": margins[1]}
        if outline:
            properties["keepwithnext"] = "always"
        if align:
            properties["textalign"] = align
        if indent is not None:
            properties["marginleft"] = cm(indent)
        style.addElement(odf_style.ParagraphProperties(**properties))
        if text:
            style.addElement(odf_style.TextProperties(**text))
        self.doc.styles.addElement(style)
        return style

    def _automatic_paragraph(self, name, parent, *, align):
        style = odf_style.Style(name=name, family="paragraph", parentstylename=parent)
        style.addElement(odf_style.ParagraphProperties(textalign=align))
        self.doc.automaticstyles.addElement(style)
        return style

    def column(self, width_cm: float):
        """A table-column style of that width, created once."""
        key = cm(width_cm)
        if key not in self._columns:
            style = odf_style.Style(name=f"Colonne-{len(self._columns) + 1}", family="table-column")
            style.addElement(odf_style.TableColumnProperties(columnwidth=key))
            self.doc.automaticstyles.addElement(style)
            self._columns[key] = style
        return self._columns[key]


def _odt_table(styles: _OdtStyles, name: str, header, rows, widths_cm) -> odf_table.Table:
    """A table:table with a repeated header row; columns after the first are right-aligned."""
    table = odf_table.Table(name=name, stylename=styles.table)
    for width in widths_cm:
        table.addElement(odf_table.TableColumn(stylename=styles.column(width)))

    def table_row(texts, heading):
        element = odf_table.TableRow()
        for column, text in enumerate(texts):
            cell = odf_table.TableCell(valuetype="string", stylename=styles.header_cell if heading else styles.cell)
            if heading:
                paragraph_style = styles.cell_heading_right if column else styles.cell_heading
            else:
                paragraph_style = styles.cell_text_right if column else styles.cell_text
            cell.addElement(odf_paragraph(text, paragraph_style))
            element.addElement(cell)
        return element

    header_rows = odf_table.TableHeaderRows()
    header_rows.addElement(table_row(header, True))
    table.addElement(header_rows)
    for texts in rows:
        table.addElement(table_row(texts, False))
    return table


def _odt_toc(styles: _OdtStyles, document: ReportDocument) -> odf_text.TableOfContent:
    """A LibreOffice table of contents built from the outline levels 1 to 3 (the text:h headings), with links and
    page numbers once updated (Outils › Mettre à jour › Tout mettre à jour, or right click › Mettre à jour
    l'index). Until then its body lists the headings without page numbers, followed by how to update it."""
    toc = odf_text.TableOfContent(name=TOC_TITLE, protected="true")
    source = odf_text.TableOfContentSource(outlinelevel=str(TOC_LEVELS), useoutlinelevel="true", useindexmarks="false")
    source.addElement(odf_text.IndexTitleTemplate(stylename=styles.contents_heading, text=TOC_TITLE))
    for level, style in enumerate(styles.contents, start=1):
        template = odf_text.TableOfContentEntryTemplate(outlinelevel=str(level), stylename=style)
        template.addElement(odf_text.IndexEntryLinkStart())
        template.addElement(odf_text.IndexEntryText())
        template.addElement(odf_text.IndexEntryTabStop(type="right", leaderchar="."))
        template.addElement(odf_text.IndexEntryPageNumber())
        template.addElement(odf_text.IndexEntryLinkEnd())
        source.addElement(template)
    toc.addElement(source)
    body = odf_text.IndexBody()
    title = odf_text.IndexTitle(name=f"{TOC_TITLE} (titre)")
    title.addElement(odf_paragraph(TOC_TITLE, styles.contents_heading))
    body.addElement(title)
    for section in document.sections:
        body.addElement(odf_paragraph(section.title, styles.contents[section.level - 1]))
        for figure in section.figures:
            body.addElement(odf_paragraph(figure.title, styles.contents[section.level]))
    body.addElement(odf_paragraph(TOC_HINT, styles.mentions))
    toc.addElement(body)
    return toc


def write_odt(document: ReportDocument, target) -> None:
    """The document as OpenDocument text: the DOCX's content, for LibreOffice and its kin."""
    doc = OpenDocumentText()
    odf_meta(doc, document)
    styles = _OdtStyles(doc)
    body = doc.text

    body.addElement(odf_paragraph(document.title, styles.title))
    if document.subtitle:
        body.addElement(odf_paragraph(document.subtitle, styles.subtitle))
    generated = generated_line(document)
    if generated:
        body.addElement(odf_paragraph(generated, styles.body))
    body.addElement(_odt_toc(styles, document))
    tables = 0
    if document.comparisons:
        tables += 1
        body.addElement(
            _odt_table(
                styles,
                f"Tableau{tables}",
                COMPARISON_HEADER,
                [[c.label, c.local, c.national] for c in document.comparisons],
                [TEXT_WIDTH_CM - 2 * VALUE_COLUMN_MAX_CM, VALUE_COLUMN_MAX_CM, VALUE_COLUMN_MAX_CM],
            )
        )

    pngs = chart_pngs(document)
    pictures: dict[str, str] = {}  # svg → path in the package
    charts = 0
    for section in document.sections:
        heading = styles.heading1 if section.level == 1 else styles.heading2
        body.addElement(odf_text.H(outlinelevel=section.level, stylename=heading, text=section.title))
        for sentence in section.summary:
            body.addElement(odf_paragraph(french_spacing(sentence), styles.body))
        for item in section.bullets:
            body.addElement(odf_paragraph(f"• {french_spacing(item)}", styles.body))
        for figure in section.figures:
            body.addElement(
                odf_text.H(
                    outlinelevel=section.level + 1,
                    stylename=styles.heading2 if section.level == 1 else styles.heading3,
                    text=figure.title,
                )
            )
            if figure.svg:
                png = pngs[figure.svg]
                if figure.svg not in pictures:
                    path = f"Pictures/graphique-{len(pictures) + 1:03d}.png"
                    pictures[figure.svg] = doc.addPicture(path, "image/png", png)
                width, height = picture_cm(png)
                name, description = alt_text(figure)
                charts += 1
                frame = odf_draw.Frame(
                    name=f"Graphique{charts}",
                    stylename=styles.frame,
                    anchortype="as-char",
                    width=cm(width),
                    height=cm(height),
                )
                frame.addElement(
                    odf_draw.Image(href=pictures[figure.svg], type="simple", show="embed", actuate="onLoad")
                )
                frame.addElement(odf_svg.Title(text=name))
                if description:
                    frame.addElement(odf_svg.Desc(text=description))
                holder = odf_text.P(stylename=styles.figure)
                holder.addElement(frame)
                body.addElement(holder)
            if figure.rows:
                tables += 1
                header, rows = figure_table(figure)
                body.addElement(_odt_table(styles, f"Tableau{tables}", header, rows, table_widths(len(figure.columns))))
            else:
                body.addElement(odf_paragraph(NO_DATA, styles.body))
            lines = figure_mentions(figure)
            if lines:
                body.addElement(odf_paragraph("\n".join(lines), styles.mentions))
    doc.save(as_target(target))

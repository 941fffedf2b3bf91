"""Word: title, headings, paragraphs, charts as PNG pictures, Word tables."""

import io

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from pilotactions.core.formats import french_spacing

from ..document import ReportDocument, ReportFigure
from .common import (
    AUTHOR,
    COMPARISON_HEADER,
    GREY,
    LANGUAGE,
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


def _docx_setup(doc, document: ReportDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
    section.left_margin = section.right_margin = Cm(MARGIN_CM)
    section.top_margin = section.bottom_margin = Cm(MARGIN_CM)

    # The language of every run (spelling, hyphenation), through the document defaults.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_defaults.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_defaults.append(lang)
    lang.set(qn("w:val"), LANGUAGE)

    table_text = doc.styles.add_style("Tableau", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = doc.styles["Normal"]
    table_text.font.size = Pt(9)
    table_text.paragraph_format.space_before = Pt(1)
    table_text.paragraph_format.space_after = Pt(1)
    table_text.paragraph_format.line_spacing = 1.0

    mentions = doc.styles.add_style("Mentions", WD_STYLE_TYPE.PARAGRAPH)
    mentions.base_style = doc.styles["Normal"]
    mentions.font.size = Pt(8)
    mentions.font.italic = True
    mentions.font.color.rgb = RGBColor.from_string(GREY)
    mentions.paragraph_format.space_before = Pt(4)
    mentions.paragraph_format.space_after = Pt(12)
    mentions.paragraph_format.line_spacing = 1.0

    properties = doc.core_properties
    properties.title = document.title
    properties.subject = document.subtitle
    properties.language = LANGUAGE
    properties.author = AUTHOR
    properties.last_modified_by = AUTHOR
    properties.revision = 1
    # The template's 2013 dates say nothing true: leave the dates out (and the file deterministic).
    for element in list(properties._element):
        if element.tag in (qn("dcterms:created"), qn("dcterms:modified")):
            properties._element.remove(element)


def _docx_table(doc, header: list[str], rows: list[list[str]], widths_cm: list[float]) -> None:
    """A Word table with a repeated, bold header row; columns after the first are right-aligned."""
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    style_id = doc.styles["Tableau"].style_id
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)  # the grid, which LibreOffice reads; Word reads each cell's width
    for index, (table_row, texts) in enumerate(zip(table.rows, [header, *rows], strict=True)):
        if index == 0:
            row_properties = table_row._tr.get_or_add_trPr()
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            row_properties.append(repeat)
        for column, (cell, text) in enumerate(zip(table_row.cells, texts, strict=True)):
            cell.width = Cm(widths_cm[column])
            paragraph = cell.paragraphs[0]
            paragraph._p.style = style_id  # the id directly: python-docx looks a name up in every style each time
            run = paragraph.add_run(text)
            if index == 0:
                run.bold = True
            if column > 0:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _docx_picture(doc, png: bytes, figure: ReportFigure) -> None:
    width, height = picture_cm(png)
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    shape = paragraph.add_run().add_picture(io.BytesIO(png), width=Cm(width), height=Cm(height))
    name, description = alt_text(figure)
    properties = shape._inline.docPr
    properties.set("title", name)
    properties.set("descr", description or name)


def _docx_mentions(doc, figure: ReportFigure) -> None:
    lines = figure_mentions(figure)
    if not lines:
        return
    paragraph = doc.add_paragraph(style="Mentions")
    for index, line in enumerate(lines):
        run = paragraph.add_run(line)
        if index < len(lines) - 1:
            run.add_break(WD_BREAK.LINE)


def _docx_field_char(paragraph, kind: str, *, dirty: bool = False) -> None:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    if dirty:
        element.set(qn("w:dirty"), "true")
    paragraph.add_run()._r.append(element)


def _docx_toc(doc, document: ReportDocument) -> None:
    """A table of contents field (TOC \\o "1-3": the Heading 1 to 3 paragraphs, with links), marked to be updated.

    Its text until then lists the headings without page numbers, followed by how to update it: Word updates a
    field marked dirty when the document opens (it asks first), or on F9; LibreOffice reads it as its own
    table of contents (Outils › Mettre à jour)."""
    doc.add_paragraph(TOC_TITLE, style="TOC Heading")
    paragraph = doc.add_paragraph()
    _docx_field_char(paragraph, "begin", dirty=True)
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = f' TOC \\o "1-{TOC_LEVELS}" \\h \\z \\u '
    paragraph.add_run()._r.append(instruction)
    _docx_field_char(paragraph, "separate")
    for section in document.sections:
        indent = "\u2003" * (section.level - 1)
        paragraph.add_run(f"{indent}{section.title}").add_break()
        for figure in section.figures:
            paragraph.add_run(f"{indent}\u2003{figure.title}").add_break()
    paragraph.add_run(TOC_HINT).italic = True
    _docx_field_char(paragraph, "end")


def write_docx(document: ReportDocument, target) -> None:
    """The document as Word: headings, paragraphs, pictures and tables that Word edits."""
    doc = docx.Document()
    _docx_setup(doc, document)
    doc.add_heading(document.title, level=0)
    if document.subtitle:
        doc.add_paragraph(document.subtitle, style="Subtitle")
    generated = generated_line(document)
    if generated:
        doc.add_paragraph(generated)
    _docx_toc(doc, document)
    if document.comparisons:
        _docx_table(
            doc,
            COMPARISON_HEADER,
            [[c.label, c.local, c.national] for c in document.comparisons],
            [TEXT_WIDTH_CM - 2 * VALUE_COLUMN_MAX_CM, VALUE_COLUMN_MAX_CM, VALUE_COLUMN_MAX_CM],
        )
        doc.add_paragraph()

    pngs = chart_pngs(document)
    for section in document.sections:
        doc.add_heading(section.title, level=section.level)
        for sentence in section.summary:  # a box (the methodology) as Word's framed quote
            doc.add_paragraph(french_spacing(sentence), style="Intense Quote" if section.kind == "box" else None)
        for item in section.bullets:
            doc.add_paragraph(french_spacing(item), style="List Bullet")
        for figure in section.figures:
            doc.add_heading(figure.title, level=section.level + 1)
            if figure.svg:
                _docx_picture(doc, pngs[figure.svg], figure)
            if figure.rows:
                header, rows = figure_table(figure)
                _docx_table(doc, header, rows, table_widths(len(figure.columns)))
            else:
                doc.add_paragraph(NO_DATA)
            _docx_mentions(doc, figure)
    doc.save(as_target(target))

"""OpenDocument spreadsheet: the same sheets as the XLSX, numbers stored as numbers."""

from odf import config as odf_config
from odf import number as odf_number
from odf import style as odf_style
from odf import table as odf_table
from odf import text as odf_text
from odf.opendocument import OpenDocumentSpreadsheet

from pilotactions.core.tabular import ods_text_cell

from ..document import ReportDocument
from .common import (
    BORDER_GREY,
    COMPARISON_HEADER,
    COMPARISON_SHEET,
    FIGURE_HEADER_ROW,
    GREY,
    HEADER_FILL,
    SHEET_NAME_MAX,
    SUMMARY_HEADER,
    SUMMARY_HEADER_ROW,
    SUMMARY_SHEET,
    as_target,
    figure_number_kind,
    footer_base_and_source,
    generated_line,
    sheet_names,
    spreadsheet_number,
    text_width,
)
from .opendocument import FONT_NAME, cm, odf_meta, odf_paragraph, odf_value

NBSP = "\u00a0"


class _OdsStyles:
    def __init__(self, doc: OpenDocumentSpreadsheet):
        self.doc = doc
        default = odf_style.DefaultStyle(family="table-cell")
        default.addElement(odf_style.TextProperties(fontname=FONT_NAME, language="fr", country="FR"))
        doc.styles.addElement(default)

        self.number_cells = {
            "integer": self._number_cell("Entier", decimals=0, suffix=None),
            "decimal": self._number_cell("Decimal", decimals=1, suffix=None),
            "euro": self._number_cell("Euros", decimals=2, suffix=f"{NBSP}€"),
            "percent": self._number_cell("Pourcentage", decimals=1, suffix=f"{NBSP}%"),
        }
        self.title = self._cell("Titre", text={"fontsize": "14pt", "fontweight": "bold"})
        self.subtitle = self._cell("Sous-titre", text={"fontsize": "11pt", "fontweight": "bold"})
        self.mentions = self._cell("Mentions", text={"fontsize": "9pt", "fontstyle": "italic", "color": f"#{GREY}"})
        self.header = self._cell(
            "Entete",
            text={"fontweight": "bold"},
            cell={
                "backgroundcolor": f"#{HEADER_FILL}",
                "borderbottom": f"0.5pt solid #{BORDER_GREY}",
                "wrapoption": "wrap",
                "verticalalign": "top",
            },
        )
        self.header_right = self._cell(
            "Entete-droite",
            text={"fontweight": "bold"},
            cell={
                "backgroundcolor": f"#{HEADER_FILL}",
                "borderbottom": f"0.5pt solid #{BORDER_GREY}",
                "wrapoption": "wrap",
                "verticalalign": "top",
            },
            paragraph={"textalign": "end"},
        )
        self.wrapped = self._cell("Texte", cell={"wrapoption": "wrap", "verticalalign": "top"})
        self.right = self._cell("Texte-droite", paragraph={"textalign": "end"})
        self.link = self._cell("Lien", text={"color": "#000091", "textunderlinestyle": "solid"})
        self._columns: dict[str, odf_style.Style] = {}

    def _cell(self, name, *, text=None, cell=None, paragraph=None, datastyle=None):
        style = odf_style.Style(name=name, family="table-cell")
        if datastyle is not None:
            style.setAttribute("datastylename", datastyle)
        if cell:
            style.addElement(odf_style.TableCellProperties(**cell))
        if paragraph:
            style.addElement(odf_style.ParagraphProperties(**paragraph))
        if text:
            style.addElement(odf_style.TextProperties(**text))
        self.doc.automaticstyles.addElement(style)
        return style

    def _number_cell(self, name, *, decimals: int, suffix: str | None):
        data = odf_number.NumberStyle(name=f"N-{name}", language="fr", country="FR")
        data.addElement(odf_number.Number(decimalplaces=str(decimals), minintegerdigits="1", grouping="true"))
        if suffix:
            data.addElement(odf_number.Text(text=suffix))
        self.doc.styles.addElement(data)
        return self._cell(f"Nombre-{name}", datastyle=data)

    def column(self, width_chars: int):
        """A table-column style about `width_chars` characters wide, created once."""
        key = cm(width_chars * 0.22)
        if key not in self._columns:
            style = odf_style.Style(name=f"co{len(self._columns) + 1}", family="table-column")
            style.addElement(odf_style.TableColumnProperties(columnwidth=key, breakbefore="auto"))
            self.doc.automaticstyles.addElement(style)
            self._columns[key] = style
        return self._columns[key]


def _ods_text(text, style=None, href: str | None = None) -> odf_table.TableCell:
    """A text cell (value type "string", never a formula: core.tabular.ods_text_cell)."""
    return ods_text_cell(text, stylename=style, href=href)


def _ods_number(value, shown: str, style) -> odf_table.TableCell:
    cell = odf_table.TableCell(valuetype="float", value=odf_value(value), stylename=style)
    cell.addElement(odf_paragraph(shown, None) if shown else odf_text.P())
    return cell


def _ods_row(*cells) -> odf_table.TableRow:
    """A table:table-row; an empty one still holds one cell, as ODF requires."""
    row = odf_table.TableRow()
    for cell in cells or (odf_table.TableCell(),):
        row.addElement(cell)
    return row


def _ods_table(styles: _OdsStyles, name: str, widths_chars: list[int]) -> odf_table.Table:
    table = odf_table.Table(name=name)
    for width in widths_chars:
        table.addElement(odf_table.TableColumn(stylename=styles.column(width)))
    return table


def _ods_header(styles: _OdsStyles, texts: list[str], left: int) -> odf_table.TableRow:
    return _ods_row(
        *(_ods_text(text, styles.header if i < left else styles.header_right) for i, text in enumerate(texts))
    )


def _ods_sheet_reference(name: str) -> str:
    """#'name'.A1: a link to the top of a sheet (names never hold a straight apostrophe, see sheet_names)."""
    return f"#'{name}'.A1"


def _ods_freeze(doc: OpenDocumentSpreadsheet, frozen_rows: dict[str, int], active: str) -> None:
    """Freeze the rows above each table's first data row (settings.xml, as LibreOffice writes it)."""

    def item(name, kind, value):
        return odf_config.ConfigItem(name=name, type=kind, text=str(value))

    tables = odf_config.ConfigItemMapNamed(name="Tables")
    for name, rows in frozen_rows.items():
        entry = odf_config.ConfigItemMapEntry(name=name)
        for element in (
            item("CursorPositionX", "int", 0),
            item("CursorPositionY", "int", rows),
            item("HorizontalSplitMode", "short", 0),
            item("VerticalSplitMode", "short", 2),
            item("HorizontalSplitPosition", "int", 0),
            item("VerticalSplitPosition", "int", rows),
            item("ActiveSplitRange", "short", 2),
            item("PositionLeft", "int", 0),
            item("PositionRight", "int", 0),
            item("PositionTop", "int", 0),
            item("PositionBottom", "int", rows),
        ):
            entry.addElement(element)
        tables.addElement(entry)
    view = odf_config.ConfigItemMapEntry()
    view.addElement(item("ViewId", "string", "view1"))
    view.addElement(tables)
    view.addElement(item("ActiveTable", "string", active))
    views = odf_config.ConfigItemMapIndexed(name="Views")
    views.addElement(view)
    settings = odf_config.ConfigItemSet(name="ooo:view-settings")
    settings.addElement(views)
    doc.settings.addElement(settings)


def write_ods(document: ReportDocument, target) -> None:
    """The document as OpenDocument spreadsheet: the XLSX's sheets, numbers stored as numbers."""
    doc = OpenDocumentSpreadsheet()
    odf_meta(doc, document)
    styles = _OdsStyles(doc)
    names = sheet_names(document)
    frozen: dict[str, int] = {}

    summary = _ods_table(styles, SUMMARY_SHEET, [text_width(names, 12, SHEET_NAME_MAX + 2), 30, 50, 24, 40, 50])
    summary.addElement(_ods_row(_ods_text(document.title, styles.title)))
    summary.addElement(_ods_row(_ods_text(document.subtitle)))
    summary.addElement(_ods_row(_ods_text(generated_line(document), styles.mentions)))
    summary.addElement(_ods_row())
    summary.addElement(_ods_header(styles, SUMMARY_HEADER, left=len(SUMMARY_HEADER)))
    figures = [(section, figure) for section in document.sections for figure in section.figures]
    for (section, figure), name in zip(figures, names, strict=True):
        base, source = footer_base_and_source(figure)
        summary.addElement(
            _ods_row(
                _ods_text(name, styles.link, href=_ods_sheet_reference(name)),
                *(_ods_text(text, styles.wrapped) for text in (section.title, figure.title, base, source, figure.note)),
            )
        )
    doc.spreadsheet.addElement(summary)
    frozen[SUMMARY_SHEET] = SUMMARY_HEADER_ROW

    if document.comparisons:
        sheet = _ods_table(
            styles, COMPARISON_SHEET, [text_width([c.label for c in document.comparisons], 30, 70), 20, 20]
        )
        sheet.addElement(_ods_row(_ods_text("Ce territoire et le national", styles.subtitle)))
        sheet.addElement(_ods_row())
        sheet.addElement(_ods_header(styles, COMPARISON_HEADER, left=1))
        for comparison in document.comparisons:
            sheet.addElement(
                _ods_row(
                    _ods_text(comparison.label),
                    _ods_text(comparison.local, styles.right),
                    _ods_text(comparison.national, styles.right),
                )
            )
        doc.spreadsheet.addElement(sheet)
        frozen[COMPARISON_SHEET] = 3

    for figure, name in zip(document.figures, names, strict=True):
        widths = [
            text_width([row.key for row in figure.rows], 8, 30),
            text_width([row.label for row in figure.rows], 24, 60),
        ]
        for column, title in enumerate(figure.columns):
            cells = [row.cells[column] for row in figure.rows if column < len(row.cells)]
            widths.append(text_width([title, *cells], 14, 30))
        sheet = _ods_table(styles, name, widths)
        sheet.addElement(_ods_row(_ods_text(figure.title, styles.subtitle)))
        sheet.addElement(_ods_row(_ods_text(figure.footer, styles.mentions)))
        sheet.addElement(_ods_row(_ods_text(figure.note, styles.mentions)))
        sheet.addElement(_ods_header(styles, ["Clé", "Libellé", *figure.columns], left=2))
        for row in figure.rows:
            cells = [_ods_text(row.key), _ods_text(row.label, styles.wrapped)]
            for column in range(len(figure.columns)):
                raw = row.values[column] if column < len(row.values) else None
                value = spreadsheet_number(raw)
                if value is None:
                    if raw is not None and column < len(row.cells):  # a text (an objective, a status): kept as text
                        cells.append(_ods_text(row.cells[column], styles.wrapped))
                    else:
                        cells.append(odf_table.TableCell())
                    continue
                shown = row.cells[column] if column < len(row.cells) else ""
                style = styles.number_cells[figure_number_kind(figure.unit, value)]
                cells.append(_ods_number(value, shown, style))
            sheet.addElement(_ods_row(*cells))
        doc.spreadsheet.addElement(sheet)
        frozen[name] = FIGURE_HEADER_ROW

    _ods_freeze(doc, frozen, active=SUMMARY_SHEET)
    doc.save(as_target(target))

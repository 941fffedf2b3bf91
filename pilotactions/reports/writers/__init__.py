"""A ReportDocument written to office formats that people edit: the same document as the HTML and PDF.

    write_docx(document, target)   Word: title, table of contents field, Heading 1/2, paragraphs, charts as PNG
                                   pictures, Word tables
    write_xlsx(document, target)   Excel: a « Sommaire » sheet linking to one sheet per figure, named after its
                                   title, holding raw numbers and a native chart beside them
    write_odt(document, target)    OpenDocument text: the same content as the DOCX (a LibreOffice index)
    write_ods(document, target)    OpenDocument spreadsheet: the same sheets as the XLSX, without charts

`target` is a path (str or os.PathLike) or a binary file object opened for writing.
Each chart's SVG is converted to PNG once per document (cairosvg, through core.charts.svg_to_png).
No random identifier is produced here: pictures, frames and sheets are named from the document's order.
"""

from .docx import write_docx
from .ods import write_ods
from .odt import write_odt
from .xlsx import write_xlsx

__all__ = ["write_docx", "write_ods", "write_odt", "write_xlsx"]

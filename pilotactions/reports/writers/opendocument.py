"""What the OpenDocument text and spreadsheet share: metadata, font, paragraphs, values and lengths."""

from odf import dc as odf_dc
from odf import style as odf_style
from odf import teletype
from odf import text as odf_text

from ..document import ReportDocument
from .common import LANGUAGE

FONT_NAME = "Arial"  # LibreOffice substitutes the metric-compatible Liberation Sans when Arial is absent


def odf_meta(doc, document: ReportDocument) -> None:
    doc.meta.addElement(odf_dc.Title(text=document.title))
    if document.subtitle:
        doc.meta.addElement(odf_dc.Subject(text=document.subtitle))
    doc.meta.addElement(odf_dc.Language(text=LANGUAGE))
    doc.fontfacedecls.addElement(
        odf_style.FontFace(name=FONT_NAME, fontfamily=FONT_NAME, fontfamilygeneric="swiss", fontpitch="variable")
    )


def odf_paragraph(text: str, stylename) -> odf_text.P:
    """A text:p; spaces, tabs and line breaks kept the ODF way."""
    paragraph = odf_text.P(stylename=stylename) if stylename is not None else odf_text.P()
    teletype.addTextToElement(paragraph, text)
    return paragraph


def odf_value(value) -> str:
    """office:value of a number (xsd:double)."""
    return str(value) if isinstance(value, int) else repr(float(value))


def cm(value: float) -> str:
    return f"{value:.2f}cm"

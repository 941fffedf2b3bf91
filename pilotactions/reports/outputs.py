"""Write a report document in the format asked for: HTML (printable), PDF, DOCX, XLSX, ODT, ODS."""

from django.template.loader import render_to_string

from .document import ReportDocument

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def report_html(document: ReportDocument) -> str:
    return render_to_string("reports/report.html", {"document": document})


def write_report(document: ReportDocument, fmt: str, path) -> None:
    if fmt == "html":
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(report_html(document))
    elif fmt == "pdf":
        from weasyprint import HTML

        HTML(string=report_html(document)).write_pdf(path)
    else:
        from . import writers

        {"docx": writers.write_docx, "xlsx": writers.write_xlsx, "odt": writers.write_odt, "ods": writers.write_ods}[
            fmt
        ](document, path)

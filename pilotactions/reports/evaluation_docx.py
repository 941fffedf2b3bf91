"""A contract's evaluation fiche as DOCX (python-docx), the same content as its PDF (evaluation_fiche.html)."""

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt

from pilotactions.core.formats import counted, euros, french_spacing, number, percent, quantity

HEADERS = [
    "Action",
    "État programmé",
    "État réalisé",
    "Total programmé",
    "Total réalisé",
    "Écart (€)",
    "Écart (%)",
    "Bénéficiaires visés / touchés",
    "Avancement",
]
# 26.2 cm, a landscape A4 page within its margins: the action's title gets the room, the beneficiaries' header its word.
COLUMN_WIDTHS = [Cm(6.6), *[Cm(2.4)] * 6, Cm(2.8), Cm(2.4)]


def _or_dash(value, fmt) -> str:
    return "—" if value is None else fmt(value)


def fiche_docx(context: dict) -> bytes:
    contract, progress = context["contract"], context["progress_labels"]
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    document.styles["Normal"].font.size = Pt(9)

    def paragraph(text: str, **kwargs):
        return document.add_paragraph(french_spacing(text), **kwargs)

    document.add_heading(f"Évaluation à mi-parcours — {contract.reference}", level=1)
    paragraph(
        f"{contract.authority.name} · {contract.contract_type.label} {contract.start_year}-{contract.end_year} · "
        f"fiche établie le {context['generated']:%d/%m/%Y} à partir des dossiers de suivi validés."
    )
    if not context["years"]:
        paragraph("Aucun dossier de suivi de ce contrat n’est encore validé.")
    for year in context["years"]:
        total, t = year["total"], year["total"]["totals"]
        document.add_heading(year["campaign"].name, level=2)
        envelope = year["envelope_then"] if year["envelope_then"] is not None else year["envelope_now"]
        text = f"Dossier validé le {year['validated_at']:%d/%m/%Y}."
        if envelope is not None:
            text += f" Enveloppe de l’État {year['campaign'].year} à la validation : {euros(envelope)}"
            if year["envelope_now"] is not None and year["envelope_now"] != envelope:
                text += f" ; depuis modifiée par avenant : {euros(year['envelope_now'])}"
            text += "."
        paragraph(text)
        for line in [
            f"Exécution des crédits de l’État : {_or_dash(total['rate_state'], percent)} ({euros(t.spent['state'])} "
            f"dépensés pour {euros(t.planned_reported['state'])} programmés sur les actions ayant déclaré leurs dépenses).",
            f"Exécution du budget total : {_or_dash(total['rate_total'], percent)} ({euros(t.spent_total)} pour "
            f"{euros(t.planned_total)} programmés ; {number(t.reported)} actions sur {number(t.actions)} ont déclaré "
            "leurs dépenses).",
            f"Bénéficiaires : {number(t.reached)} touchés pour {number(t.target)} visés"
            + (f" ({percent(total['reach_rate'])})" if total["reach_rate"] is not None else "")
            + ".",
            "Avancement : "
            + year["progress_text"]
            + (f" — dont {counted(t.late, 'actions en retard')}." if t.late else "."),
        ]:
            paragraph(line, style="List Bullet")
        table = document.add_table(rows=1, cols=len(HEADERS))
        table.style = "Table Grid"
        table.autofit = False
        for cell, header in zip(table.rows[0].cells, HEADERS, strict=True):
            cell.text = header
        for row in year["lines"]:
            line, (gap, gap_percent) = row["line"], row["gap"]
            cells = table.add_row().cells
            values = [
                f"{line.reference} — {line.title}" + (" (en retard)" if row["late"] else ""),
                euros(line.planned["state"]),
                _or_dash(line.spent["state"], euros),
                euros(line.planned_total),
                _or_dash(line.spent_total, lambda v: euros(v)),
                _or_dash(gap, euros),
                _or_dash(gap_percent, percent),
                f"{_or_dash(line.target, number)} / {_or_dash(line.reached, number)}",
                progress.get(line.progress) or "non renseigné",
            ]
            for cell, value in zip(cells, values, strict=True):
                cell.text = french_spacing(value)
        for column, width in zip(table.columns, COLUMN_WIDTHS, strict=True):
            column.width = width  # the grid LibreOffice reads; Word reads the cells'
            for cell in column.cells:
                cell.width = width
        if year["indicators"]:
            document.add_heading(f"Indicateurs des actions — valeur {year['campaign'].year} face à la cible", level=3)
            table = document.add_table(rows=1, cols=5)
            table.style = "Table Grid"
            for cell, header in zip(
                table.rows[0].cells, ["Action", "Indicateur", "Référence", "Cible", "Valeur"], strict=True
            ):
                cell.text = header
            for line, indicator in year["indicators"]:
                label = indicator["label"] + (f" ({indicator['unit']})" if indicator["unit"] else "")
                values = [
                    line.reference,
                    label,
                    _or_dash(indicator["baseline"], quantity),
                    _or_dash(indicator["target"], quantity),
                    _or_dash(indicator["value"], quantity) if indicator["value"] is not None else "non renseignée",
                ]
                for cell, value in zip(table.add_row().cells, values, strict=True):
                    cell.text = french_spacing(value)
        if year["result"].withdrawn:
            document.add_heading(f"Actions retirées en {year['campaign'].year}", level=3)
            for w in year["result"].withdrawn:
                paragraph(
                    f"{w['reference']} « {w['title']} » : {w['withdrawn_reason'] or 'motif non précisé'}",
                    style="List Bullet",
                )
    paragraph("Source : Pilot’actions · Traitement : DIPLP.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()

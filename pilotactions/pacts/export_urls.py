"""The export of the pacts the role reads: `/pactes/export.csv` and `/pactes/export.xlsx` (docs/exports.md)."""

from django.http import Http404
from django.urls import path
from django.utils import timezone

from pilotactions.accounts.perms import current_role, require
from pilotactions.core.db_router import iterate_from_replica
from pilotactions.core.decorators import role_required
from pilotactions.core.tabular import download_response

from .enums import PactStatus
from .export import EXPORT_FORMATS, export_questions, export_rows, people_csv_lines, scope_filter, write_xlsx
from .models import Pact
from .perms import can_read_pacts

DEFAULT_YEAR = 2024


def _year(request) -> int:
    try:
        year = int(request.GET.get("annee") or DEFAULT_YEAR)
    except ValueError:
        return DEFAULT_YEAR
    return year if 2000 <= year <= 2100 else DEFAULT_YEAR


@role_required
def pact_export(request, extension):
    """The pacts of the year the role reads (and their active actions, and the survey's answers), filtered as
    the pact list is (`annee`, `region`, `status`): a CSV or XLSX for people."""
    if extension not in EXPORT_FORMATS:  # only the documented formats answer
        raise Http404("Export disponible en CSV ou XLSX.")
    role = current_role(request.user)
    require(can_read_pacts(role))
    year = _year(request)
    status = request.GET.get("status") or ""
    pacts = scope_filter(
        Pact.objects.visible_to(role),
        region=(request.GET.get("region") or "").strip()[:3],
        status=status if status in PactStatus.values else "",
    )
    questions = export_questions(year)

    def rows():
        return iterate_from_replica(export_rows(year, pacts, labels=True, questions=questions))

    return download_response(
        extension=extension,
        filename=f"pilotactions-pactes-{year}-{timezone.localdate():%Y%m%d}",
        csv_lines=people_csv_lines(rows(), questions),
        xlsx_write=lambda target: write_xlsx(rows(), questions, target),
    )


urlpatterns = [path("export.<str:extension>", pact_export, name="export")]

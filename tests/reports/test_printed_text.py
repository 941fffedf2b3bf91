"""What the report prints is French prose for its reader: no internal key (snake_case, dotted figure ids),
no developer's word (values, rows, key) in the HTML, PDF source, DOCX or ODT of the national report or a fiche."""

import re
from html.parser import HTMLParser

import pytest

from pilotactions.measures.services import measures_reference_load
from pilotactions.reports.aggregates import Scope
from pilotactions.reports.outputs import report_html, write_report
from pilotactions.reports.report import report_build
from tests.reports.test_figures import dataset  # noqa: F401 -- the hand-built data set

pytestmark = pytest.mark.django_db

INTERNAL = re.compile(
    r"\b[A-Za-z]+_[A-Za-z0-9_]+\b"  # snake_case or an option code (only_new_or_reinforced, AV_EN_COURS)
    r"|\b[a-z]+\.[a-z_]+\.[a-z_.]+\b"  # a figure id (cls.budget.total)
    r"|\b(?:values|rows|key)\b",
    re.IGNORECASE,
)


class VisibleText(HTMLParser):
    """The text a reader sees or hears: element content (charts' texts included), no stylesheet."""

    def __init__(self):
        super().__init__()
        self.parts, self._style = [], False

    def handle_starttag(self, tag, attrs):
        self._style = tag == "style"

    def handle_endtag(self, tag):
        self._style = False

    def handle_data(self, data):
        if not self._style:
            self.parts.append(data)


def offending(text: str) -> list[str]:
    """Each offending word with some context, for the failure message."""
    return [text[max(0, m.start() - 60) : m.end() + 30].replace("\n", " ") for m in INTERNAL.finditer(text)]


def html_text(document) -> str:
    parser = VisibleText()
    parser.feed(report_html(document))
    return " ".join(parser.parts)


def docx_text(path) -> str:
    import docx

    opened = docx.Document(path)
    cells = [cell.text for table in opened.tables for row in table.rows for cell in row.cells]
    return " ".join([p.text for p in opened.paragraphs] + cells)


def odt_text(path) -> str:
    from odf import teletype
    from odf.opendocument import load

    return teletype.extractText(load(str(path)).text)


@pytest.fixture
def documents(dataset):  # noqa: F811
    measures_reference_load()
    return {"rapport national": report_build(Scope(year=2024)), "fiche": report_build(Scope(year=2024, region="32"))}


def test_the_pattern_catches_what_leaked_before():
    leaked = (
        "Traitement : DIPLP — only_new_or_reinforced : % des collectivités ; majority_new : … ; low_new : … "
        "une ligne par mesure, ses objectifs 2027 dans values. Figure cls.budget.total, rows, key, AV_EN_COURS"
    )
    found = [m.group(0) for m in INTERNAL.finditer(leaked)]
    assert found == [
        "only_new_or_reinforced",
        "majority_new",
        "low_new",
        "values",
        "cls.budget.total",
        "rows",
        "key",
        "AV_EN_COURS",
    ]
    assert not INTERNAL.findall(
        "Source : Pilot’actions · Date : 04/12/2026 · Base : 6 actions CLS · Traitement : DIPLP"
    )


def test_printed_html_is_french_prose(documents):
    for name, document in documents.items():
        text = html_text(document)
        assert "Traitement : DIPLP" in text
        assert not offending(text), f"{name} : {offending(text)}"


def test_notes_read_as_prose(documents):
    notes = {f.id: f.note for f in documents["rapport national"].figures}
    assert "n’est qu’un affichage" not in " ".join(notes.values())
    assert notes["measures.dashboard"].endswith("chaque mesure est suivie de ses objectifs 2027.")
    assert "lorsqu’aucune de ses actions n’est poursuivie à l’identique" in notes["cls.authorities.new_actions"]


@pytest.mark.parametrize("fmt", ["docx", "odt"])
def test_office_documents_are_french_prose(documents, tmp_path, fmt):
    for name, document in documents.items():
        path = tmp_path / f"{name}.{fmt}"
        write_report(document, fmt, path)
        text = docx_text(path) if fmt == "docx" else odt_text(path)
        assert "Traitement : DIPLP" in text
        assert not offending(text), f"{name} ({fmt}) : {offending(text)}"

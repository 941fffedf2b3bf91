"""The printed national report holds the published figures the demo is calibrated on (issue 17).

On the demo, the national report is written to PDF as `bilan --format pdf` writes it, its text extracted with
pypdf, and every calibrated figure of chapters I and II (`demo_calibration`'s targets `I.*`, `II.*`) looked for
in the forms the report prints (`printed_forms`, one rule per kind of value), except the figures that
docs/demo-data.md lists under « Figures publiées absentes du rapport imprimé » — a table this test reads, so
that the document and the test cannot drift: a figure listed there that the report prints fails the test too.

Also: the PDF, DOCX, ODT and XLSX of the national report and of a regional fiche are written on the demo
(tests/reports/test_office_files.py has LibreOffice open them on a small data set)."""

import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from fnmatch import fnmatchcase
from pathlib import Path

import docx
import openpyxl
import pytest
from pypdf import PdfReader

from pilotactions.core.formats import euros, number
from pilotactions.demo.calibration import (
    OFF_REGISTRY_OPS,
    Reader,
    keys_labels,
    load_targets,
    measure_value,
    numeric,
    value_kind,
)
from pilotactions.reports.aggregates import Scope
from pilotactions.reports.figures import CHAPTERS
from pilotactions.reports.outputs import write_report
from pilotactions.reports.report import report_build

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "demo-data.md"
EXCEPTIONS_HEADING = "## Figures publiées absentes du rapport imprimé"
LIST_SLACK = 15  # characters allowed around each name of a named list printed as one passage (« , », « et »)


# --- The exceptions, read from docs/demo-data.md ----------------------------------------------------------


def documented_exceptions(path: Path = DOC) -> dict[str, str]:
    """{figure id or pattern (`II.soustheme.*`): why} from the table under EXCEPTIONS_HEADING (first column the
    id, in backquotes; the second, why; a third may say what would print it)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(EXCEPTIONS_HEADING) + 1
    out = {}
    for line in lines[start:]:
        if line.startswith("## "):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 2 or set(cells[0]) <= {"-", ":"} or "`" not in cells[0]:
            continue  # prose, the header or its separator
        out[cells[0].strip("`")] = cells[1]
    return out


# --- The printed text ---------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """One line of text: plain spaces (NBSP, newlines, NNBSP but between digits, where it stays the thousands
    separator and so tells « 1 064 » from the cells « 1 064 381 » of a table row), straight apostrophes, words
    cut at a line's end joined."""
    text = text.replace("\u00a0", " ").replace("’", "'")
    text = re.sub(r"-\n(?=\w)", "-", text)
    text = re.sub(r"\u202f(?!\d)|(?<!\d)\u202f", " ", text)
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def pdf_text(path: Path, title: str) -> str:
    text = normalise("\n".join(page.extract_text() for page in PdfReader(path).pages))
    text = re.sub(re.escape(normalise(title)) + r" — page \d+ / \d+", " ", text)  # running footers
    return re.sub(r"\d{2}/\d{2}/\d{4}", " ", text)  # dates of the figures' sources


def segments(text: str, titles: list[str]) -> str:
    """The text printed for bilan figures: from each one's title to its footer's end (chart, table, base)."""
    out = []
    for title in titles:
        for match in re.finditer(re.escape(normalise(title)), text):
            end = text.find("Traitement : DIPLP", match.end())  # the footer's end: its base is printed there
            out.append(text[match.start() : end if end >= 0 else len(text)])
    return " … ".join(out)


def chapter_texts(text: str) -> dict[str, str]:
    """The text of chapter I and of chapter II, cut at the (last, the table of contents being first) heading of
    each chapter's first section."""
    starts = {chapter: text.rfind(next(iter(CHAPTERS[chapter]["sections"].values()))) for chapter in ("I", "II")}
    assert all(start >= 0 for start in starts.values()), starts
    return {"I": text[starts["I"] : starts["II"]], "II": text[starts["II"] :]}


# --- The forms a figure is printed in -------------------------------------------------------------------------


@dataclass
class Expected:
    id: str
    label: str
    forms: list[str]  # any one found is enough
    names: list[str]  # a named list: every name, printed together (in order when `ordered`)
    ordered: bool = False
    prose: bool = False  # a ranking or a named extreme: looked for in the report's sentences only
    titles: list[str] = field(default_factory=list)  # the titles of the bilan figures it is computed from
    figure_ids: list[str] = field(default_factory=list)  # their ids

    def describe(self) -> str:
        shown = [f"« {form} »" for form in self.forms]
        if self.names:
            together = " puis ".join(self.names) if self.ordered else ", ".join(self.names)
            shown.append(f"ensemble : {together}" + (" (dans une phrase)" if self.prose else ""))
        return " ou ".join(shown) or "—"


def printed_forms(value, kind: str) -> list[str]:
    return [normalise(form) for form in _forms(value, kind)]


def _forms(value, kind: str) -> list[str]:
    """The forms the report prints a value in (core/formats.py): shares « 76 % » or « 75,8 % » (tables print
    one decimal, a row whose label carries « (%) » the bare « 52,2 »), amounts « 205 913 393 € » (to the euro,
    or the cent) or « 205,9 M€ », counts « 1 445 » or a mean « 12,8 », gaps « 5 points »."""
    value = numeric(value)
    if value is None:
        return []
    fractional = value != value.to_integral_value()
    if kind == "%":
        forms = [f"{number(value)} %", f"{number(value, 1)} %"]
        return forms + ([number(value, 1)] if number(value, 1) != number(value) else [])
    if kind == "€":
        forms = [euros(value)] + ([euros(value, 2)] if fractional else [])
        if abs(value) >= 1_000_000:
            forms += [f"{number(value / 1_000_000, 1)} M€", f"{number(value / 1_000_000, 2)} M€"]
        return forms
    if kind == "pt":
        return [f"{number(value, 1)} point", f"{number(value)} points", f"{number(value, 1)} points"]
    return [number(value, 1)] if fractional else [number(value)]


def expected(entry: dict, value, kind: str, labels: dict, titles: list[str], figure_ids: list[str]) -> Expected:
    """What the report prints for one figure: the published value (or the value its decision retains) and the
    demo's value, in the forms of `printed_forms`; the names of a ranking, of a named list, of a named extreme;
    the published words (« près de la moitié ») when the publication gives words."""
    published, rule = entry["published"], entry["check"]
    values = [(value, kind)]
    if "published_share" in entry:  # a région's or a sub-theme's amount, published with its share
        values += [(entry["published_share"], "%"), (published, "€")]
    elif entry.get("unit") == "M€" and numeric(published) is not None:
        values.append((Decimal(str(published)) * 1_000_000, "€"))
    elif numeric(published) is not None:
        values.append((published, kind))
    if numeric(rule.get("target")) is not None:
        values.append((rule["target"], kind))
    forms = []
    for number_value, number_kind in values:
        forms += [form for form in printed_forms(number_value, number_kind) if form not in forms]
    if isinstance(published, str) and not re.fullmatch(r"[<>]\d+", published) and kind not in ("keys", "bool"):
        forms.append(normalise(published))  # words: « près de la moitié », « un peu plus d'un tiers »
    names, ordered, prose = [], False, False
    if kind == "keys":
        keys = value if isinstance(value, list) else [value] if value is not None else []
        names = [normalise(labels.get(key) or key) for key in keys]
        ordered = entry["measure"]["op"] == "rank" and rule["kind"] == "order"
        prose = True
    elif kind == "bool":  # a chart's order: its rows printed in that order
        names = [normalise(labels.get(key) or key) for key in entry["measure"]["rows"]]
        ordered = True
    return Expected(entry["id"], entry["label"], forms, names, ordered, prose, titles, figure_ids)


def _number_pattern(form: str) -> str:
    """A printed number, not a piece of a larger one: « 4 » is not the 4 of « 4,5 », « 14 », « 4 000 », « 4 % »."""
    before = r"(?<![\d,])(?<!\d\u202f)"
    after = r"(?!\d)(?!,\d)(?!\u202f\d)(?! ?[%€])" if form[-1].isdigit() else ""
    return before + re.escape(form) + after


def found(item: Expected, chapter: str, sentences: str, prose: str) -> bool:
    """Whether the report prints the figure: a value in the chart, table or footer of a bilan figure it is
    computed from or in the sentences of that figure's section (`sentences`: the whole text would find any small
    number somewhere), names in a sentence of the chapter (`prose`: a ranking, a named list) or in that
    figure's table (a chart's order)."""
    printed = segments(chapter, item.titles) + " … " + sentences
    if item.forms and any(re.search(_number_pattern(form), printed) for form in item.forms):
        return True
    if not item.names:
        return False
    where = prose if item.prose else segments(chapter, item.titles)
    if item.ordered:
        position = 0
        for name in item.names:
            position = where.find(name, position)
            if position < 0:
                return False
            position += len(name)
        return not item.prose or _together(item.names, where)
    return _together(item.names, where)


def _together(names: list[str], text: str) -> bool:
    """Every name within one passage no longer than the names printed as a list."""
    span = sum(len(name) + LIST_SLACK for name in names)
    first = names[0]
    for match in re.finditer(re.escape(first), text):
        window = text[max(0, match.start() - span) : match.start() + span]
        if all(name in window for name in names):
            return True
    return False


def calibrated_figures() -> list[Expected]:
    targets = load_targets()
    entries = [e for e in targets["figures"] if e["id"].startswith(("I.", "II."))]
    figure_ids = {"cls.budget.total"} | {
        e["measure"]["figure"]
        for e in entries
        if "figure" in e["measure"] and e["measure"]["op"] not in OFF_REGISTRY_OPS
    }
    figure_ids |= {e["measure"]["percent_of"]["figure"] for e in entries if "percent_of" in e["measure"]}
    reader = Reader(targets["year"], figure_ids)
    out = []
    for entry in entries:
        value = measure_value(reader, entry["measure"])
        kind = value_kind(entry, reader)
        if kind == "count" and entry.get("unit", "").startswith("€"):  # an indicator's amount: « 700 000 € »
            kind = "€"
        labels = keys_labels(reader, entry["measure"]) if kind in ("keys", "bool") else {}
        measure = entry["measure"]
        ids = [measure.get("figure"), measure.get("percent_of", {}).get("figure")]
        ids = [i for i in ids if i and measure["op"] not in OFF_REGISTRY_OPS]
        titles = [reader.figures()[i]["title"] for i in ids]
        out.append(expected(entry, value, kind, labels, titles, ids))
    return out


# --- The tests ----------------------------------------------------------------------------------------------


def test_printed_forms_are_the_report_s_formats():
    assert printed_forms(Decimal("75.8"), "%") == ["76 %", "75,8 %", "75,8"]
    assert printed_forms(Decimal("205913392.76"), "€") == [
        "205\u202f913\u202f393 €",
        "205\u202f913\u202f392,76 €",
        "205,9 M€",
        "205,91 M€",
    ]
    assert printed_forms(1445, "count") == ["1\u202f445"]
    assert printed_forms(Decimal("12.77"), "count") == ["12,8"]
    row = normalise("Actions 1\u202f064 381 1\u202f445 ; 4,5\u202f% ; 14 ; 4\u202f000\u202f€ ; 4\u202f%")
    assert re.search(_number_pattern("1\u202f064"), row) and re.search(_number_pattern("381"), row)
    assert not any(re.search(_number_pattern(form), row) for form in ("4", "064", "1\u202f064\u202f381", "445"))
    assert re.search(_number_pattern("4"), "de 4 à 50")


def test_the_exceptions_table_is_read_from_the_documentation():
    exceptions = documented_exceptions()
    assert exceptions, f"{EXCEPTIONS_HEADING} : aucune ligne lue dans {DOC.name}"
    assert all(reason for reason in exceptions.values())


@pytest.fixture(scope="package")
def national_pdf(demo, django_db_blocker, tmp_path_factory):
    """The national report as `bilan --format pdf` writes it, its title, and for each section its chapter, the
    ids of its figures and its sentences."""
    path = tmp_path_factory.mktemp("rapport") / "bilan.pdf"
    with django_db_blocker.unblock():
        document = report_build(Scope(year=2024))
        write_report(document, "pdf", path)
    chapter_of = {title: chapter for chapter, c in CHAPTERS.items() for title in c["sections"].values()}
    sections = [
        (chapter_of.get(s.title, ""), {f.id for f in s.figures}, [normalise(sentence) for sentence in s.summary])
        for s in document.sections
    ]
    return path, document.title, sections


def test_the_printed_report_holds_every_calibrated_figure(demo, national_pdf):
    path, title, sections = national_pdf
    text = pdf_text(path, title)
    sentences = [sentence for _chapter, _ids, section_sentences in sections for sentence in section_sentences]
    chapters = chapter_texts(text)
    squeezed = re.sub(r"[ \u202f]", "", text)  # a line may break after « / » or « - »: compared without spaces
    missing = [sentence for sentence in sentences if re.sub(r"[ \u202f]", "", sentence) not in squeezed]
    assert not missing, f"phrases de synthèse absentes du PDF : {missing}"
    prose = {c: " ".join(" ".join(texts) for chapter, _ids, texts in sections if chapter == c) for c in ("I", "II")}
    exceptions = documented_exceptions()
    figures = calibrated_figures()
    assert figures
    not_found, printed_anyway = [], []
    found_ids = set()
    for item in figures:
        chapter = item.id.split(".")[0]
        own = [" ".join(texts) for _c, ids, texts in sections if set(item.figure_ids) & ids] or [prose[chapter]]
        is_found = found(item, chapters[chapter], " ".join(own), prose[chapter])
        excepted = any(fnmatchcase(item.id, pattern) for pattern in exceptions)
        if is_found:
            found_ids.add(item.id)
        elif not excepted:
            not_found.append(f"- {item.id} ({item.label}) : attendu {item.describe()}")
    calibrated = {item.id for item in figures}
    unknown, printed_anyway = [], []
    for pattern in exceptions:  # a pattern is stale when every figure it names is printed
        named = {figure_id for figure_id in calibrated if fnmatchcase(figure_id, pattern)}
        if not named:
            unknown.append(pattern)
        elif named <= found_ids:
            printed_anyway.append(pattern)
    assert not not_found, (
        f"{len(not_found)} figure(s) publiée(s) absente(s) du rapport imprimé "
        f"(à imprimer, ou à décider dans {DOC.name}, « {EXCEPTIONS_HEADING[3:]} ») :\n" + "\n".join(not_found)
    )
    assert not printed_anyway, f"imprimées, à retirer de la table des exceptions de {DOC.name} : {printed_anyway}"
    assert not unknown, f"absentes des cibles de calibrage (chapitres I et II) : {unknown}"


def test_every_format_of_the_national_report_and_a_fiche_is_written_on_the_demo(demo, tmp_path):
    for name, scope in {"national": Scope(year=2024), "region": Scope(year=2024, region="32")}.items():
        document = report_build(scope)
        for fmt in ("pdf", "docx", "odt", "xlsx"):
            path = tmp_path / f"{name}.{fmt}"
            write_report(document, fmt, path)
            assert path.stat().st_size > 0, path.name
        assert len(PdfReader(tmp_path / f"{name}.pdf").pages) > 1
        assert normalise(document.title) in normalise(PdfReader(tmp_path / f"{name}.pdf").pages[0].extract_text())
        headings = [
            p.text for p in docx.Document(tmp_path / f"{name}.docx").paragraphs if p.style.name.startswith("Heading")
        ]
        assert [s.title for s in document.sections if s.figures] and headings, name
        with zipfile.ZipFile(tmp_path / f"{name}.odt") as odt:
            assert odt.testzip() is None and b"office:document-content" in odt.read("content.xml")
        workbook = openpyxl.load_workbook(tmp_path / f"{name}.xlsx")
        assert workbook.sheetnames[0] == "Sommaire" and len(workbook.sheetnames) > len(document.figures) / 2, name

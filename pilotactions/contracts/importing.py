"""The import of actions from a spreadsheet (XLSX, ODS) or a CSV: reading, French formats, checks, writing.

User documentation: docs/import.md; the choice of libraries: docs/decisions.md (« Import des actions »).

- Reading (`read_table`): python-calamine for XLSX/ODS (values only: a sheet holding formulas or merged cells is
  refused, as their values would be guesses), the standard `csv` module for CSV (UTF-8 with or without BOM,
  else Windows-1252; `;` or `,` found on the header line). Empty rows are skipped; a file above
  `IMPORT_MAX_BYTES` or `IMPORT_MAX_ROWS` is refused before any row is checked.
- Columns: the raw export's codes (`export.COLUMNS`), its French headers, the people's export headers
  (`export.PEOPLE_COLUMNS`, labels or codes), a few columns of the form the export does not hold
  (`EXTRA_COLUMNS`), or any header renamed by a mapping file (YAML: `colonnes`, `valeurs`).
- French values (`parse_decimal`, `parse_date`, `parse_bool`, `OptionIndex.resolve`): « 1 234,56 € », « 03/02/2025 »,
  option codes or labels whatever their case and accents, with the closest labels suggested.
- Checks: nothing of its own. Each row goes through the action form (`forms.ActionForm`, its amounts through
  `forms.AmountField`) and then the services (`action_create`, `action_update`, `contract_create`), which apply
  `rules.check_action`: the same code as the screen. Every error of every row is collected with its line and
  column (the French header).
- Writing (`import_table`): per contract, all or nothing (one savepoint); a dry run is the same run rolled
  back at the end, so that it finds exactly what the import would refuse. An unchanged row writes nothing;
  a changed row goes through `action_update` (optimistic version) and the result says what changed.
"""

import codecs
import csv
import difflib
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation

from pilotactions.core.audit import audit_event_record
from pilotactions.core.history import history_reason
from pilotactions.nomenclatures.models import Option
from pilotactions.territories.models import Authority

from . import perms, rules, services
from .enums import ActionStatus, Financer
from .export import COLUMNS, LABEL, PEOPLE_COLUMNS
from .forms import ActionForm, ActionFormChoices, AmountField
from .models import Action, ActionYear, Contract, ContractType
from .rules import MULTI_OPTION_FIELDS, SINGLE_OPTION_FIELDS, BudgetLineInput

# Columns of the action form that the raw export does not hold, understood by the import.
EXTRA_COLUMNS = [
    ("external_id", "Identifiant dans l’outil précédent"),
    ("description", "Description"),
    ("objectives", "Objectifs"),
    ("pilot_name", "Pilote (structure)"),
    ("expected_impacts", "Impacts attendus"),
    ("ceiling_justification", "Justification du dépassement du plafond de l’État"),
    ("contract_start_year", "Première année du contrat"),
    ("contract_end_year", "Dernière année du contrat"),
]
IMPORT_COLUMNS = COLUMNS + EXTRA_COLUMNS
LABELS = dict(IMPORT_COLUMNS)
# Read to find the contract and check it, never written: they follow from the authority.
DERIVED_COLUMNS = {"authority_name", "region_code", "departement_code"}
TEXT_FIELDS = ["title", "description", "objectives", "pilot_name", "ceiling_justification", "external_id"]
BUDGET_COLUMNS = ["budget_state", "budget_authority", "budget_third_party", "budget_total"]
FINANCER_OF = {
    "budget_state": Financer.STATE,
    "budget_authority": Financer.AUTHORITY,
    "budget_third_party": Financer.THIRD_PARTY,
}
MULTI_COLUMNS = [*MULTI_OPTION_FIELDS, "third_party_financers"]
OPTION_COLUMNS = [*SINGLE_OPTION_FIELDS, "status", *MULTI_COLUMNS]
LIST_KEY = {"third_party_financers": "financer_type", "status": "progress_status"}  # ContractType.option_lists
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BUDGET_WHERE = "Crédits de l’année"  # the column named for the errors of the year's budget as a whole
# The workbook's optional sheet of budget lines, one line per year, financer (and third-party financer's type),
# keyed by the action's reference or its previous tool's identifier (docs/import.md « Lignes budgétaires »).
BUDGET_SHEET = "Lignes budgétaires"
BUDGET_SHEET_COLUMNS = [
    ("action_id", "Référence de l’action"),
    ("external_id", "Identifiant dans l’outil précédent"),
    ("year", "Année"),
    ("financer", "Financeur"),
    ("financer_type", "Type de financeur tiers"),
    ("planned", "Montant prévu"),
]


SHARED_TEXT_LENGTH = 80  # cells up to this length are shared between rows when equal (`_table`)


class ImportFileError(Exception):
    """The file cannot be read as a table of actions; the message says why in French."""


# --- French values ----------------------------------------------------------------------------------


def normalize(text) -> str:
    """Case, accents, apostrophes and spaces ignored: « Publics  cibles » == « publics cibles »."""
    text = unicodedata.normalize("NFKD", str(text).replace("œ", "oe").replace("Œ", "OE"))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    return " ".join(text.split())


_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_IGNORED_IN_NUMBERS = re.compile(r"[\s\u00a0\u202f\u2009\u2007]")


def parse_decimal(value) -> Decimal:
    """« 1 234,56 € », « 1234.56 », « 1.234,56 », a spreadsheet's number → Decimal; ValueError otherwise.

    Spaces (including no-break and narrow no-break spaces) and a euro sign are ignored. With both a dot and a
    comma, the last one is the decimal separator; a lone comma is decimal (the French way), so is a lone dot;
    several of the same are thousands separators.
    """
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    text = _IGNORED_IN_NUMBERS.sub("", str(value))
    for unit in ("€", "EUR", "eur"):
        text = text.removesuffix(unit).removeprefix(unit)
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        whole, _mark, cents = text.rpartition(decimal_mark)
        text = _without_thousands(whole, thousands) + "." + cents
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    elif text.count(",") > 1 or text.count(".") > 1:
        text = _without_thousands(text, "," if "," in text else ".")
    if not _NUMBER.fullmatch(text):
        raise ValueError(value)
    return Decimal(text)


def _without_thousands(text: str, separator: str) -> str:
    """« 1.234.567 » → « 1234567 »; groups of three digits only (« 12,5,3 » is no number)."""
    sign, digits = (text[0], text[1:]) if text[:1] in "+-" else ("", text)
    groups = digits.split(separator)
    if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 and g.isdigit() for g in groups[1:])):
        raise ValueError(text)
    return sign + "".join(groups)


_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00)?)?")


def parse_date(value) -> date:
    """« 03/02/2025 » (3 February), « 3.2.2025 », « 2025-02-03 », a spreadsheet's date → date; ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if match := _DMY.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    if match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        return date(year, month, day)
    raise ValueError(value)


YES = {"oui", "o", "vrai", "x", "1", "yes", "true"}
NO = {"non", "n", "faux", "0", "no", "false"}


def parse_bool(value) -> bool:
    """« oui/non » (and « vrai/faux », « x », 1/0) → bool; ValueError otherwise."""
    if isinstance(value, bool):
        return value
    text = normalize(value)
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(value)


def quoted_list(labels: list[str]) -> str:
    quoted = [f"« {label} »" for label in labels]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " ou " + quoted[-1]


class OptionIndex:
    """Options by list, found by code or label (case and accents ignored), with suggestions when not found."""

    def __init__(self):
        self._lists: dict[str, list[Option]] = {}
        self._keys: dict[str, dict[str, list[Option]]] = {}  # list code → normalised code or label → its options

    def options(self, list_code: str) -> list[Option]:
        if list_code not in self._lists:
            self._lists[list_code] = list(
                Option.objects.of_list(list_code).select_related("option_list").order_by("order", "id")
            )
        return self._lists[list_code]

    def _by_key(self, list_code: str) -> dict[str, list[Option]]:
        if list_code not in self._keys:
            keys = self._keys[list_code] = defaultdict(list)
            for option in self.options(list_code):
                for key in {
                    normalize(option.code),
                    normalize(option.label),
                    normalize(option.short_label or option.label),
                }:
                    keys[key].append(option)
        return self._keys[list_code]

    def resolve(self, list_code: str, text: str, *, parent: Option | None = None) -> Option:
        """The option of the list whose code, label or short label is `text`; ValueError with a French message."""
        wanted = normalize(text)
        found = list(self._by_key(list_code).get(wanted, ()))
        if len(found) > 1 and parent is not None:
            found = [option for option in found if option.parent_id == parent.pk] or found
        if len(found) == 1:
            return found[0]
        if found:
            raise ValueError(f"« {text} » désigne plusieurs valeurs de la liste ; indiquez plutôt son code.")
        labels = [option.label for option in self.options(list_code) if option.is_active]
        by_key = {normalize(label): label for label in labels}
        close = difflib.get_close_matches(wanted, list(by_key), n=3, cutoff=0.5)
        if not close:  # « jeunes 16-25 » against long labels: compare with their words too
            scored = sorted(((difflib.SequenceMatcher(None, wanted, key).ratio(), key) for key in by_key), reverse=True)
            close = [key for score, key in scored[:3] if score >= 0.4]
        suggestion = f" ; vouliez-vous dire {quoted_list([by_key[key] for key in close])} ?" if close else ""
        return_message = f"« {text} » n’est pas dans la liste{suggestion}"
        raise ValueError(return_message if close else return_message + " (codes et libellés admis : docs/import.md).")


# --- Reading ---------------------------------------------------------------------------------------


@dataclass
class Table:
    """A sheet's header and its non-empty rows with their line numbers (1 = the header)."""

    name: str  # the file's
    headers: list[str]
    rows: list[tuple[int, list]]
    # A workbook's second sheets that have lines, by the name asked for (`read_table(second_sheets=)`).
    sheets: dict[str, "Table"] = field(default_factory=dict)

    @property
    def budget(self) -> "Table | None":
        """The sheet « Lignes budgétaires » (contracts)."""
        return self.sheets.get(BUDGET_SHEET)


def read_table(path: Path, *, name: str | None = None, second_sheets: tuple[str, ...] = (BUDGET_SHEET,)) -> Table:
    """Read an XLSX, ODS or CSV file (the sheet « Actions », and those of `second_sheets` a workbook has);
    ImportFileError (French) when it cannot be imported as it is."""
    path = Path(path)
    name = name or path.name
    size = path.stat().st_size
    if size == 0:
        raise ImportFileError(f"« {name} » est vide.")
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(
            f"« {name} » pèse {size / 1024 / 1024:.1f} Mo : un import en accepte "
            f"{settings.IMPORT_MAX_BYTES / 1024 / 1024:.0f} Mo au plus. Découpez-le (par exemple par département)."
        )
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            f"« {name} » est un classeur Excel 97-2003 (.xls) : enregistrez-le au format .xlsx ou CSV, puis importez-le."
        )
    sheets = {}
    if head.startswith(b"PK\x03\x04"):
        rows, sheet_name = _read_workbook(path, name)
        where = f"« {name} », feuille « {sheet_name} »"
        for wanted in second_sheets:
            found = _read_workbook(path, name, sheet=wanted)
            if found is not None:
                sheet = _table(found[0], f"« {name} », feuille « {found[1]} »", optional=True)
                if sheet is not None:
                    sheets[wanted] = sheet
    else:
        rows, where = _read_csv(path.read_bytes(), name), f"« {name} »"
    table = _table(rows, where)
    table.name = name
    table.sheets = sheets
    return table


def _table(rows, where: str, *, optional: bool = False) -> Table | None:
    """The header and the rows; an `optional` sheet (a second sheet) without rows is None, not an error."""
    headers = None
    kept = []
    # A national file repeats its short texts (codes, labels, dates) on every row: one object for each halves the
    # memory of the cells (100,000 rows of the raw export: 310 → 135 MB).
    texts: dict[str, str] = {}
    for line, values in rows:
        cells = [_cell(value, texts) for value in values]
        if not any(cell != "" for cell in cells):
            continue  # empty rows, anywhere: skipped (a sheet's 10,000 formatted empty rows cost nothing)
        if headers is None:
            headers = cells
            while headers and headers[-1] == "":
                headers.pop()
            continue
        kept.append((line, cells))
        if len(kept) > settings.IMPORT_MAX_ROWS:
            raise ImportFileError(
                f"{where} compte plus de {settings.IMPORT_MAX_ROWS:,} lignes d’actions : un import en accepte "
                f"{settings.IMPORT_MAX_ROWS:,} au plus. Découpez-le (par exemple par département).".replace(
                    ",", "\u202f"
                )
            )
    if optional and (headers is None or not kept):
        return None
    if headers is None:
        raise ImportFileError(f"{where} ne contient aucune ligne : ni en-tête, ni action.")
    if not kept:
        raise ImportFileError(f"{where} n’a qu’une ligne d’en-tête : aucune action à importer.")
    return Table(name=where, headers=headers, rows=kept)


def _cell(value, texts: dict[str, str]):
    if value is None:
        return ""
    if isinstance(value, str):
        value = value.strip()
        return texts.setdefault(value, value) if len(value) <= SHARED_TEXT_LENGTH else value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _read_csv(data: bytes, name: str):
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        raise ImportFileError(
            f"« {name} » est en UTF-16 ou n’est pas un fichier texte : enregistrez-le au format « CSV UTF-8 » "
            "(ou CSV Windows-1252) et importez-le à nouveau."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise ImportFileError(
                f"« {name} » n’est ni en UTF-8 ni en Windows-1252 (octet 0x{data[error.start]:02X} inattendu à la "
                f"position {error.start}) : enregistrez-le au format « CSV UTF-8 » et importez-le à nouveau."
            ) from error
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max([";", ",", "\t"], key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for values in reader:
            yield reader.line_num, values
    except csv.Error as error:
        raise ImportFileError(f"« {name} », ligne {reader.line_num} : CSV illisible ({error}).") from error


def _read_workbook(path: Path, name: str, *, sheet: str | None = None):
    """(rows, sheet name) of the sheet « Actions » (else the first one), or of the sheet named `sheet` (None when
    the workbook has no such sheet)."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            is_ods = "content.xml" in names and "xl/workbook.xml" not in names
        workbook = CalamineWorkbook.from_path(str(path))
        sheet_names = workbook.sheet_names
        wanted = sheet
        if wanted is None:
            sheet_name = next((n for n in sheet_names if normalize(n) == "actions"), sheet_names[0])
        else:
            sheet_name = next((n for n in sheet_names if normalize(n) == normalize(wanted)), None)
            if sheet_name is None:
                return None
        sheet = workbook.get_sheet_by_name(sheet_name)
    except (CalamineError, zipfile.BadZipFile, IndexError, ValueError) as error:
        raise ImportFileError(f"« {name} » n’est pas un classeur XLSX ou ODS lisible ({error}).") from error
    where = f"« {name} », feuille « {sheet_name} »"
    merged = sheet.merged_cell_ranges or []
    if is_ods:
        merged = merged or _ods_merged(path)
    if merged:
        shown = ", ".join(_range_name(r) for r in merged[:5]) + (" …" if len(merged) > 5 else "")
        raise ImportFileError(
            f"{where} : des cellules sont fusionnées ({shown}). Défusionnez-les et remplissez chaque ligne, "
            "puis importez le fichier à nouveau."
        )
    formulas = _ods_formulas(path) if is_ods else _xlsx_formulas(path, sheet_name)
    if formulas:
        shown = ", ".join(formulas[:5]) + (" …" if len(formulas) > 5 else "")
        raise ImportFileError(
            f"{where} : des cellules contiennent une formule ({shown}). Les formules ne sont pas importées : "
            "copiez les cellules puis collez-les en valeurs seulement (Collage spécial → Valeurs)."
        )
    first_row = sheet.start[0] if sheet.start else 0
    return ((first_row + index + 1, values) for index, values in enumerate(sheet.iter_rows())), sheet_name


def _column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _range_name(merged) -> str:
    (row1, col1), (row2, col2) = merged
    return f"{_column_name(col1)}{row1 + 1}:{_column_name(col2)}{row2 + 1}"


_XLSX_FORMULA = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+[0-9]+)"[^>]*>\s*<(?:\w+:)?f[\s>/]')
_XLSX_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')


def _xlsx_formulas(path: Path, sheet_name: str, *, limit: int = 6) -> list[str]:
    """The addresses of the first cells of the sheet that hold a formula (read from its XML, in chunks)."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml")
        relations = archive.read("xl/_rels/workbook.xml.rels")
        target = None
        for tag in _XLSX_SHEET.findall(workbook):
            attributes = {k.split(b":")[-1]: v for k, v in _ATTRIBUTE.findall(tag)}
            if attributes.get(b"name", b"").decode("utf-8") == _xml_escape(sheet_name):
                relation = attributes.get(b"id")
                match = re.search(rb'<Relationship\b[^>]*\bId="' + re.escape(relation or b"") + rb'"[^>]*>', relations)
                target = dict(_ATTRIBUTE.findall(match.group(0))).get(b"Target") if match else None
        if target is None:
            return []
        member = target.decode("utf-8").lstrip("/")
        member = member if member.startswith("xl/") else f"xl/{member}"
        found, tail = [], b""
        with archive.open(member) as handle:
            while chunk := handle.read(1 << 20):
                block = tail + chunk
                for match in _XLSX_FORMULA.finditer(block):
                    address = match.group(1).decode()
                    if address not in found:
                        found.append(address)
                if len(found) >= limit:
                    break
                tail = block[-2048:]
        return found


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _ods_formulas(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as handle:
        tail = b""
        while chunk := handle.read(1 << 20):
            if b"table:formula=" in tail + chunk:
                return ["une ou plusieurs cellules"]
            tail = chunk[-64:]
    return []


def _ods_merged(path: Path) -> list:
    spanned = re.compile(rb'number-(?:columns|rows)-spanned="([0-9]+)"')
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as handle:
        content = handle.read()
    if any(int(value) > 1 for value in spanned.findall(content)):
        return [((0, 0), (0, 0))]
    return []


# --- Columns and the mapping file ----------------------------------------------------------------------


@dataclass
class Mapping:
    """A previous tool's headers renamed to ours (`colonnes`), and its values replaced (`valeurs`)."""

    columns: dict[str, str] = field(default_factory=dict)  # normalized source header → our code
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # our code → normalized source → ours

    @classmethod
    def load(cls, path: Path) -> "Mapping":
        try:
            document = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
            raise ImportFileError(f"Le fichier de correspondance « {path} » est illisible : {error}") from error
        if not isinstance(document, dict):
            raise ImportFileError(f"Le fichier de correspondance « {path} » doit contenir « colonnes » et « valeurs ».")
        mapping = cls()
        known = _header_index()
        for source, target in (document.get("colonnes") or document.get("columns") or {}).items():
            code = known.get(normalize(target), (None,))[0]
            if code is None:
                raise ImportFileError(
                    f"Fichier de correspondance : « {target} » (pour la colonne « {source} ») n’est pas une colonne "
                    "de l’import (voir docs/import.md)."
                )
            mapping.columns[normalize(source)] = code
        for target, replacements in (document.get("valeurs") or document.get("values") or {}).items():
            code = known.get(normalize(target), (None,))[0]
            if code is None or not isinstance(replacements, dict):
                raise ImportFileError(f"Fichier de correspondance : « valeurs » de « {target} » illisibles.")
            mapping.values[code] = {normalize(k): str(v) for k, v in replacements.items()}
        return mapping


def _header_index() -> dict[str, tuple[str, bool]]:
    """Normalized header → (our code, is a column of labels)."""
    index = {}
    for key, column in PEOPLE_COLUMNS:
        is_label = key.endswith(LABEL)
        index[normalize(column.label)] = (key.removesuffix(LABEL), is_label)
    for code, label in IMPORT_COLUMNS:
        index[normalize(code)] = (code, False)
        index.setdefault(normalize(label), (code, False))
    return index


def column_positions(
    headers: list[str], mapping: Mapping, index: dict[str, tuple[str, bool]] | None = None
) -> tuple[dict[str, int], list[str]]:
    """(our code → position in the row, ignored headers). A code column wins over the labels' column. `index`
    (normalized header → (code, is a column of labels)): the columns understood, the actions' by default."""
    index = _header_index() if index is None else index
    positions: dict[str, tuple[int, bool]] = {}
    ignored = []
    for position, header in enumerate(headers):
        key = normalize(header)
        if key in mapping.columns:
            code, is_label = mapping.columns[key], False
        elif key in index:
            code, is_label = index[key]
        else:
            if header != "":
                ignored.append(str(header))
            continue
        if code not in positions or (positions[code][1] and not is_label):
            positions[code] = (position, is_label)
    return {code: position for code, (position, _is_label) in positions.items()}, ignored


# --- Results ------------------------------------------------------------------------------------------


@dataclass
class RowError:
    line: int
    column: str
    message: str

    def __str__(self):
        where = f"ligne {self.line}" + (f", colonne « {self.column} »" if self.column else "")
        return f"{where} : {self.message}"


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class RowOutcome:
    line: int
    reference: str
    outcome: str  # created, updated, unchanged
    changes: list[Change] = field(default_factory=list)


@dataclass
class ContractResult:
    reference: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_contract: bool = False
    outcomes: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def refused(self) -> int:
        return self.rows if self.errors else 0


@dataclass
class ImportResult:
    file_name: str
    year: int
    dry_run: bool
    contracts: list[ContractResult] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[RowError]:
        return sorted((e for c in self.contracts for e in c.errors), key=lambda e: e.line)

    @property
    def ok(self) -> bool:
        return not any(c.errors for c in self.contracts)

    def total(self, name: str) -> int:
        return sum(getattr(c, name) for c in self.contracts)

    @property
    def wrote(self) -> bool:
        """A real import that created or changed something (then its file is kept as the owner's document)."""
        return not self.dry_run and self.ok and bool(self.total("created") or self.total("updated"))


# --- Rows -------------------------------------------------------------------------------------------


@dataclass
class ParsedRow:
    line: int
    present: set[str]  # the columns the file has
    raw: dict[str, object]
    values: dict[str, object] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    def error(self, code: str, message: str) -> None:
        self.errors.append(RowError(self.line, LABELS.get(code, code), message))

    def text(self, code: str) -> str:
        value = self.raw.get(code, "")
        return "" if value is None else str(value).strip()


def looks_like_formula(text: str) -> bool:
    """What a spreadsheet would evaluate: text starting with = @ tab or CR, or with + or - followed by something
    other than a space (« -A1 », « +cmd| … »); « - Accompagnement » and « + de solidarité » are text."""
    if text.startswith(("=", "@", "\t", "\r")):
        return True
    return text.startswith(("+", "-")) and len(text) > 1 and not text[1].isspace()


def formula_free(value):
    """Text never becomes a formula: `'=…` (how our exports write it) is the text `=…`; `=…` is refused
    (ValueError with the French message)."""
    if not isinstance(value, str):
        return value
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    if looks_like_formula(value):
        raise ValueError(
            f"« {value[:40]} » commence par « {value[0]!s} » : une formule n’est jamais importée. "
            "Retirez ce signe, ou, s’il s’agit bien de texte, faites-le précéder d’une apostrophe (')."
        )
    return value


def _unformula(row: ParsedRow, code: str, value):
    try:
        return formula_free(value)
    except ValueError as error:
        row.error(code, str(error))
        return None


def split_values(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[|;\n]", text) if part.strip()]


class RowReader:
    """Turns a row's cells into typed values (options, dates, amounts); errors say line and column."""

    def __init__(self, positions: dict[str, int], mapping: Mapping, options: OptionIndex):
        self.positions = positions
        self.mapping = mapping
        self.options = options
        self.present = set(positions)

    def raw(self, line: int, cells: list) -> ParsedRow:
        raw = {}
        for code, position in self.positions.items():
            value = cells[position] if position < len(cells) else ""
            replacements = self.mapping.values.get(code)
            if replacements and value != "" and normalize(value) in replacements:
                value = replacements[normalize(value)]
            raw[code] = value
        row = ParsedRow(line=line, present=self.present, raw=raw)
        for code in list(raw):
            if code in DERIVED_COLUMNS or code in BUDGET_COLUMNS or code == "beneficiaries_target":
                continue
            raw[code] = _unformula(row, code, raw[code])
            if isinstance(raw[code], float | int) and not isinstance(raw[code], bool):
                raw[code] = str(raw[code])
        return row

    def parse(self, row: ParsedRow, contract_type: ContractType) -> None:
        """Fill `row.values` for the columns present; a cell that cannot be read gives an error and no value."""
        values = row.values
        for code in TEXT_FIELDS:
            if code in row.present and row.raw.get(code) is not None:
                values[code] = row.text(code)
        for code in ("start_date", "end_date"):
            if code in row.present and row.raw.get(code) not in ("", None):
                try:
                    values[code] = parse_date(row.raw[code])
                except ValueError:
                    row.error(code, f"« {row.raw[code]} » n’est pas une date (jj/mm/aaaa, par exemple 03/02/2025).")
        if "beneficiaries_target" in row.present and row.raw.get("beneficiaries_target") not in ("", None):
            value = row.raw["beneficiaries_target"]
            try:
                number = parse_decimal(value)
                if number != number.to_integral_value():
                    raise ValueError(value)
                values["beneficiaries_target"] = int(number)
            except ValueError:
                row.error("beneficiaries_target", f"« {value} » n’est pas un nombre entier.")
        for code in BUDGET_COLUMNS:
            if code in row.present and row.raw.get(code) not in ("", None):
                value = row.raw[code]
                try:
                    values[code] = AmountField(required=False).clean(str(parse_decimal(value)))
                except ValueError:
                    row.error(code, f"« {value} » n’est pas un montant en euros (par exemple 12 500,50).")
                except ValidationError as error:
                    for message in error.messages:
                        row.error(code, message)
        for code in OPTION_COLUMNS:
            if code not in row.present or row.raw.get(code) in ("", None):
                continue
            list_code = contract_type.option_list_code(LIST_KEY.get(code, code))
            if not list_code:
                row.error(code, f"Ce champ n’existe pas pour les contrats de type {contract_type.code}.")
                continue
            text = str(row.raw[code])
            parent = values.get("axis") if code == "subtheme" else None
            if code in MULTI_COLUMNS:
                chosen = []
                for part in split_values(text):
                    try:
                        chosen.append(self.options.resolve(list_code, part))
                    except ValueError as error:
                        row.error(code, str(error))
                values[code] = chosen
            else:
                try:
                    values[code] = self.options.resolve(list_code, text, parent=parent)
                except ValueError as error:
                    row.error(code, str(error))


# --- The form and the services --------------------------------------------------------------------------

FORM_SCALARS = ["title", "description", "objectives", "pilot_name", "beneficiaries_target", "start_date", "end_date"]


def form_value(value):
    if value is None:
        return ""
    if isinstance(value, Option):
        return str(value.pk)
    if isinstance(value, list | tuple | set):
        return [str(getattr(item, "pk", item)) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _form_data(row: ParsedRow, action: Action | None, failed: set[str]) -> dict:
    """What the action form would receive: the action's current values, overlaid by the row's columns.

    A column absent from the file keeps the action's value; a cell that could not be read counts as empty
    (its error is already reported)."""
    data = {}
    if action is not None:
        for name in [*FORM_SCALARS, "fte_funded", "ceiling_justification"]:
            data[name] = form_value(getattr(action, name))
        for name in SINGLE_OPTION_FIELDS:
            data[name] = form_value(getattr(action, f"{name}_id"))
        for name in [*MULTI_OPTION_FIELDS, "communes", "epcis"]:
            data[name] = [str(pk) for pk in getattr(action, name).values_list("pk", flat=True)]
    for name in [*FORM_SCALARS, *SINGLE_OPTION_FIELDS, *MULTI_OPTION_FIELDS, "ceiling_justification"]:
        if name in row.present:
            data[name] = "" if name in failed else form_value(row.values.get(name))
            if name in MULTI_OPTION_FIELDS and data[name] == "":
                data[name] = []
    return data


def _form_errors(form: ActionForm, row: ParsedRow, failed: set[str]) -> None:
    for name, messages in form.errors.items():
        if name in failed:
            continue
        label = LABELS.get(name) or (str(form.fields[name].label) if name in form.fields else "")
        for message in messages:
            row.errors.append(RowError(row.line, label, message))


def _service_errors(error: ValidationError, row: ParsedRow) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            column = BUDGET_WHERE if name.startswith("budget") else LABELS.get(name, "")
            if not column and name in ActionForm.base_fields:
                column = str(ActionForm.base_fields[name].label)
            for item in errors:
                for message in item.messages:
                    row.errors.append(RowError(row.line, column, message))
    else:
        for message in error.messages:
            row.errors.append(RowError(row.line, "", message))


def _year_lines(row: ParsedRow, year: int) -> list[BudgetLineInput] | None:
    """The year's budget lines the row describes, or None when the file has no budget columns."""
    if not any(code in row.present for code in FINANCER_OF):
        return None
    amounts = {code: row.values.get(code) for code in FINANCER_OF}
    total = row.values.get("budget_total")
    if all(value is None for value in amounts.values()):
        if total:
            row.error("budget_total", "Indiquez la répartition du budget par financeur (État, collectivité, tiers).")
        return []
    amounts = {code: value or Decimal("0") for code, value in amounts.items()}
    if total is not None and total != sum(amounts.values()):
        row.error(
            "budget_total",
            f"{rules.format_euros(total)} n’est pas la somme des crédits de l’État, de la collectivité et des "
            f"financeurs tiers ({rules.format_euros(sum(amounts.values()))}).",
        )
    lines = [
        BudgetLineInput(year=year, financer=FINANCER_OF[code], planned=amount)
        for code, amount in amounts.items()
        if amount and code != "budget_third_party"
    ]
    third = amounts["budget_third_party"]
    financers = row.values.get("third_party_financers") or []
    if third:
        if not financers:
            lines.append(BudgetLineInput(year=year, financer=Financer.THIRD_PARTY, planned=third))  # the rule says it
        else:
            # The raw export holds the year's third-party total and who pays, not each one's share: shared equally.
            share = (third / len(financers)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            first = third - share * (len(financers) - 1)
            for index, financer_type in enumerate(financers):
                lines.append(
                    BudgetLineInput(
                        year=year,
                        financer=Financer.THIRD_PARTY,
                        planned=first if index == 0 else share,
                        financer_type=financer_type,
                    )
                )
    if not lines:  # a budget of zero is still a budget (the export writes 0.00, not an empty cell)
        lines.append(BudgetLineInput(year=year, financer=Financer.STATE, planned=Decimal("0")))
    return lines


def _budget_summary(lines: list[BudgetLineInput]) -> tuple:
    planned, financers = services.planned_totals(lines)
    return bool(lines), *(planned[f] for f in Financer.values), "|".join(sorted(financers))


def _year_summary(action_year: ActionYear | None) -> tuple:
    if action_year is None or not action_year.has_budget:
        return (False, *(Decimal("0") for _f in Financer.values), "")
    amounts = {
        Financer.STATE: action_year.planned_state,
        Financer.AUTHORITY: action_year.planned_authority,
        Financer.THIRD_PARTY: action_year.planned_third_party,
    }
    return True, *(amounts[f] for f in Financer.values), action_year.third_party_financers


def shown_value(value) -> str:
    """A value as the « what changed » of an import shows it (labels, French dates and euros)."""
    if value in (None, "", []):
        return "—"
    if isinstance(value, Option):
        return value.label
    if isinstance(value, list | tuple | set):
        return " ; ".join(sorted(shown_value(item) for item in value)) or "—"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal):
        return rules.format_euros(value)
    return str(value)


def second_sheet_lines(
    table: Table, columns: list[tuple[str, str]], *, required: list[str], one_of: tuple[str, str]
) -> list[tuple[int, dict]]:
    """The lines of a workbook's second sheet as (line, {code: cell}), its `columns` (code, French header) found
    by code or header; ImportFileError naming the missing ones (each of `required`, and one of `one_of`)."""
    labels = dict(columns)
    index = {}
    for code, label in columns:
        index[normalize(code)] = code
        index[normalize(label)] = code
    positions = {}
    for position, header in enumerate(table.headers):
        code = index.get(normalize(header))
        if code and code not in positions:
            positions[code] = position
    missing = [labels[code] for code in required if code not in positions]
    if not any(code in positions for code in one_of):
        missing.insert(0, f"{labels[one_of[0]]} (ou {labels[one_of[1]]})")
    if missing:
        raise ImportFileError(f"{table.name} : colonnes manquantes : " + ", ".join(f"« {m} »" for m in missing))
    return [
        (line, {code: cells[position] if position < len(cells) else "" for code, position in positions.items()})
        for line, cells in table.rows
    ]


class BudgetSheet:
    """The sheet « Lignes budgétaires »: each line gives one budget line (year, financer, third-party financer's
    type, planned amount) of the action whose reference or previous tool's identifier it names. The years it
    gives replace those years' lines of the action; other years are kept."""

    def __init__(self, table: Table):
        self.where = table.name
        labels = dict(BUDGET_SHEET_COLUMNS)
        self.lines: dict[tuple, list[tuple[int, dict]]] = defaultdict(list)
        sheet_lines = second_sheet_lines(
            table, BUDGET_SHEET_COLUMNS, required=["year", "financer", "planned"], one_of=("action_id", "external_id")
        )
        for line, values in sheet_lines:
            key = self.key(str(values.get("action_id") or "").strip(), str(values.get("external_id") or "").strip())
            if key is None:
                raise ImportFileError(
                    f"{self.where}, ligne {line} : indiquez la « {labels['action_id']} » ou "
                    f"l’« {labels['external_id']} » de l’action."
                )
            self.lines[key].append((line, values))

    @staticmethod
    def key(reference: str, external_id: str) -> tuple | None:
        if reference:
            return ("ref", reference)
        if external_id:
            return ("ext", external_id)
        return None

    @staticmethod
    def row_keys(row: "ParsedRow") -> set[tuple]:
        keys = {("ref", row.text("action_id")), ("ext", str(row.raw.get("external_id") or "").strip())}
        return {key for key in keys if key[1]}

    def check_keys(self, rows: list["ParsedRow"]) -> None:
        """Every line names an action of the sheet « Actions »; ImportFileError listing those that do not."""
        known = set().union(*(self.row_keys(row) for row in rows)) if rows else set()
        orphans = [(line, key[1]) for key, lines in self.lines.items() if key not in known for line, _v in lines]
        if orphans:
            shown = ", ".join(f"ligne {line} (« {name} »)" for line, name in sorted(orphans)[:5])
            raise ImportFileError(
                f"{self.where} : aucune action de la feuille « Actions » ne porte la référence ou l’identifiant de "
                f"{shown}{' …' if len(orphans) > 5 else ''}. Ajoutez l’action, ou corrigez la référence."
            )

    def lines_for(self, row: "ParsedRow", contract: Contract, options: OptionIndex) -> dict[int, list]:
        """The row's budget lines by year; an unreadable cell is an error of the row, at the sheet's line."""
        found = {}
        for key in self.row_keys(row):
            for line, values in self.lines.get(key, []):
                found[line] = values
        by_year: dict[int, list[BudgetLineInput]] = defaultdict(list)
        sheet = f"feuille « {BUDGET_SHEET} »"
        labels = dict(BUDGET_SHEET_COLUMNS)

        def error(line, code, message):
            row.errors.append(RowError(line, f"{labels[code]} ({sheet})", message))

        financers = {}
        for value, label in Financer.choices:
            financers[normalize(value)] = value
            financers[normalize(label)] = value
        financers.update({"collectivite": Financer.AUTHORITY, "tiers": Financer.THIRD_PARTY, "etat": Financer.STATE})
        list_code = contract.contract_type.option_list_code("financer_type")
        for line, values in sorted(found.items()):
            year = financer = planned = None
            financer_type = None
            try:
                number = parse_decimal(values.get("year", ""))
                if number != number.to_integral_value() or not 2000 <= number <= 2100:
                    raise ValueError(number)
                year = int(number)
            except ValueError:
                error(line, "year", f"« {values.get('year', '')} » n’est pas une année (par exemple 2025).")
            financer = financers.get(normalize(values.get("financer", "")))
            if financer is None:
                choices = quoted_list([label for _v, label in Financer.choices])
                error(line, "financer", f"« {values.get('financer', '')} » n’est pas un financeur : {choices}.")
            text = str(values.get("financer_type") or "").strip()
            if text:
                if not list_code:
                    error(line, "financer_type", "Les contrats de ce type n’ont pas de types de financeur tiers.")
                else:
                    try:
                        financer_type = options.resolve(list_code, text)
                    except ValueError as problem:
                        error(line, "financer_type", str(problem))
            try:
                planned = AmountField(required=True).clean(str(parse_decimal(values.get("planned", ""))))
            except ValueError:
                error(
                    line,
                    "planned",
                    f"« {values.get('planned', '')} » n’est pas un montant en euros (par exemple 12 500,50).",
                )
            except ValidationError as problem:
                for message in problem.messages:
                    error(line, "planned", message)
            if year is not None and financer is not None and planned is not None:
                by_year[year].append(
                    BudgetLineInput(year=year, financer=financer, planned=planned, financer_type=financer_type)
                )
        return dict(by_year)


class Importer:
    """One import: the acting role, the file's name, the year of the budget and status columns."""

    def __init__(self, *, role, file_name: str, year: int, contract: Contract | None = None):
        self.role = role
        self.file_name = file_name
        self.year = year
        self.contract = contract  # an import from a contract's page: every row belongs to it
        self.options = OptionIndex()
        self.types = {t.code: t for t in ContractType.objects.all()}
        self.seen_references: set[str] = set()
        self.budget_sheet: BudgetSheet | None = None
        self._form_choices: dict[tuple, ActionFormChoices] = {}

    def form_choices(self, contract: Contract) -> ActionFormChoices:
        """The action form's lists for a contract, read once per contract type and authority."""
        key = (contract.contract_type_id, contract.authority_id)
        if key not in self._form_choices:
            self._form_choices[key] = ActionFormChoices(contract)
        return self._form_choices[key]

    # Contracts ---------------------------------------------------------------------------------------

    def group(self, rows: list[ParsedRow]) -> dict[tuple, list[ParsedRow]]:
        groups = defaultdict(list)
        for row in rows:
            if self.contract is not None:
                key = ("id", self.contract.reference)
            elif row.text("contract_id"):
                key = ("id", row.text("contract_id"))
            else:
                key = ("type", row.text("contract_type"), row.text("authority_code"))
            groups[key].append(row)
        return groups

    def find_contract(self, key: tuple, rows: list[ParsedRow], result: ContractResult) -> Contract | None:
        first = rows[0]
        if self.contract is not None:
            contract = self.contract
            for row in rows:
                if row.text("contract_id") and row.text("contract_id") != contract.reference:
                    row.error("contract_id", f"Ce fichier s’importe dans le contrat {contract.reference}.")
        elif key[0] == "id":
            contract = (
                Contract.objects.visible_to(self.role)
                .select_related("contract_type", "authority")
                .filter(reference=key[1])
                .first()
            )
            if contract is None and Contract.objects.filter(reference=key[1]).exists():
                for row in rows:
                    row.error("contract_id", f"Le contrat {key[1]} ne relève pas de votre périmètre.")
                return None
        else:
            contract = None
            if not key[1] or not key[2]:
                for row in rows:
                    row.error(
                        "contract_id",
                        "Indiquez le contrat : sa référence, ou son type et le code de la collectivité.",
                    )
                return None
            candidates = list(
                Contract.objects.visible_to(self.role)
                .select_related("contract_type", "authority")
                .filter(contract_type__code=key[1], authority__code=key[2])
            )
            if len(candidates) > 1:
                for row in rows:
                    row.error(
                        "contract_id", f"Plusieurs contrats {key[1]} pour cette collectivité : indiquez sa référence."
                    )
                return None
            contract = candidates[0] if candidates else None
        if contract is None:
            contract = self.create_contract(key, first, rows, result)
            if contract is None:
                return None
        for row in rows:
            if row.text("contract_type") and normalize(row.text("contract_type")) not in {
                normalize(contract.contract_type.code),
                normalize(contract.contract_type.label),
            }:
                row.error(
                    "contract_type", f"Le contrat {contract.reference} est de type {contract.contract_type.code}."
                )
            if row.text("authority_code") and row.text("authority_code") != contract.authority.code:
                row.error(
                    "authority_code",
                    f"Le contrat {contract.reference} est conclu avec {contract.authority} ({contract.authority.code}).",
                )
        allowed, reason = perms.can_edit_actions(self.role, contract)
        if not allowed:
            for row in rows:
                row.error("contract_id", reason)
            return None
        result.reference = contract.reference
        return contract

    def create_contract(self, key, first: ParsedRow, rows: list[ParsedRow], result: ContractResult):
        """A contract the file names but the database lacks, created from the row's contract columns."""
        reference = key[1] if key[0] == "id" else None
        contract_type = self._contract_type(first.text("contract_type"))
        authority = Authority.objects.filter(code=first.text("authority_code")).first()
        problems = []
        allowed, reason = perms.can_create_contract(self.role)
        named = (
            f"Le contrat {reference} n’existe pas" if reference else "Aucun contrat de ce type pour cette collectivité"
        )
        if not allowed:
            problems.append(("contract_id", f"{named} ; pour le créer : {reason}"))
        elif not first.text("contract_type") or not first.text("authority_code"):
            problems.append(
                (
                    "contract_id",
                    f"{named} ; pour le créer, remplissez « {LABELS['contract_type']} » et "
                    f"« {LABELS['authority_code']} ».",
                )
            )
        elif contract_type is None:
            known = ", ".join(sorted(self.types))
            problems.append(
                ("contract_type", f"Type de contrat « {first.text('contract_type')} » inconnu (types : {known}).")
            )
        if allowed and first.text("authority_code") and authority is None:
            problems.append(("authority_code", f"Aucune collectivité n’a le code « {first.text('authority_code')} »."))
        if not problems:
            try:
                contract = services.contract_create(
                    role=self.role,
                    contract_type=contract_type,
                    authority=authority,
                    reference=reference,
                    **self._period(first, contract_type, reference),
                )
            except PermissionDenied as error:
                problems.append(("contract_id", f"{named} ; pour le créer : {error}"))
            except ValidationError as error:
                problems.extend(("contract_id", message) for message in error.messages)
            else:
                result.new_contract = True
                return contract
        for row in rows:
            for code, message in problems:
                row.error(code, message)
        return None

    def _period(self, first: ParsedRow, contract_type: ContractType, reference: str | None) -> dict:
        """A new contract's years: the row's `contract_start_year`/`contract_end_year`; else read from a reference
        made by Pilot'actions (`CLS-D-2022-059`: from 2022, for the type's usual length — the raw export holds
        no period); else the type's default years."""
        years = {}
        for code, name in (("contract_start_year", "start_year"), ("contract_end_year", "end_year")):
            try:
                if first.text(code):
                    years[name] = int(parse_decimal(first.text(code)))
            except ValueError:
                first.error(code, f"« {first.text(code)} » n’est pas une année.")
        match = re.match(rf"{re.escape(contract_type.code)}-(\d{{4}})-", reference or "")
        if "start_year" not in years and match:
            years["start_year"] = int(match.group(1))
        if "start_year" in years and "end_year" not in years:
            years["end_year"] = years["start_year"] + contract_type.default_end_year - contract_type.default_start_year
        return years

    def _contract_type(self, text: str) -> ContractType | None:
        wanted = normalize(text)
        return next((t for t in self.types.values() if wanted in {normalize(t.code), normalize(t.label)}), None)

    # Actions ----------------------------------------------------------------------------------------

    def match(self, row: ParsedRow, contract: Contract) -> Action | None:
        reference = row.text("action_id")
        external_id = row.values.get("external_id") or ""
        if reference:
            if reference in self.seen_references:
                row.error("action_id", f"L’action {reference} figure déjà plus haut dans le fichier.")
                return None
            self.seen_references.add(reference)
            action = Action.objects.filter(reference=reference).select_related("contract").first()
            if action is not None and action.contract_id != contract.pk:
                row.error("action_id", f"L’action {reference} appartient au contrat {action.contract.reference}.")
                return None
        elif external_id:
            key = ("external", contract.pk, external_id)
            if key in self.seen_references:
                row.error("external_id", f"L’identifiant {external_id} figure déjà plus haut dans le fichier.")
                return None
            self.seen_references.add(key)
            found = list(Action.objects.filter(contract=contract, external_id=external_id)[:2])
            if len(found) > 1:
                row.error("external_id", f"Plusieurs actions du contrat portent l’identifiant {external_id}.")
                return None
            action = found[0] if found else None
        else:
            action = None
        if action is not None and action.status == ActionStatus.WITHDRAWN:
            row.error("action_id", f"L’action {action.reference} est retirée : rétablissez-la avant de l’importer.")
        return action

    def apply_row(self, row: ParsedRow, contract: Contract, result: ContractResult) -> None:
        action = self.match(row, contract)
        if row.errors and action is None and any(e.column == LABELS["action_id"] for e in row.errors):
            return
        failed = {code for code in LABELS if any(e.column == LABELS[code] for e in row.errors)}
        form = ActionForm(
            data=_form_data(row, action, failed), contract=contract, action=action, choices=self.form_choices(contract)
        )
        valid = form.is_valid()
        if not valid:
            _form_errors(form, row, failed)
        lines = _year_lines(row, self.year)
        years = {} if lines is None else {self.year: lines}
        if self.budget_sheet is not None:
            sheet_years = self.budget_sheet.lines_for(row, contract, self.options)
            if lines and self.year in sheet_years:
                row.error(
                    "budget_state",
                    f"Le budget de {self.year} figure à la fois dans les colonnes de crédits et dans la feuille "
                    f"« {BUDGET_SHEET} » : videz les colonnes de crédits de cette ligne, ou retirez ses lignes "
                    f"{self.year} de la feuille.",
                )
            if sheet_years and lines == []:
                # The year's columns left empty beside lines of the sheet: the sheet says the budget, the
                # empty columns say nothing (they would otherwise remove the year's lines).
                years.pop(self.year, None)
            years.update(sheet_years)
        if row.errors or not valid:
            return
        values, multi, justification = form.split()
        if "external_id" in row.present:
            values["external_id"] = row.values.get("external_id", "")
        status_present = "status" in row.present and "status" not in failed
        status = row.values.get("status")
        try:
            if action is None:
                action, warnings = services.action_create(
                    contract=contract,
                    role=self.role,
                    values=values,
                    multi=multi,
                    budget_lines=[line for year_lines in years.values() for line in year_lines],
                    ceiling_justification=justification,
                    reference=row.text("action_id") or None,
                    warn_envelope=False,  # said once for the contract, after its rows
                )
                if status_present and status is not None:
                    services.action_year_status_set(action=action, year=self.year, status=status, role=self.role)
                result.created += 1
                result.outcomes.append(RowOutcome(row.line, action.reference, "created"))
            else:
                changes, budget = self.changes(action, values, multi, justification, years or None)
                old_status = (
                    ActionYear.objects.filter(action=action, year=self.year)
                    .values_list("progress_status", flat=True)
                    .first()
                )
                if status_present and old_status != (status.pk if status else None):
                    changes.append(
                        Change(
                            LABELS["status"],
                            shown_value(Option.objects.filter(pk=old_status).first()),
                            shown_value(status),
                        )
                    )
                if not changes:
                    result.unchanged += 1
                    result.outcomes.append(RowOutcome(row.line, action.reference, "unchanged"))
                    return
                warnings = []
                if any(c.label != LABELS["status"] for c in changes):
                    action, warnings = services.action_update(
                        action=action,
                        role=self.role,
                        expected_version=action.version,
                        values=values,
                        multi=multi,
                        budget_lines=budget,
                        indicators=[
                            services.IndicatorInput(
                                id=i.pk, label=i.label, unit=i.unit, baseline=i.baseline, target=i.target
                            )
                            for i in action.indicators.all()
                        ],
                        ceiling_justification=justification,
                        warn_envelope=False,
                    )
                if status_present and old_status != (status.pk if status else None):
                    services.action_year_status_set(action=action, year=self.year, status=status, role=self.role)
                result.updated += 1
                result.outcomes.append(RowOutcome(row.line, action.reference, "updated", changes))
        except ValidationError as error:
            _service_errors(error, row)
            return
        except PermissionDenied as error:
            row.errors.append(RowError(row.line, "", str(error)))
            return
        except services.ConcurrentEditError:
            row.errors.append(RowError(row.line, "", "L’action a été modifiée pendant l’import : importez à nouveau."))
            return
        result.warnings.extend(f"ligne {row.line} : {warning}" for warning in warnings)

    def changes(self, action: Action, values: dict, multi: dict, justification: str, years: dict | None):
        """What the row changes, field by field (French labels), and the budget lines to save: the lines of the
        years in `years` (year → lines) replace those years' lines when their totals differ; others are kept."""
        changes = []
        for name, value in values.items():
            if name in SINGLE_OPTION_FIELDS:
                old_id = getattr(action, f"{name}_id")
                if old_id != (value.pk if value else None):
                    old = Option.objects.filter(pk=old_id).first()
                    changes.append(Change(_label(name), shown_value(old), shown_value(value)))
            elif getattr(action, name) != value:
                changes.append(Change(_label(name), shown_value(getattr(action, name)), shown_value(value)))
        for name, options in multi.items():
            old_ids = set(getattr(action, name).values_list("pk", flat=True))
            if old_ids != {o.pk for o in options}:
                old = list(getattr(action, name).all())
                changes.append(Change(_label(name), shown_value(old), shown_value(options)))
        if action.ceiling_justification != justification.strip():
            changes.append(
                Change(
                    LABELS["ceiling_justification"],
                    shown_value(action.ceiling_justification),
                    shown_value(justification),
                )
            )
        kept = services.budget_line_inputs(action)
        if not years:
            return changes, kept
        names = ["Budget de l’année", *(LABELS[c] for c in FINANCER_OF), LABELS["third_party_financers"]]
        replaced, new_lines = set(), []
        for year, lines in sorted(years.items()):
            old_year = _year_summary(ActionYear.objects.filter(action=action, year=year).first())
            new_year = _budget_summary(lines)
            if old_year == new_year:
                continue
            replaced.add(year)
            new_lines += lines
            year_changes = [
                Change(f"{label} {year}", shown_value(old), shown_value(new))
                for label, old, new in zip(names, old_year, new_year, strict=True)
                if old != new and label != names[0]
            ]
            if not year_changes or old_year[0] != new_year[0]:
                year_changes.append(
                    Change(f"Budget {year}", "oui" if old_year[0] else "non", "oui" if new_year[0] else "non")
                )
            changes.extend(year_changes)
        return changes, [line for line in kept if line.year not in replaced] + new_lines


def _label(name: str) -> str:
    return LABELS.get(name) or str(ActionForm.base_fields[name].label)


def import_reason(file_name: str) -> str:
    """What the history records written by an import say (core.history.history_reason)."""
    return f"Import « {file_name} »"


class _DryRun(Exception):
    pass


def import_table(
    table: Table,
    *,
    role,
    year: int,
    mapping: Mapping | None = None,
    dry_run: bool = False,
    contract: Contract | None = None,
    file_name: str | None = None,
    progress=None,
) -> ImportResult:
    """Import the rows: each contract's rows all or nothing; with `dry_run`, everything rolled back at the end."""
    mapping = mapping or Mapping()
    positions, ignored = column_positions(table.headers, mapping)
    file_name = file_name or table.name
    result = ImportResult(file_name=file_name, year=year, dry_run=dry_run, ignored_columns=ignored)
    if "title" not in positions and "action_id" not in positions and "external_id" not in positions:
        raise ImportFileError(
            f"« {file_name} » : aucune colonne reconnue pour identifier ou nommer les actions (« {LABELS['title']} », "
            f"« {LABELS['action_id']} » ou « {LABELS['external_id']} »). En-têtes lus : "
            + ", ".join(f"« {h} »" for h in table.headers[:12])
        )
    importer = Importer(role=role, file_name=file_name, year=year, contract=contract)
    reader = RowReader(positions, mapping, importer.options)
    rows = [reader.raw(line, cells) for line, cells in table.rows]
    if table.budget is not None:
        importer.budget_sheet = BudgetSheet(table.budget)
        importer.budget_sheet.check_keys(rows)
    groups = importer.group(rows)
    del rows  # a contract's parsed rows are let go once it is imported (memory of a national file)
    # The import commits contract by contract (each in its own transaction: a national import does not keep every
    # contract locked until its end); the dry run holds them all in one transaction rolled back at the end.
    with translation.override(settings.LANGUAGE_CODE):
        try:
            with transaction.atomic() if dry_run else nullcontext():
                for key in list(groups):
                    result.contracts.append(_import_contract(importer, reader, key, groups.pop(key), progress))
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
    return result


def _import_contract(
    importer: Importer, reader: RowReader, key, rows: list[ParsedRow], progress=None
) -> ContractResult:
    """One contract's rows, all or nothing; `progress(n)` is told of the rows done, one at a time."""
    result = ContractResult(reference=key[1] if key[0] == "id" else f"{key[1]} {key[2]}".strip(), rows=len(rows))
    with transaction.atomic(), history_reason(import_reason(importer.file_name)):
        contract = importer.find_contract(key, rows, result)
        if contract is not None:
            for row in rows:
                reader.parse(row, contract.contract_type)
                importer.apply_row(row, contract, result)
                if progress:
                    progress(1)
        elif progress:
            progress(len(rows))
        result.errors = [error for row in rows for error in row.errors]
        if result.errors:
            transaction.set_rollback(True)
            result.created = result.updated = result.unchanged = 0
            result.outcomes = []
            return result
        if contract is not None and (result.created or result.updated):
            audit_event_record(
                actor=importer.role,
                verb="actions_imported",
                target=contract,
                message=(
                    f"Import de « {importer.file_name} » : {result.rows} ligne(s) ; {result.created} action(s) créée(s), "
                    f"{result.updated} modifiée(s), {result.unchanged} inchangée(s)."
                ),
                data={
                    "file": importer.file_name,
                    "year": importer.year,
                    "rows": result.rows,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            if key[0] == "id" and contract.reference != result.reference:
                result.reference = contract.reference
        if contract is not None:
            result.warnings.extend(services.envelope_warnings(contract))
    return result


def import_file(path: Path, *, role, year: int, mapping_path: Path | None = None, **kwargs) -> ImportResult:
    """Read then import a file (the command's entry point; the page's is `imports.action_import_run`)."""
    mapping = Mapping.load(mapping_path) if mapping_path else Mapping()
    table = read_table(Path(path), name=kwargs.pop("file_name", None))
    return import_table(table, role=role, year=year, mapping=mapping, file_name=table.name, **kwargs)

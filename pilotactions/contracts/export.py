"""The raw export of actions (CSV for analysts, XLSX and CSV for people), streamed in constant memory.

One row per active action of the contracts whose period includes the year; the bilan reads exactly
the same actions. Column codes and formats are documented in docs/exports.md.

- For machines (`export_actions --format csv`): `csv_lines`, the documented codes (`CODES`), comma, no BOM.
  On PostgreSQL the command has the database write the same bytes (`export_copy`); this path is the reference.
- For people (`export_actions --format xlsx`, the contract list's CSV and XLSX downloads): `PEOPLE_COLUMNS`,
  labels first (« Axe » holds the axis's label), then the codes in columns placed after them (« Axe (code) »),
  dates as dates, amounts as numbers in euros (`write_xlsx`, `people_csv_lines`).
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from itertools import islice

from pilotactions.core.tabular import (
    AMOUNT,
    DATE,
    INTEGER,
    MACHINE_CSV,
    TEXT,
    Column,
    csv_line_writer,
    csv_safe,
    csv_stream,
    xlsx_people_write,
)
from pilotactions.nomenclatures.models import Option
from pilotactions.territories.models import territory_q

from .enums import ActionStatus
from .models import Action, ActionYear
from .rules import MULTI_OPTION_FIELDS, SINGLE_OPTION_FIELDS

COLUMNS = [
    ("action_id", "Référence de l’action"),
    ("contract_id", "Référence du contrat"),
    ("contract_type", "Type de contrat"),
    ("authority_code", "Code de la collectivité"),
    ("authority_name", "Collectivité"),
    ("region_code", "Code région"),
    ("departement_code", "Code département"),
    ("title", "Intitulé"),
    ("axis", "Axe"),
    ("subtheme", "Sous-thématique"),
    ("nature", "Nature"),
    ("policy_fields", "Champs d’action publique"),
    ("action_types", "Types d’action"),
    ("scale", "Échelle de déploiement"),
    ("implementation", "Mise en œuvre"),
    ("pilot_type", "Type de pilote"),
    ("partners", "Partenaires"),
    ("target_publics", "Publics cibles"),
    ("qpv_targeting", "Ciblage QPV"),
    ("rural_targeting", "Ciblage rural"),
    ("direct_impact", "Impact direct"),
    ("beneficiaries_target", "Bénéficiaires visés"),
    ("start_date", "Date de début"),
    ("end_date", "Date de fin"),
    ("budget_state", "Crédits de l’État (€)"),
    ("budget_authority", "Crédits de la collectivité (€)"),
    ("budget_third_party", "Crédits des financeurs tiers (€)"),
    ("budget_total", "Budget total (€)"),
    ("third_party_financers", "Financeurs tiers"),
    ("status", "État d’avancement"),
]
CODES = [code for code, _label in COLUMNS]
EXPORT_FORMATS = ("csv", "xlsx")  # the documented formats (docs/exports.md): any other extension is a 404
AMOUNT_COLUMNS = {"budget_state", "budget_authority", "budget_third_party", "budget_total"}
# Written by us from numbers (never typed text): left as they are in the CSV, numbers in the XLSX.
NUMBER_COLUMNS = AMOUNT_COLUMNS | {"beneficiaries_target"}
SINGLE_OPTIONS = SINGLE_OPTION_FIELDS
# The expected impacts are entered but neither exported nor counted by the bilan (docs/exports.md).
MULTI_OPTIONS = [name for name in MULTI_OPTION_FIELDS if name != "expected_impacts"]
CHUNK = 5000
LABEL = "_label"  # a labelled row (export_rows(labels=True)) holds `axis_label` next to `axis`…
_CODED = {"contract_type", "region_code", "departement_code", *SINGLE_OPTIONS, *MULTI_OPTIONS}
CODED = [code for code in CODES if code in _CODED | {"third_party_financers", "status"}]  # …for these columns
_MULTI = {*MULTI_OPTIONS, "third_party_financers"}
_PEOPLE_LABELS = {
    **dict(COLUMNS),
    "contract_type": "Type de contrat",
    "authority_name": "Collectivité",
    "region_code": "Région",
    "departement_code": "Département",
}
_KINDS = {
    "beneficiaries_target": INTEGER,
    "start_date": DATE,
    "end_date": DATE,
    **dict.fromkeys(AMOUNT_COLUMNS, AMOUNT),
}
_WIDTHS = {"title": 50, "authority_name": 30, "axis": 40, "subtheme": 40, **dict.fromkeys(MULTI_OPTIONS, 40)}


def _people_columns() -> list[tuple[str, Column]]:
    """(key of a labelled row, column): the CSV's columns with labels where it has codes, then the codes
    (« Axe (code) ») in the same order; the authority's code joins them."""
    columns = []
    for code in CODES:
        if code == "authority_code":
            continue
        column = Column(_PEOPLE_LABELS[code], kind=_KINDS.get(code, TEXT), width=_WIDTHS.get(code))
        columns.append((code + LABEL if code in CODED else code, column))
    columns.append(("authority_code", Column("Collectivité (code)")))
    for code in CODED:
        columns.append((code, Column(f"{_PEOPLE_LABELS[code]} ({'codes' if code in _MULTI else 'code'})")))
    return columns


PEOPLE_COLUMNS = _people_columns()
PEOPLE_KEYS = [key for key, _column in PEOPLE_COLUMNS]
LABEL_SEPARATOR = " ; "  # between the labels of a multi-valued field (codes keep the CSV's `|`)


def actions_for_year(year: int, queryset=None):
    """Active actions of the contracts whose period includes `year` — the base of the export and the bilan."""
    queryset = Action.objects.all() if queryset is None else queryset
    return queryset.filter(status=ActionStatus.ACTIVE, contract__start_year__lte=year, contract__end_year__gte=year)


def export_rows(year: int, queryset=None, *, labels: bool = False) -> Iterator[dict]:
    """Rows as dicts of strings (codes, `12345.67` amounts, ISO dates), in action reference order; with
    `labels`, each coded column also has its labels under `<code>_label` (what `PEOPLE_COLUMNS` reads)."""
    option_codes = dict(Option.objects.values_list("id", "code"))
    names = _Labels() if labels else None
    actions = actions_for_year(year, queryset)
    fields = [
        "id",
        "reference",
        "contract__reference",
        "contract__contract_type__code",
        "contract__authority__code",
        "contract__authority__name",
        "contract__authority__region__code",
        "contract__authority__departement__code",
        "contract__contract_type__label",
        "contract__authority__region__name",
        "contract__authority__departement__name",
        "title",
        "beneficiaries_target",
        "start_date",
        "end_date",
        *[f"{name}_id" for name in SINGLE_OPTIONS],
    ]
    # One ordered query streamed by a server-side cursor (PostgreSQL) or a plain cursor (SQLite): constant
    # memory, and the database joins and sorts once.
    rows = actions.order_by("reference").values(*fields).iterator(chunk_size=CHUNK)
    while chunk := list(islice(rows, CHUNK)):
        ids = [row["id"] for row in chunk]
        years = {
            y["action_id"]: y
            for y in ActionYear.objects.filter(action_id__in=ids, year=year).values(
                "action_id",
                "has_budget",
                "planned_state",
                "planned_authority",
                "planned_third_party",
                "planned_total",
                "third_party_financers",
                "progress_status_id",
            )
        }
        multi = {name: _multi_codes(name, ids, option_codes) for name in MULTI_OPTIONS}
        for row in chunk:
            result = _row(row, years.get(row["id"]), multi, option_codes)
            if names is not None:
                names.add_to(result, row, years.get(row["id"]), multi)
            yield result


def _multi_codes(name: str, ids: list[int], option_codes: dict[int, str]) -> dict[int, list[tuple[str, int]]]:
    """For each action, its (code, option id) pairs of a multi-valued field, sorted by code."""
    through = getattr(Action, name).through
    values = defaultdict(list)
    for action_id, option_id in through.objects.filter(action_id__in=ids).values_list("action_id", "option_id"):
        values[action_id].append((option_codes[option_id], option_id))
    return {action_id: sorted(pairs) for action_id, pairs in values.items()}


def _row(row: dict, action_year: dict | None, multi: dict, option_codes: dict[int, str]) -> dict:
    def option(name):
        value = row[f"{name}_id"]
        return option_codes[value] if value else ""

    budget = action_year if action_year and action_year["has_budget"] else None
    result = {
        "action_id": row["reference"],
        "contract_id": row["contract__reference"],
        "contract_type": row["contract__contract_type__code"],
        "authority_code": row["contract__authority__code"],
        "authority_name": row["contract__authority__name"],
        "region_code": row["contract__authority__region__code"],
        "departement_code": row["contract__authority__departement__code"],
        "title": row["title"],
        **{name: option(name) for name in SINGLE_OPTIONS},
        **{name: "|".join(code for code, _id in multi[name].get(row["id"], ())) for name in MULTI_OPTIONS},
        "beneficiaries_target": "" if row["beneficiaries_target"] is None else str(row["beneficiaries_target"]),
        "start_date": row["start_date"].isoformat() if row["start_date"] else "",
        "end_date": row["end_date"].isoformat() if row["end_date"] else "",
        "budget_state": f"{budget['planned_state']:.2f}" if budget else "",
        "budget_authority": f"{budget['planned_authority']:.2f}" if budget else "",
        "budget_third_party": f"{budget['planned_third_party']:.2f}" if budget else "",
        "budget_total": f"{budget['planned_total']:.2f}" if budget else "",
        "third_party_financers": budget["third_party_financers"] if budget else "",
        "status": option_codes.get(action_year["progress_status_id"], "") if action_year else "",
    }
    return result


class _Labels:
    """The labels of a row's codes: option labels by id, co-financer types by code."""

    def __init__(self):
        self.options = dict(Option.objects.values_list("id", "label"))
        self.financers = dict(Option.objects.filter(option_list__code="cofinanceurs_cls").values_list("code", "label"))

    def add_to(self, result: dict, row: dict, action_year: dict | None, multi: dict) -> None:
        result["contract_type" + LABEL] = row["contract__contract_type__label"]
        result["region_code" + LABEL] = row["contract__authority__region__name"]
        result["departement_code" + LABEL] = row["contract__authority__departement__name"]
        for name in SINGLE_OPTIONS:
            result[name + LABEL] = self.options.get(row[f"{name}_id"], "")
        for name in MULTI_OPTIONS:
            pairs = multi[name].get(row["id"], ())
            result[name + LABEL] = LABEL_SEPARATOR.join(self.options[option_id] for _code, option_id in pairs)
        financers = result["third_party_financers"]
        result["third_party_financers" + LABEL] = LABEL_SEPARATOR.join(
            self.financers.get(code, code) for code in financers.split("|") if code
        )
        status = action_year["progress_status_id"] if action_year else None
        result["status" + LABEL] = self.options.get(status, "") if status else ""


def csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    """CSV text, line by line: UTF-8, comma-separated, `\\n` line ends, the header always written
    (`MACHINE_CSV`: the documented format, byte for byte).

    Text starting with = + - @ tab or CR is prefixed with `'` (core.tabular.csv_safe): never a formula."""
    writer = csv_line_writer(MACHINE_CSV)
    yield writer.writerow(CODES)
    for row in rows:
        yield writer.writerow([row[code] if code in NUMBER_COLUMNS else csv_safe(row[code]) for code in CODES])


def write_csv(rows: Iterable[dict], handle) -> int:
    """Write the CSV; returns the number of data rows."""
    lines = 0
    for line in csv_lines(rows):
        handle.write(line)
        lines += 1
    return lines - 1


def people_values(row: dict) -> list:
    """A labelled row as the typed values of `PEOPLE_COLUMNS`: amounts Decimal, targets int, dates date."""
    values = []
    for key, column in PEOPLE_COLUMNS:
        value = row[key]
        if value == "" or column.kind == TEXT:
            values.append(value)
        elif column.kind == AMOUNT:
            values.append(Decimal(value))
        elif column.kind == INTEGER:
            values.append(int(value))
        else:
            values.append(date.fromisoformat(value))
    return values


def people_csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    """The CSV for people (core.tabular.PEOPLE_CSV: BOM, `;`, `1234,56`, `31/12/2024`) of labelled rows."""
    return csv_stream([column.label for _key, column in PEOPLE_COLUMNS], (people_values(row) for row in rows))


def write_xlsx(rows: Iterable[dict], target) -> int:
    """XLSX for people (core.tabular.xlsx_people_sheet) of labelled rows: one sheet « Actions », labels then
    codes, amounts in euros, dates as dates, header frozen with filters, streamed; text never a formula."""
    columns = [column for _key, column in PEOPLE_COLUMNS]
    return xlsx_people_write(target, ("Actions", columns, (people_values(row) for row in rows)))[0]


def scope_filter(queryset, *, region=None, departement=None, contract_type=None, authority=None):
    """Actions of the territory (`Authority.objects.in_territory`'s meaning) and contract type."""
    queryset = queryset.filter(
        territory_q("contract__authority", region=region, departement=departement, authority=authority)
    )
    return queryset.filter(contract__contract_type__code=contract_type) if contract_type else queryset

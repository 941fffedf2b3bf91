"""The raw export of actions (CSV for analysts, XLSX for people), streamed in constant memory.

One row per active action of the contracts whose period includes the year; the bilan reads exactly
the same actions. Column codes and formats are documented in docs/exports.md.
"""

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice

from pilotactions.core.tabular import EchoWriter, csv_safe, xlsx_text
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


def actions_for_year(year: int, queryset=None):
    """Active actions of the contracts whose period includes `year` — the base of the export and the bilan."""
    queryset = Action.objects.all() if queryset is None else queryset
    return queryset.filter(status=ActionStatus.ACTIVE, contract__start_year__lte=year, contract__end_year__gte=year)


def export_rows(year: int, queryset=None) -> Iterator[dict]:
    """Rows as dicts of strings (codes, `12345.67` amounts, ISO dates), in action reference order."""
    option_codes = dict(Option.objects.values_list("id", "code"))
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
            yield _row(row, years.get(row["id"]), multi, option_codes)


def _multi_codes(name: str, ids: list[int], option_codes: dict[int, str]) -> dict[int, str]:
    through = getattr(Action, name).through
    values = defaultdict(list)
    for action_id, option_id in through.objects.filter(action_id__in=ids).values_list("action_id", "option_id"):
        values[action_id].append(option_codes[option_id])
    return {action_id: "|".join(sorted(codes)) for action_id, codes in values.items()}


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
        **{name: multi[name].get(row["id"], "") for name in MULTI_OPTIONS},
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


def csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    """CSV text, line by line: UTF-8, comma-separated, `\\n` line ends, the header always written.

    Text starting with = + - @ tab or CR is prefixed with `'` (core.tabular.csv_safe): never a formula."""
    writer = csv.writer(EchoWriter(), lineterminator="\n")
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


def write_xlsx(rows: Iterable[dict], target) -> int:
    """XLSX for people: French headers, amounts as numbers formatted in euros, frozen header row; every text
    cell is a string cell, never a formula (core.tabular.xlsx_text)."""
    from decimal import Decimal

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Actions")
    sheet.freeze_panes = "A2"
    header = []
    for _code, label in COLUMNS:
        cell = xlsx_text(WriteOnlyCell(sheet, value=label))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        cells = []
        for code in CODES:
            value = row[code]
            if code in AMOUNT_COLUMNS and value != "":
                cell = WriteOnlyCell(sheet, value=Decimal(value))
                cell.number_format = '#,##0.00 "€"'
            elif code == "beneficiaries_target" and value != "":
                cell = WriteOnlyCell(sheet, value=int(value))
            else:
                cell = xlsx_text(WriteOnlyCell(sheet, value=value))
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(target)
    return count


def scope_filter(queryset, *, region=None, departement=None, contract_type=None, authority=None):
    """Actions of the territory (`Authority.objects.in_territory`'s meaning) and contract type."""
    queryset = queryset.filter(
        territory_q("contract__authority", region=region, departement=departement, authority=authority)
    )
    return queryset.filter(contract__contract_type__code=contract_type) if contract_type else queryset

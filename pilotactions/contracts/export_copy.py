"""The raw export's CSV for machines (`export_actions --format csv`) written by PostgreSQL in one pass.

`export.csv_lines(export_rows(…))` is the reference, and what SQLite runs; on PostgreSQL the same bytes come
from one `COPY (SELECT line …) TO STDOUT`: the database joins, pivots and formats each line, the command only
copies text from the socket to the file (a million actions: seconds instead of minutes, constant memory).

Each line is built in SQL exactly as the reference builds it:
- the same actions (`actions_for_year` of the same queryset) in the same order (`ORDER BY reference`);
- codes of the single options, the multi-valued options' codes joined by `|` in code order (then option id),
  the year's totals from `ActionYear` (`12345.67`, numeric(14,2) as text), ISO dates, the target as an integer;
- every text column made safe as `core.tabular.csv_safe` does (the prefixes come from `CSV_FORMULA_PREFIXES`)
  and quoted as the `csv` module quotes it: the characters that make it quote a field are asked of the module
  itself (`_QUOTED`), so that both paths follow the Python in use.
tests/contracts/test_export_copy.py compares both paths byte for byte on the tricky cases.
"""

from contextlib import nullcontext

from django.db import connections
from django.db.backends.utils import CursorDebugWrapper

from pilotactions.core.tabular import CSV_FORMULA_PREFIXES, MACHINE_CSV, csv_line_writer
from pilotactions.nomenclatures.models import Option
from pilotactions.territories.models import Authority

from .export import CODES, MULTI_OPTIONS, NUMBER_COLUMNS, SINGLE_OPTIONS, actions_for_year
from .models import Action, ActionYear, Contract, ContractType


def _quoted_characters() -> str:
    """The characters that make the machine dialect's csv.writer quote a field (asked, not assumed: a comma,
    a double quote and a line feed with Python 3.11)."""
    writer = csv_line_writer(MACHINE_CSV)
    return "".join(c for c in map(chr, range(1, 128)) if writer.writerow([f"a{c}b"]) != f"a{c}b\n")


_QUOTED = _quoted_characters()
_QUOTE = '"'


def _char(c: str) -> str:
    return f"chr({ord(c)})"  # folded into a constant by the planner; no escaping to get wrong


def _text_field(value: str) -> str:
    """SQL of a CSV field from the non-null text expression `value`: `csv_safe`, then csv.writer's quoting.
    The apostrophe that csv_safe adds is not a character that makes csv.writer quote: testing the value
    before the prefix is the same test."""
    safe = f"CASE WHEN left({value}, 1) IN ({', '.join(map(_char, CSV_FORMULA_PREFIXES))}) THEN '''' || {value} ELSE {value} END"
    needs_quotes = " OR ".join(f"strpos({value}, {_char(c)}) > 0" for c in _QUOTED)
    quoted = (
        f"{_char(_QUOTE)} || replace({safe}, {_char(_QUOTE)}, {_char(_QUOTE)} || {_char(_QUOTE)}) || {_char(_QUOTE)}"
    )
    return f"CASE WHEN {needs_quotes} THEN {quoted} ELSE {safe} END"


def _table(model) -> str:
    return model._meta.db_table


def _column(model, name: str) -> str:
    return model._meta.get_field(name).column


# Columns read from the small tables (nomenclature, territories, contract types): formatted once per row of
# those tables (`_lookup`), not once per action.
_LOOKED_UP = {
    "contract_type",
    "authority_code",
    "authority_name",
    "region_code",
    "departement_code",
    *SINGLE_OPTIONS,
    "status",
}


def _values() -> dict[str, str]:
    """Each column's value as a non-null text SQL expression over the aliases of `_from` (already a CSV field
    for the `_LOOKED_UP` columns)."""

    def amount(column):  # the year's totals only when it has budget lines (`export._row`)
        return f"CASE WHEN y.has_budget THEN y.{column}::text ELSE '' END"

    return {
        "action_id": "a.reference",
        "contract_id": "c.reference",
        "contract_type": "coalesce(ct.code, '')",
        "authority_code": "coalesce(au.code, '')",
        "authority_name": "coalesce(au.name, '')",
        "region_code": "coalesce(r.code, '')",
        "departement_code": "coalesce(d.code, '')",
        "title": "a.title",
        **{name: f"coalesce(o_{name}.code, '')" for name in SINGLE_OPTIONS},
        **{name: f"coalesce(m.{name}, '')" for name in MULTI_OPTIONS},
        "beneficiaries_target": "coalesce(a.beneficiaries_target::text, '')",
        "start_date": "coalesce(to_char(a.start_date, 'YYYY-MM-DD'), '')",
        "end_date": "coalesce(to_char(a.end_date, 'YYYY-MM-DD'), '')",
        "budget_state": amount("planned_state"),
        "budget_authority": amount("planned_authority"),
        "budget_third_party": amount("planned_third_party"),
        "budget_total": amount("planned_total"),
        "third_party_financers": "CASE WHEN y.has_budget THEN y.third_party_financers ELSE '' END",
        "status": "coalesce(o_status.code, '')",
    }


def _line() -> str:
    """The CSV line (without its `\\n`): `csv_lines`' rule, numbers as they are and every other field safe."""
    values = _values()
    fields = [
        values[code] if code in NUMBER_COLUMNS or code in _LOOKED_UP else _text_field(values[code]) for code in CODES
    ]
    return " || ',' || ".join(f"({field})" for field in fields)


def _lookup(model, *columns: str, keep: tuple[str, ...] = ()) -> str:
    """A small table with its `columns` as CSV fields (an empty value stays empty) and its `keep` columns."""
    fields = ", ".join([*keep, *(f"{_text_field(column)} AS {column}" for column in columns)])
    return f"(SELECT id, {fields} FROM {_table(model)})"


def _multi_codes(selected: str) -> str:
    """One row per selected action having any: each multi-valued field's codes joined by `|` in the order of
    `export._multi_codes` — (code, option id) pairs sorted as Python sorts them, codes by code point, i.e. the
    bytes of their UTF-8 (`COLLATE "C"`). Each option's rank in that order is computed once (a few hundred
    options), so that each action sorts integers. The four link tables are read in one pass (one sort by
    action), each field an aggregate filtered on its table."""
    branches = " UNION ALL ".join(
        f"SELECT {index} AS field, action_id, option_id FROM {_table(getattr(Action, name).through)}"
        for index, name in enumerate(MULTI_OPTIONS)
    )
    aggregates = ", ".join(
        f"string_agg(o.code, '|' ORDER BY o.rank) FILTER (WHERE t.field = {index}) AS {name}"
        for index, name in enumerate(MULTI_OPTIONS)
    )
    ranked = f'SELECT id, code, row_number() OVER (ORDER BY code COLLATE "C", id) AS rank FROM {_table(Option)}'
    return (
        f"SELECT t.action_id, {aggregates} FROM ({branches}) t JOIN ({ranked}) o ON o.id = t.option_id "
        f"WHERE t.action_id IN ({selected}) GROUP BY t.action_id"
    )


def _from(selected: str) -> str:
    """The selected actions (joined: the selection never repeats an action) and everything their lines read."""
    authority = Authority._meta
    region, departement = (_column(Authority, name) for name in ("region", "departement"))
    singles = " ".join(
        f"LEFT JOIN options o_{name} ON o_{name}.id = a.{_column(Action, name)}" for name in SINGLE_OPTIONS
    )
    return (
        f"({selected}) s JOIN {_table(Action)} a ON a.id = s.id JOIN {_table(Contract)} c ON c.id = a.{_column(Action, 'contract')} "
        f"LEFT JOIN {_lookup(ContractType, 'code')} ct ON ct.id = c.{_column(Contract, 'contract_type')} "
        f"LEFT JOIN {_lookup(Authority, 'code', 'name', keep=(region, departement))} au "
        f"ON au.id = c.{_column(Contract, 'authority')} "
        f"LEFT JOIN {_lookup(authority.get_field('region').related_model, 'code')} r ON r.id = au.{region} "
        f"LEFT JOIN {_lookup(authority.get_field('departement').related_model, 'code')} d ON d.id = au.{departement} "
        f"LEFT JOIN multi m ON m.action_id = a.id "
        f"LEFT JOIN {_table(ActionYear)} y ON y.action_id = a.id AND y.year = %s "
        f"LEFT JOIN options o_status ON o_status.id = y.{_column(ActionYear, 'progress_status')} "
        f"{singles}"
    )


def copy_sql(year: int, queryset=None) -> tuple[str, list]:
    """The `COPY … TO STDOUT` statement and its parameters: one text column, the CSV line of each action."""
    selected, params = actions_for_year(year, queryset).order_by().values("id").query.sql_with_params()
    # The selection twice, not once in a CTE: the planner then knows how many actions it holds (index
    # lookups for one département, one pass over the link tables for the whole country).
    statement = (
        f"COPY (WITH options AS {_lookup(Option, 'code')}, multi AS ({_multi_codes(selected)}) "
        f"SELECT {_line()} FROM {_from(selected)} ORDER BY a.reference) TO STDOUT"
    )
    return statement, [*params, *params, year]


def copy_csv(year: int, queryset, handle) -> int:
    """Write the CSV of `csv_lines(export_rows(year, queryset))` to the text `handle`, read from the database
    the queryset reads (the replica inside `reading_from_replica()`); returns the number of data rows."""
    queryset = Action.objects.all() if queryset is None else queryset
    connection = connections[queryset.db]
    statement, params = copy_sql(year, queryset)
    handle.write(csv_line_writer(MACHINE_CSV).writerow(CODES))
    count = 0
    with connection.cursor() as cursor:
        # COPY is not `execute`: log it as Django logs a query (the query counts and the replica's tests read it).
        logged = cursor.debug_sql(statement, params) if isinstance(cursor, CursorDebugWrapper) else nullcontext()
        with logged, cursor.cursor.copy(statement, params) as copy:
            copy.set_types(["text"])
            for (line,) in copy.rows():
                handle.write(line)
                handle.write("\n")
                count += 1
    return count

"""The writer: drafts turned into rows and written in bulk, one transaction per batch (the generator's only
raw SQL). PostgreSQL gets `COPY … FROM STDIN`, SQLite `executemany`; primary keys are reserved per batch so
that no row has to be read back."""

from __future__ import annotations

from datetime import UTC

from django.db import connection, transaction
from django.utils import timezone

from pilotactions.contracts.models import Action, ActionYear, BudgetLine, Contract, StateEnvelope
from pilotactions.contracts.rules import MULTI_OPTION_FIELDS, SINGLE_OPTION_FIELDS

from .drafts import ActionDraft, ContractDraft
from .planning import ContractPlan
from .reference import Reference


def _table(model, name=None):
    if name is None:
        return model._meta.db_table
    return model._meta.get_field(name).remote_field.through._meta.db_table


MULTI_FIELDS, SINGLE_FIELDS = MULTI_OPTION_FIELDS, SINGLE_OPTION_FIELDS


# Tables whose rows may hold a None (the others are written without checking each value).
NULLABLE = {"contract", "action", "budget_line"}


def copy_escape(value: str) -> str:
    """A text value for PostgreSQL's COPY text format."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    return value.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def euros_text(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


# Columns written per table, in the order of the rows' values.
COLUMNS: dict[str, list[str]] = {
    "contract": [
        "id",
        "created_at",
        "updated_at",
        "reference",
        "contract_type_id",
        "authority_id",
        "signing_organisation_id",
        "start_year",
        "end_year",
        "status",
        "not_signed_reason",
        "signature_date",
        "title",
        "version",
    ],
    "envelope": ["contract_id", "year", "amount"],
    "action": [
        "id",
        "created_at",
        "updated_at",
        "contract_id",
        "number",
        "reference",
        "title",
        "description",
        "objectives",
        *[f"{name}_id" for name in SINGLE_FIELDS],
        "pilot_name",
        "beneficiaries_target",
        "start_date",
        "end_date",
        "fte_funded",
        "ceiling_justification",
        "needs_state_review",
        "status",
        "withdrawn_reason",
        "version",
    ],
    "action_year": [
        "id",
        "action_id",
        "year",
        "assessment",
        "difficulties",
        "has_budget",
        "planned_state",
        "planned_authority",
        "planned_third_party",
        "planned_total",
        "third_party_financers",
    ],
    "budget_line": ["action_year_id", "financer", "financer_type_id", "planned"],
    **{name: ["action_id", "option_id"] for name in MULTI_FIELDS},
    "communes": ["action_id", "commune_id"],
    "epcis": ["action_id", "epci_id"],
}


class Writer:
    """Turns drafts into rows and writes them, one transaction per batch; engine-specific `_insert`."""

    def __init__(self, reference: Reference):
        self.reference = reference
        self.postgres = connection.vendor == "postgresql"
        now = timezone.now()
        # Values go to PostgreSQL as COPY text and to SQLite as Django would store them.
        self.now = now.isoformat() if self.postgres else now.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        self.text = copy_escape if self.postgres else str
        self.tables = {
            "contract": _table(Contract),
            "envelope": _table(StateEnvelope),
            "action": _table(Action),
            "action_year": _table(ActionYear),
            "budget_line": _table(BudgetLine),
            **{name: _table(Action, name) for name in [*MULTI_FIELDS, "communes", "epcis"]},
        }
        self.columns = COLUMNS
        self.counts = dict.fromkeys(self.tables, 0)
        self.skip_triggers = self.skips_triggers()

    def reserve(self, key: str, count: int) -> list[int]:
        """Primary keys for `count` new rows of a table (the same whatever the batch size)."""
        if not count:
            return []
        table = self.tables[key]
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
                )
                return [row[0] for row in cursor.fetchall()]
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + count))

    def skips_triggers(self) -> bool:
        """On PostgreSQL as a superuser, skip the per-row foreign-key triggers (as `pg_restore
        --disable-triggers` does): every key written was just read from the database or reserved from
        its sequence, and checking ~25 foreign keys per action one row at a time would double the time."""
        if not self.postgres:
            return False
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('is_superuser')")
            return cursor.fetchone()[0] == "on"

    def write(self, drafts: list[ContractDraft]) -> int:
        with transaction.atomic():
            if self.postgres:
                with connection.cursor() as cursor:
                    # Both settings end with the batch's transaction.
                    cursor.execute("SET LOCAL synchronous_commit = off")
                    if self.skip_triggers:
                        cursor.execute("SET LOCAL session_replication_role = replica")
            rows = self.rows(drafts)
            for key, values in rows.items():
                if values:
                    self._insert(key, values)
                    self.counts[key] += len(values)
        return sum(len(d.actions) for d in drafts)

    def rows(self, drafts: list[ContractDraft]) -> dict[str, list[tuple]]:
        """Every table's rows for a batch, with the primary keys reserved for it."""
        rows: dict[str, list[tuple]] = {key: [] for key in self.tables}
        contract_ids = self.reserve("contract", len(drafts))
        action_ids = iter(self.reserve("action", sum(len(d.actions) for d in drafts)))
        year_ids = iter(self.reserve("action_year", sum(len(a.budget) for d in drafts for a in d.actions)))
        for contract_id, draft in zip(contract_ids, drafts, strict=True):
            self.contract_rows(rows, contract_id, draft)
            options = self.reference.options[draft.plan.type_code]
            for action in draft.actions:
                action_id = next(action_ids)
                self.action_rows(rows, action_id, contract_id, draft.plan, action, options)
                for year, lines in action.budget.items():
                    self.year_rows(rows, next(year_ids), action_id, year, lines, options["financer_type"])
        return rows

    def contract_rows(self, rows: dict[str, list[tuple]], contract_id: int, draft: ContractDraft) -> None:
        """The contract and its yearly State envelopes."""
        plan = draft.plan
        rows["contract"].append(
            (
                contract_id,
                self.now,
                self.now,
                plan.reference,
                self.reference.types[plan.type_code],
                plan.authority.id,
                plan.authority.signing_organisation_id,
                plan.start_year,
                plan.end_year,
                "signed",
                "",
                draft.signature_date.isoformat(),
                self.text(draft.title),
                1,
            )
        )
        for year in range(plan.start_year, plan.end_year + 1):
            rows["envelope"].append((contract_id, year, euros_text(draft.envelope_cents)))

    def action_rows(
        self,
        rows: dict[str, list[tuple]],
        action_id: int,
        contract_id: int,
        plan: ContractPlan,
        action: ActionDraft,
        options: dict[str, dict[str, int]],
    ) -> None:
        """The action, its options and its communes and EPCI."""
        now, text = self.now, self.text
        single = [options[name].get(action.single[name]) if action.single[name] else None for name in SINGLE_FIELDS]
        rows["action"].append(
            (
                action_id,
                now,
                now,
                contract_id,
                action.number,
                f"{plan.reference}-A{action.number:03d}",
                text(action.title),
                text(action.description),
                text(action.objectives),
                *single,
                text(action.pilot_name),
                action.beneficiaries_target,
                action.start_date.isoformat() if action.start_date else None,
                action.end_date.isoformat() if action.end_date else None,
                action.fte_funded,
                text(action.ceiling_justification),
                action.needs_state_review,
                "active",
                "",
                1,
            )
        )
        for name in MULTI_FIELDS:
            ids = options[name]
            target = rows[name]
            for code in action.multi[name]:
                target.append((action_id, ids[code]))
        for commune_id in action.communes:
            rows["communes"].append((action_id, commune_id))
        for epci_id in action.epcis:
            rows["epcis"].append((action_id, epci_id))

    @staticmethod
    def year_rows(
        rows: dict[str, list[tuple]],
        year_id: int,
        action_id: int,
        year: int,
        lines: list[tuple[str, str, int]],
        financer_types: dict[str, int],
    ) -> None:
        """One year of an action: its budget lines and the totals `services.action_year_rollup` computes."""
        totals = {"state": 0, "authority": 0, "third_party": 0}
        third_types = set()
        for financer, financer_type, cents in lines:
            totals[financer] += cents
            if financer_type and cents > 0:
                third_types.add(financer_type)
            rows["budget_line"].append(
                (
                    year_id,
                    financer,
                    financer_types[financer_type] if financer_type else None,
                    euros_text(cents),
                )
            )
        rows["action_year"].append(
            (
                year_id,
                action_id,
                year,
                "",
                "",
                True,
                euros_text(totals["state"]),
                euros_text(totals["authority"]),
                euros_text(totals["third_party"]),
                euros_text(sum(totals.values())),
                "|".join(sorted(third_types)),
            )
        )

    def analyze(self) -> None:
        """Refresh the planner's statistics: after a bulk load, without them, PostgreSQL picks plans
        made for empty tables (the export's keyset pagination would sort the whole table per page)."""
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE " + ", ".join(f'"{table}"' for table in self.tables.values()))

    def _insert(self, key: str, values: list[tuple]) -> None:
        table, columns = self.tables[key], self.columns[key]
        names = ", ".join(f'"{c}"' for c in columns)
        with connection.cursor() as cursor:
            if self.postgres:
                # COPY text format, built here (several times faster than formatting row by row):
                # texts are already escaped, None is \N, True is read as a boolean.
                if key in NULLABLE:
                    lines = ["\t".join([r"\N" if v is None else str(v) for v in row]) for row in values]
                else:
                    lines = ["\t".join(map(str, row)) for row in values]
                lines.append("")
                with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    copy.write("\n".join(lines))
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)

"""The import of a local pact's actions from a spreadsheet (issue 25, « On a contract (or a pact) »; docs/import.md
« Pactes locaux »).

Nothing generic is written here: the file is read by `contracts.importing.read_table` (XLSX, ODS, CSV in UTF-8 or
Windows-1252, `;` or `,`, limits), its French values by `parse_decimal`, `parse_bool`, `OptionIndex.resolve`
(closest labels suggested), and the result has the contracts' shape (`ImportResult`), so that the page, the task,
the progress and the stored record are the contracts' (contracts/imports.py). What is the pact's own: its
columns (the fields of `forms.PactActionForm`, in its order), the matching of a row to an action, and the
writing, through the form then `services.pact_action_create` / `pact_action_update`, as the screen does.

- One pact per file, all or nothing: one faulty row and nothing is written.
- Matching: on « Référence de l’action » when filled (it must be an action of this pact); otherwise on the title,
  when exactly one action of the pact bears it, so that the same file imported twice creates nothing twice.
- A column absent from the file keeps the action's value; an empty cell empties the field.
- Co-financings: the workbook's optional sheet « Co-financements » (`CofinancingSheet`), one line per co-financing,
  each checked by the screen's `forms.CofinancingForm`. An action it names gets exactly its lines; an action it
  does not name keeps its co-financings.
"""

from collections import defaultdict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation

from pilotactions.contracts.importing import (
    Change,
    ContractResult,
    ImportFileError,
    ImportResult,
    Mapping,
    OptionIndex,
    RowError,
    RowOutcome,
    Table,
    column_positions,
    form_value,
    formula_free,
    import_reason,
    normalize,
    parse_bool,
    parse_decimal,
    second_sheet_lines,
    shown_value,
    split_values,
)
from pilotactions.core.audit import audit_event_record
from pilotactions.core.history import history_reason

from . import services
from .enums import PactActionStatus
from .forms import CofinancingForm, CofinancingFormSet, PactActionForm, action_initial
from .models import Pact, PactAction

REFERENCE = "action_id"
REFERENCE_LABEL = "Référence de l’action"
# The form's fields, in its order (its sections), each with the French header of the template.
FORM_FIELDS = [name for _slug, _title, names in PactActionForm.SECTIONS for name in names]
HEADERS = {
    REFERENCE: REFERENCE_LABEL,
    **{name: str(PactActionForm.base_fields[name].label) for name in FORM_FIELDS},
    "targets_specific_public": "Cible un public spécifique (oui/non)",
    "deployment_satisfactory": "Déploiement satisfaisant (oui/non)",
    "beneficiaries_bracket": "Volume de bénéficiaires visés",
}
COLUMNS = [REFERENCE, *FORM_FIELDS]
COFINANCINGS = "cofinancings"  # the errors of an action's co-financings as a whole (the service's key)
HEADERS[COFINANCINGS] = "Co-financements"
COFINANCING_SHEET = "Co-financements"
COFINANCING_COLUMNS = [
    (REFERENCE, REFERENCE_LABEL),
    ("title", HEADERS["title"]),
    *((name, str(CofinancingForm.base_fields[name].label)) for name in ("financer_type", "financer_name", "amount")),
]
SINGLE = services.ACTION_SINGLE_LISTS
MULTI = services.ACTION_MULTI_LISTS
BOOLEANS = {"targets_specific_public", "deployment_satisfactory"}
WHOLE_NUMBERS = {"beneficiaries_target", "beneficiaries_reached"}
AMOUNTS = {"total_budget", "state_amount"}


def header_index() -> dict[str, tuple[str, bool]]:
    """Normalized header → (code, False): the code, the template's header, and the form's label."""
    index = {}
    for code in COLUMNS:
        index[normalize(code)] = (code, False)
        index[normalize(HEADERS[code])] = (code, False)
        if code in PactActionForm.base_fields:
            index.setdefault(normalize(PactActionForm.base_fields[code].label), (code, False))
    return index


class PactRow:
    """A row of the file: its cells by code, then the form's data, its errors by line and column."""

    def __init__(self, line: int, cells: dict):
        self.line = line
        self.cells = cells
        self.errors: list[RowError] = []

    def error(self, code: str, message: str) -> None:
        self.errors.append(RowError(self.line, HEADERS.get(code, ""), message))

    def text(self, code: str) -> str:
        value = self.cells.get(code, "")
        return "" if value is None else str(value).strip()


class CofinancingSheet:
    """The sheet « Co-financements »: one co-financing per line (type and/or name of the co-financer, amount), of
    the action of the sheet « Actions » whose reference, or else title, it names. Each line goes through the
    screen's `CofinancingForm`; an action named on the sheet gets exactly its lines (at most the screen's 30)."""

    def __init__(self, table: Table):
        self.where = table.name
        labels = dict(COFINANCING_COLUMNS)
        self.lines: dict[tuple, list[tuple[int, dict]]] = defaultdict(list)
        for line, values in second_sheet_lines(
            table, COFINANCING_COLUMNS, required=["amount"], one_of=(REFERENCE, "title")
        ):
            key = self.key(str(values.get(REFERENCE) or "").strip(), str(values.get("title") or ""))
            if key is None:
                raise ImportFileError(
                    f"{self.where}, ligne {line} : indiquez la « {labels[REFERENCE]} » ou l’« {labels['title']} »."
                )
            self.lines[key].append((line, values))

    @staticmethod
    def key(reference: str, title: str) -> tuple | None:
        if reference:
            return ("reference", reference)
        if normalize(title):
            return ("title", normalize(title))
        return None

    @staticmethod
    def row_keys(row: PactRow) -> set[tuple]:
        keys = {("reference", row.text(REFERENCE)), ("title", normalize(row.text("title")))}
        return {key for key in keys if key[1]}

    def check_keys(self, rows: list[PactRow]) -> None:
        """Every line names an action of the sheet « Actions »; ImportFileError listing those that do not."""
        known = set().union(*(self.row_keys(row) for row in rows)) if rows else set()
        orphans = sorted((line, key[1]) for key, lines in self.lines.items() if key not in known for line, _v in lines)
        if orphans:
            shown = ", ".join(f"ligne {line} (« {name} »)" for line, name in orphans[:5])
            raise ImportFileError(
                f"{self.where} : aucune action de la feuille « Actions » ne porte la référence ou l’intitulé de "
                f"{shown}{' …' if len(orphans) > 5 else ''}. Ajoutez l’action, ou corrigez la référence."
            )

    def inputs_for(self, row: PactRow, options: OptionIndex) -> list[services.CofinancingInput] | None:
        """The row's co-financings (None when the sheet does not name its action); an unreadable line is an error
        of the row, at the sheet's line."""
        found = {line: values for key in self.row_keys(row) for line, values in self.lines.get(key, [])}
        if not found:
            return None
        labels = dict(COFINANCING_COLUMNS)

        def error(line, code, message):
            row.errors.append(RowError(line, f"{labels[code]} (feuille « {COFINANCING_SHEET} »)", message))

        if len(found) > CofinancingFormSet.max_num:
            error(
                max(found),
                "amount",
                f"Une action a {CofinancingFormSet.max_num} co-financements au plus ({len(found)}).",
            )
            return []
        inputs = []
        for line, values in sorted(found.items()):
            data = {"financer_type": "", "financer_name": "", "amount": ""}
            failed = set()
            for code in data:
                value = values.get(code, "")
                try:
                    value = formula_free("" if value is None else value)
                    if value == "":
                        continue
                    if code == "financer_type":
                        data[code] = str(options.resolve(services.COFINANCER_LIST, str(value)).pk)
                    elif code == "amount":
                        try:
                            data[code] = str(parse_decimal(value))
                        except ValueError:
                            raise ValueError(
                                f"« {value} » n’est pas un montant en euros (par exemple 12 500,50)."
                            ) from None
                    else:
                        data[code] = str(value).strip()
                except ValueError as problem:
                    error(line, code, str(problem))
                    failed.add(code)
            form = CofinancingForm(data=data)
            if not form.is_valid():
                for name, messages in form.errors.items():
                    if name not in failed:
                        for message in messages:
                            error(line, name if name in labels else "amount", message)
            elif not failed and (cofinancing := form.to_input()) is not None:
                inputs.append(cofinancing)
        return inputs


class PactImporter:
    def __init__(self, *, pact: Pact, role, file_name: str, positions: dict[str, int]):
        self.pact = pact
        self.role = role
        self.file_name = file_name
        self.positions = positions
        self.options = OptionIndex()
        self.seen: set = set()
        self.cofinancing_sheet: CofinancingSheet | None = None

    def row(self, line: int, cells: list) -> PactRow:
        row = PactRow(line, {code: cells[p] if p < len(cells) else "" for code, p in self.positions.items()})
        for code, value in row.cells.items():
            try:
                value = formula_free(value)
            except ValueError as error:
                row.error(code, str(error))
                value = ""
            if isinstance(value, int | float) and not isinstance(value, bool) and code not in AMOUNTS | WHOLE_NUMBERS:
                value = str(value)
            row.cells[code] = value
        return row

    def parse(self, row: PactRow) -> tuple[dict, set[str]]:
        """The row's present columns as the form's data, and the columns that could not be read (their error is
        reported; they count as empty for the form, whose errors on them are not repeated)."""
        data, failed = {}, set()
        for code in self.positions:
            if code == REFERENCE:
                continue
            value = row.cells[code]
            if value in ("", None):
                data[code] = [] if code in MULTI else ""
                continue
            try:
                data[code] = self._value(code, value)
            except ValueError as error:
                row.error(code, str(error))
                data[code] = [] if code in MULTI else ""
                failed.add(code)
        return data, failed

    def _value(self, code: str, value):
        if code in BOOLEANS:
            try:
                return "true" if parse_bool(value) else "false"
            except ValueError:
                raise ValueError(f"« {value} » : répondez « oui » ou « non ».") from None
        if code in WHOLE_NUMBERS:
            try:
                number = parse_decimal(value)
            except ValueError:
                number = None
            if number is None or number != number.to_integral_value():
                raise ValueError(f"« {value} » n’est pas un nombre entier.")
            return str(int(number))
        if code in AMOUNTS:
            try:
                return str(parse_decimal(value))
            except ValueError:
                raise ValueError(f"« {value} » n’est pas un montant en euros (par exemple 12 500,50).") from None
        if code in SINGLE:
            return str(self.options.resolve(SINGLE[code], str(value)).pk)
        if code in MULTI:
            picked, errors = [], []
            for part in split_values(str(value)):
                try:
                    picked.append(str(self.options.resolve(MULTI[code], part).pk))
                except ValueError as error:
                    errors.append(str(error))
            if errors:
                raise ValueError(" ; ".join(errors))
            return picked
        return str(value).strip()

    def match(self, row: PactRow) -> PactAction | None:
        reference = row.text(REFERENCE)
        if reference:
            if ("reference", reference) in self.seen:
                row.error(REFERENCE, f"L’action {reference} figure déjà plus haut dans le fichier.")
                return None
            self.seen.add(("reference", reference))
            action = PactAction.objects.filter(reference=reference).select_related("pact").first()
            if action is None or action.pact_id != self.pact.pk:
                row.error(
                    REFERENCE,
                    f"« {reference} » n’est pas une action du pacte {self.pact.reference} : laissez la référence vide "
                    "pour créer une action (le pacte lui en donne une).",
                )
                return None
        else:
            title = row.text("title")
            if not title:
                return None
            key = ("title", normalize(title))
            if key in self.seen:
                row.error("title", f"L’intitulé « {title} » figure déjà plus haut dans le fichier, sans référence.")
                return None
            self.seen.add(key)
            found = [a for a in self.pact.actions.all() if normalize(a.title) == key[1]]
            if len(found) > 1:
                row.error(
                    REFERENCE,
                    f"Plusieurs actions du pacte s’intitulent « {title} » : indiquez la référence de celle à modifier.",
                )
                return None
            action = found[0] if found else None
        if action is not None and action.status == PactActionStatus.WITHDRAWN:
            row.error(REFERENCE, f"L’action {action.reference} est retirée : rétablissez-la avant de l’importer.")
        return action

    def apply(self, row: PactRow, result: ContractResult) -> None:
        action = self.match(row)
        if any(error.column == REFERENCE_LABEL for error in row.errors):
            return
        data, failed = self.parse(row)
        form_data = _initial_data(action) if action is not None else {}
        form_data.update(data)
        form = PactActionForm(data=form_data, action=action)
        if not form.is_valid():
            for name, messages in form.errors.items():
                if name not in failed:
                    for message in messages:
                        row.error(name if name in HEADERS else "", message)
        cofinancings = None
        if self.cofinancing_sheet is not None:
            cofinancings = self.cofinancing_sheet.inputs_for(row, self.options)
        if row.errors:
            return
        values, multi = form.split()
        try:
            if action is None:
                action = services.pact_action_create(
                    pact=self.pact, role=self.role, values=values, multi=multi, cofinancings=cofinancings or ()
                )
                result.created += 1
                result.outcomes.append(RowOutcome(row.line, action.reference, "created"))
                return
            current = _cofinancing_inputs(action)
            changes = _changes(action, values, multi)
            if cofinancings is not None and services.cofinancing_lines(cofinancings) != services.cofinancing_lines(
                current
            ):
                changes.append(
                    Change(HEADERS[COFINANCINGS], _shown_cofinancings(current), _shown_cofinancings(cofinancings))
                )
            if not changes:
                result.unchanged += 1
                result.outcomes.append(RowOutcome(row.line, action.reference, "unchanged"))
                return
            action = services.pact_action_update(
                action=action,
                role=self.role,
                expected_version=action.version,
                values=values,
                multi=multi,
                cofinancings=current if cofinancings is None else cofinancings,
            )
            result.updated += 1
            result.outcomes.append(RowOutcome(row.line, action.reference, "updated", changes))
        except ValidationError as error:
            for name, messages in _error_items(error):
                for message in messages:
                    row.error(name if name in HEADERS else "", message)
        except PermissionDenied as error:
            row.error("", str(error))
        except services.ConcurrentEditError:
            row.error("", "L’action a été modifiée pendant l’import : importez à nouveau.")


def _initial_data(action: PactAction) -> dict:
    """The action's current values as the form would post them: a column absent from the file keeps them."""
    return {name: form_value(value) for name, value in action_initial(action).items()}


def _cofinancing_inputs(action: PactAction) -> list[services.CofinancingInput]:
    return [
        services.CofinancingInput(amount=c.amount, financer_type=c.financer_type, financer_name=c.financer_name)
        for c in action.cofinancings.select_related("financer_type")
    ]


def _shown_cofinancings(cofinancings) -> str:
    shown = []
    for c in cofinancings:
        financer = " — ".join(
            p for p in (c.financer_type.label if c.financer_type else "", c.financer_name.strip()) if p
        )
        shown.append(f"{financer} : {shown_value(c.amount)}")
    return " ; ".join(shown) or "—"


def _error_items(error: ValidationError):
    if hasattr(error, "error_dict"):
        return [(name, [m for item in items for m in item.messages]) for name, items in error.error_dict.items()]
    return [("", error.messages)]


def _changes(action: PactAction, values: dict, multi: dict) -> list[Change]:
    """What the row changes, field by field (the file's French headers)."""
    changes = []
    for name, value in values.items():
        if name == "beneficiaries_bracket" and values.get("beneficiaries_target") is not None:
            continue  # deduced from the number by the service
        old = getattr(action, name)
        if name in SINGLE:
            if getattr(action, f"{name}_id") != (value.pk if value else None):
                changes.append(Change(HEADERS[name], shown_value(old), shown_value(value)))
        elif old != value:
            changes.append(Change(HEADERS[name], _shown(old), _shown(value)))
    for name, options in multi.items():
        old = list(getattr(action, name).all())
        if {o.pk for o in old} != {o.pk for o in options}:
            changes.append(Change(HEADERS[name], shown_value(old), shown_value(options)))
    return changes


def _shown(value) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    return shown_value(value)


def import_pact_table(
    table: Table, *, pact: Pact, role, dry_run: bool, file_name: str | None = None, progress=None
) -> ImportResult:
    """Import the rows into the pact, all or nothing; with `dry_run`, everything rolled back at the end."""
    file_name = file_name or table.name
    positions, ignored = column_positions(table.headers, Mapping(), header_index())
    if "title" not in positions and REFERENCE not in positions:
        raise ImportFileError(
            f"« {file_name} » : aucune colonne reconnue pour identifier ou nommer les actions (« {HEADERS['title']} » "
            f"ou « {REFERENCE_LABEL} »). En-têtes lus : " + ", ".join(f"« {h} »" for h in table.headers[:12])
        )
    result = ImportResult(file_name=file_name, year=pact.year, dry_run=dry_run, ignored_columns=ignored)
    group = ContractResult(reference=pact.reference, rows=len(table.rows))
    result.contracts.append(group)
    importer = PactImporter(pact=pact, role=role, file_name=file_name, positions=positions)
    rows = [importer.row(line, cells) for line, cells in table.rows]
    if COFINANCING_SHEET in table.sheets:
        importer.cofinancing_sheet = CofinancingSheet(table.sheets[COFINANCING_SHEET])
        importer.cofinancing_sheet.check_keys(rows)
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic(), history_reason(import_reason(file_name)):
        for row in rows:
            importer.apply(row, group)
            if progress:
                progress(1)
        group.errors = [error for row in rows for error in row.errors]
        if group.errors:
            transaction.set_rollback(True)
            group.created = group.updated = group.unchanged = 0
            group.outcomes = []
            return result
        if group.created or group.updated:
            audit_event_record(
                actor=role,
                verb="pact_actions_imported",
                target=pact,
                message=(
                    f"Import de « {file_name} » : {group.rows} ligne(s) ; {group.created} action(s) créée(s), "
                    f"{group.updated} modifiée(s), {group.unchanged} inchangée(s)."
                ),
                data={
                    "file": file_name,
                    "rows": group.rows,
                    "created": group.created,
                    "updated": group.updated,
                    "unchanged": group.unchanged,
                },
            )
        if dry_run:
            transaction.set_rollback(True)
    return result

"""What changed between two submissions of a dossier, field by field, read from their frozen snapshots.

The State reviewer of a resubmitted dossier reads only what moved since the submission it sent back.
Snapshots hold codes and `12345.67` amounts (campaigns.services.snapshot_data); this module turns them into
the labels and French formats people read.
"""

from dataclasses import dataclass, field
from datetime import date

from pilotactions.contracts.export import AMOUNT_COLUMNS, COLUMNS, MULTI_OPTIONS, SINGLE_OPTIONS
from pilotactions.contracts.models import ContractType
from pilotactions.core.formats import euros, number
from pilotactions.nomenclatures.models import Option

from .models import DossierSnapshot

# The columns that describe the contract or the authority, identical for every action: not an action's change.
CONTEXT_COLUMNS = {
    "action_id",
    "contract_id",
    "contract_type",
    "authority_code",
    "authority_name",
    "region_code",
    "departement_code",
}
EXECUTION_FIELDS = [
    ("deployment_satisfactory", "Déploiement satisfaisant"),
    ("beneficiaries_reached", "Bénéficiaires touchés"),
    ("spent_state", "Dépenses réalisées — État (€)"),
    ("spent_authority", "Dépenses réalisées — collectivité (€)"),
    ("spent_third_party", "Dépenses réalisées — financeurs tiers (€)"),
    ("assessment", "Bilan de l’action"),
    ("difficulties", "Difficultés rencontrées"),
]
EXECUTION_AMOUNTS = {"spent_state", "spent_authority", "spent_third_party"}
# The action form's fields outside the export, kept in a snapshot's `content` (absent from the oldest snapshots:
# compared only when both submissions hold them).
CONTENT_FIELDS = [
    ("description", "Description"),
    ("objectives", "Objectifs"),
    ("pilot_name", "Pilote"),
    ("fte_funded", "Équivalents temps plein financés"),
    ("ceiling_justification", "Justification du dépassement du plafond de l’État"),
]
TEXT_FIELDS = [name for name, _label in CONTENT_FIELDS]
# An option column's list, as the contract type names it (the progress column is `status` in the export).
OPTION_FIELD_OF = {**{name: name for name in SINGLE_OPTIONS + MULTI_OPTIONS}, "status": "progress_status"}
LABELS = dict(COLUMNS)
# What a comment may point at: the action form's fields and the follow-up's, by the names the snapshot uses.
COMMENTABLE_FIELDS = (
    [(code, label) for code, label in COLUMNS if code not in CONTEXT_COLUMNS] + CONTENT_FIELDS + EXECUTION_FIELDS
)
COMMENTABLE_LABELS = dict(COMMENTABLE_FIELDS)


@dataclass
class Change:
    field: str
    label: str
    before: str
    after: str


@dataclass
class ActionChanges:
    reference: str
    title: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class SnapshotDiff:
    before: DossierSnapshot
    after: DossierSnapshot
    added: list[ActionChanges] = field(default_factory=list)  # actions present only in the later submission
    removed: list[ActionChanges] = field(default_factory=list)
    changed: list[ActionChanges] = field(default_factory=list)
    envelopes: list[Change] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.envelopes)

    @property
    def change_count(self) -> int:
        return sum(len(a.changes) for a in self.changed) + len(self.added) + len(self.removed) + len(self.envelopes)


def last_two_snapshots(dossier) -> tuple[DossierSnapshot, DossierSnapshot] | None:
    """The latest submission and the one before it, or None when the dossier was submitted once at most."""
    snapshots = list(dossier.snapshots.order_by("-created_at", "-id")[:2])
    return (snapshots[1], snapshots[0]) if len(snapshots) == 2 else None


def dossier_diff(dossier) -> SnapshotDiff | None:
    pair = last_two_snapshots(dossier)
    return snapshot_diff(*pair) if pair else None


def snapshot_diff(before: DossierSnapshot, after: DossierSnapshot) -> SnapshotDiff:
    if after.data.get("survey") is not None or before.data.get("survey") is not None:
        return survey_diff(before, after)
    old = {row["action_id"]: row for row in before.data.get("actions", [])}
    new = {row["action_id"]: row for row in after.data.get("actions", [])}
    labels = _option_labels(after.data, [old, new])
    result = SnapshotDiff(before=before, after=after)
    for reference in sorted(new.keys() - old.keys()):
        result.added.append(ActionChanges(reference, new[reference]["title"]))
    for reference in sorted(old.keys() - new.keys()):
        result.removed.append(ActionChanges(reference, old[reference]["title"]))
    for reference in sorted(old.keys() & new.keys()):
        changes = [
            Change(code, LABELS[code], _shown(code, a, labels), _shown(code, b, labels))
            for code, _label in COLUMNS
            if code not in CONTEXT_COLUMNS
            and (a := old[reference].get(code, "")) != (b := new[reference].get(code, ""))
        ]
        old_content, new_content = old[reference].get("content"), new[reference].get("content")
        if old_content is not None and new_content is not None:
            changes += [
                Change(code, label, _shown(code, a, labels), _shown(code, b, labels))
                for code, label in CONTENT_FIELDS
                if (a := old_content.get(code)) != (b := new_content.get(code))
            ]
        old_exec, new_exec = old[reference].get("execution") or {}, new[reference].get("execution") or {}
        changes += [
            Change(code, label, _shown(code, a, labels), _shown(code, b, labels))
            for code, label in EXECUTION_FIELDS
            if (a := old_exec.get(code)) != (b := new_exec.get(code))
        ]
        if changes:
            result.changed.append(ActionChanges(reference, new[reference]["title"], changes))
    old_env = before.data.get("contract", {}).get("envelopes", {})
    new_env = after.data.get("contract", {}).get("envelopes", {})
    for year in sorted(old_env.keys() | new_env.keys()):
        if old_env.get(year) != new_env.get(year):
            result.envelopes.append(
                Change(
                    f"envelope_{year}",
                    f"Enveloppe de l’État {year}",
                    _amount(old_env.get(year)),
                    _amount(new_env.get(year)),
                )
            )
    return result


def _option_labels(data: dict, snapshots: list[dict]) -> dict[tuple[str, str], str]:
    """(column, code) → label for every option code of both snapshots, in one query."""
    contract_type = ContractType.objects.filter(code=data.get("contract", {}).get("contract_type")).first()
    if contract_type is None:
        return {}
    lists = {column: contract_type.option_list_code(name) for column, name in OPTION_FIELD_OF.items()}
    wanted = {
        (column, code)
        for rows in snapshots
        for row in rows.values()
        for column in lists
        for code in str(row.get(column) or "").split("|")
        if code
    }
    options = Option.objects.filter(
        option_list__code__in={lists[c] for c, _ in wanted if lists[c]}, code__in={code for _, code in wanted}
    ).values_list("option_list__code", "code", "label")
    by_list = {(list_code, code): label for list_code, code, label in options}
    return {(column, code): by_list.get((lists[column], code), code) for column, code in wanted}


def _shown(column: str, value, labels: dict) -> str:
    """A snapshot value as people read it: labels, French amounts and dates, « oui/non », « — » when empty."""
    if value is None or value == "":
        return "—"
    if column in OPTION_FIELD_OF:
        return ", ".join(labels.get((column, code), code) for code in str(value).split("|"))
    if column in AMOUNT_COLUMNS or column in EXECUTION_AMOUNTS:
        return _amount(value)
    if column == "fte_funded":
        return number(value, 2)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if column in ("start_date", "end_date"):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if column in ("beneficiaries_target", "beneficiaries_reached"):
        return number(value)
    return str(value)


def _amount(value) -> str:
    return euros(value, 2) or "—"


# --- Surveys (campaigns of kind `enquete`) -------------------------------------------------------


def _survey_items(data: dict) -> dict[str, dict]:
    """reference → {"title", "answers"} for every pact and action of a survey snapshot (pacts.survey)."""
    items = {}
    for pact in (data.get("survey") or {}).get("pacts", []):
        if not isinstance(pact, dict) or "reference" not in pact:
            continue
        items[pact["reference"]] = {"title": pact.get("title", ""), "answers": pact.get("answers") or {}}
        for action in pact.get("actions", []):
            if isinstance(action, dict) and "reference" in action:
                items[action["reference"]] = {"title": action.get("title", ""), "answers": action.get("answers") or {}}
    return items


def survey_diff(before: DossierSnapshot, after: DossierSnapshot) -> SnapshotDiff:
    """What changed between two submissions of a région's survey, answer by answer, pact by pact and action
    by action (pacts and actions are listed under the `added`, `removed` and `changed` of a contract's diff)."""
    old, new = _survey_items(before.data), _survey_items(after.data)
    result = SnapshotDiff(before=before, after=after)
    for reference in sorted(new.keys() - old.keys()):
        result.added.append(ActionChanges(reference, new[reference]["title"]))
    for reference in sorted(old.keys() - new.keys()):
        result.removed.append(ActionChanges(reference, old[reference]["title"]))
    moved = {}
    for reference in sorted(old.keys() & new.keys()):
        a_answers, b_answers = old[reference]["answers"], new[reference]["answers"]
        codes = [c for c in sorted(a_answers.keys() | b_answers.keys()) if a_answers.get(c) != b_answers.get(c)]
        if codes:
            moved[reference] = codes
    if not moved:
        return result
    from pilotactions.pacts.models import SurveyQuestion  # campaigns may read pacts; loaded when needed

    questions = {
        q.code: q
        for q in SurveyQuestion.objects.filter(code__in={c for codes in moved.values() for c in codes}).select_related(
            "option_list"
        )
    }
    wanted = {
        (questions[code].option_list.code, value)
        for reference, codes in moved.items()
        for code in codes
        if code in questions and questions[code].option_list_id
        for side in (old, new)
        for value in _as_list(side[reference]["answers"].get(code))
    }
    option_labels = {
        (list_code, code): label
        for list_code, code, label in Option.objects.filter(
            option_list__code__in={w[0] for w in wanted}, code__in={str(w[1]) for w in wanted}
        ).values_list("option_list__code", "code", "label")
    }
    for reference, codes in moved.items():
        changes = []
        for code in codes:
            question = questions.get(code)
            list_code = question.option_list.code if question and question.option_list_id else None
            changes.append(
                Change(
                    code,
                    question.label if question else code,
                    _survey_shown(old[reference]["answers"].get(code), list_code, option_labels),
                    _survey_shown(new[reference]["answers"].get(code), list_code, option_labels),
                )
            )
        result.changed.append(ActionChanges(reference, new[reference]["title"], changes))
    return result


def _as_list(value) -> list:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list) else [value]


def _survey_shown(value, list_code, option_labels) -> str:
    """An answer as people read it: option labels, « oui/non », French dates and numbers, « — » when empty."""
    values = _as_list(value)
    if not values:
        return "—"
    shown = []
    for item in values:
        if isinstance(item, bool):
            shown.append("oui" if item else "non")
        elif list_code and (list_code, str(item)) in option_labels:
            shown.append(option_labels[(list_code, str(item))])
        elif isinstance(item, int | float):
            shown.append(number(item))
        elif isinstance(item, str) and len(item) == 10 and item[4] == "-":
            try:
                shown.append(date.fromisoformat(item).strftime("%d/%m/%Y"))
            except ValueError:
                shown.append(item)
        else:
            shown.append(str(item))
    return ", ".join(shown)

"""The export of the local pacts: one table, one row per pact (« pacte ») followed by one row per active action
of that pact (« action »), then one column per survey question not already held by a pact or action field.

Same two formats as the contracts' raw export (docs/exports.md, « Export des pactes locaux »):

- for machines (`export_pacts --format csv`): `csv_lines`, the documented codes (`codes_for(questions)`),
  `core.tabular.MACHINE_CSV` (comma, no BOM, ISO dates, `12345.67`), byte-stable;
- for people (`export_pacts --format xlsx`, `/pactes/export.csv|.xlsx`): labels first, then the codes in columns
  placed after them (« Région (code) »), dates as dates, amounts as numbers (`people_csv_lines`, `write_xlsx`).

Pacts are read `CHUNK` at a time in reference order, with one query per related table and chunk (M2M, co-financings,
actions, the actions' M2M and co-financings, survey answers): the number of queries does not grow with the
number of pacts of a chunk, and memory stays flat whatever the number of pacts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import islice

from django.db.models import Q

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
from pilotactions.territories.models import Departement

from .enums import PactActionStatus, PactStatus, PactTerritoryKind, QuestionKind, QuestionScope
from .models import Pact, PactAction, PactActionCofinancing, PactCofinancing, SurveyAnswer, SurveyQuestion

EXPORT_FORMATS = ("csv", "xlsx")  # the documented formats: any other extension is a 404
CHUNK = 500  # pacts per chunk (with their actions: about 2,000 rows)
LABEL = "_label"
LABEL_SEPARATOR = " ; "  # between the labels of a multi-valued field (codes keep `|`)
LEVEL_PACT, LEVEL_ACTION = "pacte", "action"
SURVEY_PREFIX = "survey_"

# (code, people label, kind): the fixed columns, in order. Columns marked shared hold the pact's value on its
# row and the action's on an action row (title, budgets, co-financers).
FIXED = [
    ("level", "Niveau", TEXT),
    ("pact_reference", "Référence du pacte", TEXT),
    ("region_code", "Région", TEXT),
    ("year", "Année", INTEGER),
    ("action_reference", "Référence de l’action", TEXT),
    ("action_number", "Numéro de l’action", INTEGER),
    ("title", "Intitulé", TEXT),
    ("territory_kind", "Territoire", TEXT),
    ("territory_label", "Nom du territoire", TEXT),
    ("communes", "Communes (codes INSEE)", TEXT),
    ("epcis", "EPCI (SIREN)", TEXT),
    ("departements", "Départements", TEXT),
    ("priorities", "Priorités", TEXT),
    ("pact_status", "Statut du pacte", TEXT),
    ("finalised_on", "Date de finalisation", DATE),
    ("project_lead", "Porteur de projet", TEXT),
    ("start_date", "Date de début", DATE),
    ("end_date", "Date de fin", DATE),
    ("policy_fields", "Champs d’action publique", TEXT),
    ("scale", "Échelle géographique", TEXT),
    ("pilot_type", "Type de pilote", TEXT),
    ("pilot_name", "Pilote", TEXT),
    ("partners", "Partenaires", TEXT),
    ("targets_specific_public", "Cible un public spécifique", TEXT),
    ("target_publics", "Publics cibles", TEXT),
    ("qpv_targeting", "Ciblage QPV", TEXT),
    ("rural_targeting", "Ciblage rural", TEXT),
    ("beneficiaries_target", "Bénéficiaires visés", INTEGER),
    ("beneficiaries_bracket", "Volume de bénéficiaires visés", TEXT),
    ("beneficiaries_reached", "Bénéficiaires touchés", INTEGER),
    ("resources", "Ressources mobilisées", TEXT),
    ("duration", "Durée", TEXT),
    ("progress_status", "État d’avancement", TEXT),
    ("deployment_satisfactory", "Déploiement satisfaisant", TEXT),
    ("expected_impacts", "Impacts attendus", TEXT),
    ("total_budget", "Budget total (€)", AMOUNT),
    ("state_amount", "Crédits de l’État (€)", AMOUNT),
    ("budget_bracket", "Tranche de budget", TEXT),
    ("cofinancers", "Co-financeurs", TEXT),
    ("cofinancing_amount", "Co-financements (€)", AMOUNT),
]
FIXED_CODES = [code for code, _label, _kind in FIXED]
PACT_MULTI = ["communes", "epcis", "departements", "priorities"]
ACTION_SINGLE = [
    "scale",
    "pilot_type",
    "qpv_targeting",
    "rural_targeting",
    "beneficiaries_bracket",
    "budget_bracket",
    "duration",
    "progress_status",
]
ACTION_MULTI = ["policy_fields", "partners", "target_publics", "resources", "expected_impacts"]
# Columns whose codes have labels for people (« Région » then « Région (code) » after every label column).
CODED = [
    "region_code",
    "territory_kind",
    "departements",
    "priorities",
    "pact_status",
    "policy_fields",
    "scale",
    "pilot_type",
    "partners",
    "target_publics",
    "qpv_targeting",
    "rural_targeting",
    "beneficiaries_bracket",
    "resources",
    "duration",
    "progress_status",
    "expected_impacts",
    "budget_bracket",
    "cofinancers",
    "targets_specific_public",
    "deployment_satisfactory",
]
BOOLEANS = ("targets_specific_public", "deployment_satisfactory")
MULTI = {*PACT_MULTI, *ACTION_MULTI, "cofinancers"}
NUMBER_COLUMNS = {code for code, _label, kind in FIXED if kind in (AMOUNT, INTEGER)}
_WIDTHS = {"title": 50, "territory_label": 30, "project_lead": 30, "pilot_name": 30, **dict.fromkeys(MULTI, 40)}
YES_NO = {True: "OUI", False: "NON"}  # the survey's codes of a yes/no answer (pacts.survey)
YES_NO_LABELS = {"OUI": "Oui", "NON": "Non"}
TERRITORY_NAME = "territory_label" + LABEL  # for people: the territory's name (the pact's label or its places')
# Number formats for people: a year is not a quantity (« 2024 », never « 2 024 »); amounts are headed « (€) »,
# so their cells do not repeat the euro sign.
PEOPLE_FORMATS = {"year": "0", **{code: "#,##0.00" for code, _label, kind in FIXED if kind == AMOUNT}}


# --- The survey questions of a year ------------------------------------------------------------------------


def export_questions(year: int) -> list[SurveyQuestion]:
    """The year's questions whose answer is not already a pact or action field: pact questions then action
    questions, by position (one column each, after the fixed columns)."""
    questions = (
        SurveyQuestion.objects.filter(first_year__lte=year, form_field="")
        .filter(Q(last_year__isnull=True) | Q(last_year__gte=year))
        .select_related("option_list")
    )
    order = {QuestionScope.PACT: 0, QuestionScope.ACTION: 1}
    return sorted(questions, key=lambda q: (order.get(q.scope, 2), q.position, q.code))


def codes_for(questions: list[SurveyQuestion]) -> list[str]:
    """The machine CSV's header: the fixed codes, then `survey_<question code>`."""
    return FIXED_CODES + [SURVEY_PREFIX + question.code for question in questions]


def answer_code(value) -> str:
    """A survey answer as the CSV writes it: codes of a multiple choice sorted and `|`-joined, booleans
    `OUI`/`NON`, numbers and ISO dates as they are, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES_NO[value]
    if isinstance(value, list):
        return "|".join(sorted(str(item) for item in value))
    return str(value)


# --- Rows ---------------------------------------------------------------------------------------------------


def pacts_for_year(year: int, queryset=None):
    queryset = Pact.objects.all() if queryset is None else queryset
    return queryset.filter(year=year)


def scope_filter(queryset, *, region: str | None = None, status: str | None = None):
    """The pacts of a région (INSEE code) and status, as the pact list filters them."""
    if region:
        queryset = queryset.filter(region__code=region)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


@dataclass
class _Chunk:
    """Everything the rows of a chunk of pacts need, read with one query per table."""

    pact_multi: dict[str, dict[int, list[str]]]
    pact_cofinancings: dict[int, list[tuple[str, Decimal]]]
    actions: dict[int, list[dict]]
    action_multi: dict[str, dict[int, list[str]]]
    action_cofinancings: dict[int, list[tuple[str, Decimal]]]
    pact_answers: dict[int, dict[int, object]]
    action_answers: dict[int, dict[int, object]]
    territory_names: dict[str, dict[int, list[str]]]  # for people: the communes' and EPCI's names of each pact


PACT_FIELDS = [
    "id",
    "reference",
    "year",
    "region__code",
    "region__name",
    "title",
    "territory_kind",
    "territory_label",
    "status",
    "finalised_on",
    "project_lead",
    "start_date",
    "end_date",
    "total_budget",
    "state_amount",
]
ACTION_FIELDS = [
    "id",
    "pact_id",
    "reference",
    "number",
    "title",
    "pilot_name",
    "targets_specific_public",
    "beneficiaries_target",
    "beneficiaries_reached",
    "total_budget",
    "state_amount",
    "deployment_satisfactory",
    *[f"{name}_id" for name in ACTION_SINGLE],
]


class _Reader:
    """Reads the related rows of a chunk of pacts, and the option codes and labels once."""

    def __init__(self, year: int, questions: list[SurveyQuestion], labels: bool):
        self.year = year
        self.questions = questions
        self.question_ids = [q.pk for q in questions]
        self.options = {
            option_id: (code, label) for option_id, code, label in Option.objects.values_list("id", "code", "label")
        }
        self.labels = labels
        self._list_labels: dict[int, dict[str, str]] = {}
        self._code_labels: dict[str, dict[str, str]] | None = None
        self.departement_names: dict[str, str] = {}
        if labels:
            self.departement_names = dict(Departement.objects.values_list("code", "name"))

    def list_labels(self, option_list_id: int) -> dict[str, str]:
        """Option code → label of a question's option list (read once per list)."""
        if option_list_id not in self._list_labels:
            self._list_labels[option_list_id] = dict(
                Option.objects.filter(option_list_id=option_list_id).values_list("code", "label")
            )
        return self._list_labels[option_list_id]

    def code_labels(self) -> dict[str, dict[str, str]]:
        """Option list code → option code → label, for the lists of the export's columns (read once)."""
        if self._code_labels is None:
            wanted = {*_LISTS.values(), _FINANCERS}
            table: dict[str, dict[str, str]] = {code: {} for code in wanted}
            rows = Option.objects.filter(option_list__code__in=wanted).values_list("option_list__code", "code", "label")
            for list_code, code, label in rows:
                table[list_code][code] = label
            self._code_labels = table
        return self._code_labels

    def code(self, option_id) -> str:
        return self.options[option_id][0] if option_id else ""

    def _m2m(self, model, name: str, owner: str, ids: list[int], value: str) -> dict[int, list[str]]:
        through = getattr(model, name).through
        result: dict[int, list[str]] = defaultdict(list)
        for owner_id, code in through.objects.filter(**{f"{owner}__in": ids}).values_list(owner, value):
            result[owner_id].append(code)
        return {key: sorted(values) for key, values in result.items()}

    def chunk(self, pact_ids: list[int]) -> _Chunk:
        pact_multi = {
            "communes": self._m2m(Pact, "communes", "pact_id", pact_ids, "commune__code"),
            "epcis": self._m2m(Pact, "epcis", "pact_id", pact_ids, "epci__siren"),
            "departements": self._m2m(Pact, "departements", "pact_id", pact_ids, "departement__code"),
            "priorities": self._m2m(Pact, "priorities", "pact_id", pact_ids, "option__code"),
        }
        pact_cofinancings: dict[int, list] = defaultdict(list)
        for pact_id, option_id, amount in PactCofinancing.objects.filter(pact_id__in=pact_ids).values_list(
            "pact_id", "financer_type_id", "amount"
        ):
            pact_cofinancings[pact_id].append((self.code(option_id), amount))
        actions: dict[int, list[dict]] = defaultdict(list)
        action_rows = (
            PactAction.objects.filter(pact_id__in=pact_ids, status=PactActionStatus.ACTIVE)
            .order_by("reference")
            .values(*ACTION_FIELDS)
        )
        for row in action_rows:
            actions[row["pact_id"]].append(row)
        action_ids = [row["id"] for rows in actions.values() for row in rows]
        action_multi = {
            name: self._m2m(PactAction, name, "pactaction_id", action_ids, "option__code") for name in ACTION_MULTI
        }
        action_cofinancings: dict[int, list] = defaultdict(list)
        for action_id, option_id, amount in PactActionCofinancing.objects.filter(action_id__in=action_ids).values_list(
            "action_id", "financer_type_id", "amount"
        ):
            action_cofinancings[action_id].append((self.code(option_id), amount))
        pact_answers: dict[int, dict] = defaultdict(dict)
        action_answers: dict[int, dict] = defaultdict(dict)
        if self.question_ids:
            answers = SurveyAnswer.objects.filter(
                year=self.year, pact_id__in=pact_ids, question_id__in=self.question_ids
            ).values_list("pact_id", "action_id", "question_id", "value")
            for pact_id, action_id, question_id, value in answers:
                if action_id is None:
                    pact_answers[pact_id][question_id] = value
                else:
                    action_answers[action_id][question_id] = value
        territory_names = {}
        if self.labels:
            territory_names = {
                "communes": self._m2m(Pact, "communes", "pact_id", pact_ids, "commune__name"),
                "epcis": self._m2m(Pact, "epcis", "pact_id", pact_ids, "epci__name"),
            }
        return _Chunk(
            pact_multi,
            pact_cofinancings,
            actions,
            action_multi,
            action_cofinancings,
            pact_answers,
            action_answers,
            territory_names,
        )


def _amount(value) -> str:
    return "" if value is None else f"{value:.2f}"


def _integer(value) -> str:
    return "" if value is None else str(value)


def _date(value) -> str:
    return value.isoformat() if value else ""


def _cofinancing(pairs: list[tuple[str, Decimal]]) -> tuple[str, str]:
    """(distinct type codes with an amount above 0, sorted and `|`-joined; the total amount or empty)."""
    if not pairs:
        return "", ""
    codes = sorted({code for code, amount in pairs if code and amount > 0})
    return "|".join(codes), _amount(sum((amount for _code, amount in pairs), Decimal("0")))


def _empty_row(pact: dict, level: str) -> dict:
    row = dict.fromkeys(FIXED_CODES, "")
    row.update(level=level, pact_reference=pact["reference"], region_code=pact["region__code"], year=str(pact["year"]))
    return row


def export_rows(year: int, queryset=None, *, labels: bool = False, questions=None) -> Iterator[dict]:
    """Rows as dicts of strings (codes, `12345.67` amounts, ISO dates): each pact of `year` in reference order,
    then its active actions in reference order. With `labels`, each coded column (and each survey column) also
    has its labels under `<code>_label` (what `people_columns` reads)."""
    questions = export_questions(year) if questions is None else questions
    reader = _Reader(year, questions, labels)
    pacts = pacts_for_year(year, queryset).order_by("reference").values(*PACT_FIELDS).distinct()
    rows = pacts.iterator(chunk_size=CHUNK)
    while chunk := list(islice(rows, CHUNK)):
        data = reader.chunk([pact["id"] for pact in chunk])
        for pact in chunk:
            yield _pact_row(pact, data, reader)
            for action in data.actions.get(pact["id"], ()):
                yield _action_row(pact, action, data, reader)


def _survey(result: dict, answers: dict, reader: _Reader, scope: str) -> None:
    for question in reader.questions:
        key = SURVEY_PREFIX + question.code
        value = answers.get(question.pk) if question.scope == scope else None
        result[key] = answer_code(value)
        if reader.labels:
            result[key + LABEL] = _answer_label(question, result[key], reader)


def _answer_label(question: SurveyQuestion, code: str, reader: _Reader) -> str:
    if not code:
        return ""
    if question.kind == QuestionKind.YES_NO:
        return YES_NO_LABELS.get(code, code)
    if question.option_list_id and question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.SCALE):
        names = reader.list_labels(question.option_list_id)
        return LABEL_SEPARATOR.join(names.get(part, part) for part in code.split("|"))
    return code


def _pact_row(pact: dict, data: _Chunk, reader: _Reader) -> dict:
    result = _empty_row(pact, LEVEL_PACT)
    cofinancers, cofinancing_amount = _cofinancing(data.pact_cofinancings.get(pact["id"], []))
    result.update(
        title=pact["title"],
        territory_kind=pact["territory_kind"],
        territory_label=pact["territory_label"],
        **{name: "|".join(data.pact_multi[name].get(pact["id"], ())) for name in PACT_MULTI},
        pact_status=pact["status"],
        finalised_on=_date(pact["finalised_on"]),
        project_lead=pact["project_lead"],
        start_date=_date(pact["start_date"]),
        end_date=_date(pact["end_date"]),
        total_budget=_amount(pact["total_budget"]),
        state_amount=_amount(pact["state_amount"]),
        cofinancers=cofinancers,
        cofinancing_amount=cofinancing_amount,
    )
    _survey(result, data.pact_answers.get(pact["id"], {}), reader, QuestionScope.PACT)
    if reader.labels:
        _labels(result, pact, reader)
        result[TERRITORY_NAME] = _territory_name(pact, result, data)
    return result


def _territory_name(pact: dict, result: dict, data: _Chunk) -> str:
    """« Nom du territoire » for people: the name given on the pact (a quartier's), otherwise the names of its
    communes, EPCI, départements or région, as its kind says."""
    if pact["territory_label"]:
        return pact["territory_label"]
    kind = pact["territory_kind"]
    if kind in (PactTerritoryKind.COMMUNES, PactTerritoryKind.EPCIS):
        return LABEL_SEPARATOR.join(data.territory_names[kind].get(pact["id"], ()))
    if kind == PactTerritoryKind.DEPARTEMENT:
        return result["departements" + LABEL]
    if kind == PactTerritoryKind.REGION:
        return pact["region__name"]
    return ""


def _action_row(pact: dict, action: dict, data: _Chunk, reader: _Reader) -> dict:
    result = _empty_row(pact, LEVEL_ACTION)
    cofinancers, cofinancing_amount = _cofinancing(data.action_cofinancings.get(action["id"], []))
    result.update(
        action_reference=action["reference"],
        action_number=str(action["number"]),
        title=action["title"],
        pilot_name=action["pilot_name"],
        targets_specific_public=YES_NO.get(action["targets_specific_public"], ""),
        beneficiaries_target=_integer(action["beneficiaries_target"]),
        beneficiaries_reached=_integer(action["beneficiaries_reached"]),
        deployment_satisfactory=YES_NO.get(action["deployment_satisfactory"], ""),
        total_budget=_amount(action["total_budget"]),
        state_amount=_amount(action["state_amount"]),
        cofinancers=cofinancers,
        cofinancing_amount=cofinancing_amount,
        **{name: reader.code(action[f"{name}_id"]) for name in ACTION_SINGLE},
        **{name: "|".join(data.action_multi[name].get(action["id"], ())) for name in ACTION_MULTI},
    )
    _survey(result, data.action_answers.get(action["id"], {}), reader, QuestionScope.ACTION)
    if reader.labels:
        _labels(result, pact, reader)
        result[TERRITORY_NAME] = ""
    return result


_FINANCERS = "cofinanceurs_pactes_locaux"


def _labels(result: dict, pact: dict, reader: _Reader) -> None:
    """`<code>_label` for every coded column of a row."""
    by_code = reader.code_labels()
    result["region_code" + LABEL] = pact["region__name"]
    result["territory_kind" + LABEL] = (
        PactTerritoryKind(result["territory_kind"]).label if result["territory_kind"] else ""
    )
    result["pact_status" + LABEL] = PactStatus(result["pact_status"]).label if result["pact_status"] else ""
    result["departements" + LABEL] = LABEL_SEPARATOR.join(
        reader.departement_names.get(code, code) for code in result["departements"].split("|") if code
    )
    for name in CODED:
        if name in ("region_code", "territory_kind", "pact_status", "departements"):
            continue
        if name in BOOLEANS:
            result[name + LABEL] = YES_NO_LABELS.get(result[name], "")
            continue
        list_code = _FINANCERS if name == "cofinancers" else _LISTS[name]
        names = by_code[list_code]
        result[name + LABEL] = LABEL_SEPARATOR.join(names.get(code, code) for code in result[name].split("|") if code)


def _option_list_code(model, name: str) -> str:
    return model._meta.get_field(name).help_text.removeprefix("Liste de valeurs : ").rstrip(".")


_LISTS = {
    "priorities": _option_list_code(Pact, "priorities"),
    **{name: _option_list_code(PactAction, name) for name in ACTION_SINGLE + ACTION_MULTI},
}


# --- Writing ------------------------------------------------------------------------------------------------


def csv_lines(rows: Iterable[dict], questions: list[SurveyQuestion]) -> Iterator[str]:
    """The CSV for machines, line by line (`MACHINE_CSV`): the header always, text never a formula."""
    codes = codes_for(questions)
    writer = csv_line_writer(MACHINE_CSV)
    yield writer.writerow(codes)
    for row in rows:
        yield writer.writerow([row[code] if code in NUMBER_COLUMNS else csv_safe(row[code]) for code in codes])


def write_csv(rows: Iterable[dict], questions: list[SurveyQuestion], handle) -> int:
    """Write the CSV for machines; returns the number of data rows."""
    lines = 0
    for line in csv_lines(rows, questions):
        handle.write(line)
        lines += 1
    return lines - 1


def people_columns(questions: list[SurveyQuestion]) -> list[tuple[str, Column]]:
    """(key of a labelled row, column): the labels (coded columns and option answers by their labels), then the
    codes of those columns in the same order."""
    kinds = {code: kind for code, _label, kind in FIXED}
    labels = {code: label for code, label, _kind in FIXED}
    columns = []
    for code in FIXED_CODES:
        column = Column(labels[code], kind=kinds[code], width=_WIDTHS.get(code), number_format=PEOPLE_FORMATS.get(code))
        columns.append((code + LABEL if code in CODED or code == "territory_label" else code, column))
    for question in questions:
        key = SURVEY_PREFIX + question.code
        kind = INTEGER if question.kind == QuestionKind.NUMBER else DATE if question.kind == QuestionKind.DATE else TEXT
        columns.append((key + LABEL, Column(question.label, kind=kind, width=40)))
    for code in CODED:
        columns.append((code, Column(f"{labels[code]} ({'codes' if code in MULTI else 'code'})")))
    for question in questions:
        if question.option_list_id or question.kind == QuestionKind.YES_NO:
            key = SURVEY_PREFIX + question.code
            suffix = "codes" if question.kind == QuestionKind.MULTIPLE else "code"
            columns.append((key, Column(f"{question.label} ({suffix})", width=20)))
    return columns


def people_values(row: dict, columns: list[tuple[str, Column]]) -> list:
    """A labelled row as typed values: amounts Decimal, integers int, dates date (text left as it is when
    a survey answer does not parse)."""
    values = []
    for key, column in columns:
        value = row[key]
        try:
            if value == "" or column.kind == TEXT:
                values.append(value)
            elif column.kind == AMOUNT:
                values.append(Decimal(value))
            elif column.kind == INTEGER:
                values.append(int(value))
            else:
                values.append(date.fromisoformat(value))
        except (ValueError, ArithmeticError):
            values.append(value)
    return values


def people_csv_lines(rows: Iterable[dict], questions: list[SurveyQuestion]) -> Iterator[str]:
    """The CSV for people (`PEOPLE_CSV`: BOM, `;`, `1234,56`, `31/12/2024`) of labelled rows."""
    columns = people_columns(questions)
    return csv_stream([column.label for _key, column in columns], (people_values(row, columns) for row in rows))


def write_xlsx(rows: Iterable[dict], questions: list[SurveyQuestion], target) -> int:
    """XLSX for people: one sheet « Pactes locaux », labels then codes, streamed."""
    columns = people_columns(questions)
    sheet = ("Pactes locaux", [column for _key, column in columns], (people_values(row, columns) for row in rows))
    return xlsx_people_write(target, sheet)[0]

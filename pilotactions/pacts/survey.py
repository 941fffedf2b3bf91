"""The commissioners' yearly survey on the local pacts: its questions as data, the answering rules.

The questions live in data/survey_questions.yaml (format: docs/pacts.md, « Enquête auprès des
commissaires ») and are upserted by `survey_questions_load()`; a question is retired by its `last_year`,
so that next year's survey adds or retires questions without a migration.

An answer is one SurveyAnswer row per (year, question, pact or action) holding a JSON value: an option
code (single, scale), a list of codes (multiple), "OUI"/"NON" (yes_no), an integer (number), an ISO
date (date) or a text. A question held by the pact or action form (`form_field`) is never stored here:
its answer is read from the pact or action (`form_value`) and shown pre-filled.

Every question asked is required at the submission of the région's survey (`survey_problems`),
except free texts.
"""

import datetime
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse

from pilotactions.accounts.perms import require
from pilotactions.contracts.services import ConcurrentEditError
from pilotactions.core.audit import audit_event_record
from pilotactions.nomenclatures.models import Option, OptionList

from .enums import PactActionStatus, PactStatus, QuestionKind, QuestionScope
from .guards import survey_lock_reason
from .models import Pact, PactAction, PactActionCofinancing, PactCofinancing, SurveyAnswer, SurveyQuestion
from .perms import can_edit_pact

DATA_FILE = Path(__file__).resolve().parent / "data" / "survey_questions.yaml"
CHOICE_KINDS = {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.SCALE}
YES_NO = {"OUI": "Oui", "NON": "Non"}
TEXT_MAX_LENGTH = 5000
SCOPE_MODEL = {QuestionScope.PACT: Pact, QuestionScope.ACTION: PactAction}


class SurveyConflict(ConcurrentEditError):
    """Someone saved answers of this pact or action since the form was shown.

    `changes` lists, per question changed meanwhile, {"code", "label", "new"} (the answer now saved).
    """


# --- Loading the questions -----------------------------------------------------------------------


def _question_fields(spec: dict, lists: dict[str, OptionList]) -> dict:
    code = spec.get("code", "")
    where = f"Question « {code or '?'} »"
    try:
        kind = QuestionKind(spec["kind"])
        scope = QuestionScope(spec["scope"])
        label = spec["label"]
    except (KeyError, ValueError) as error:
        raise ValueError(f"{where} : code, label, kind ou scope absent ou inconnu ({error}).") from error
    list_code = spec.get("list") or ""
    if kind in CHOICE_KINDS and not list_code:
        raise ValueError(f"{where} : une question à choix doit nommer sa liste de valeurs (list).")
    if list_code and list_code not in lists:
        raise ValueError(f"{where} : la liste de valeurs « {list_code} » n’existe pas (chargez les nomenclatures).")
    form_field = spec.get("form_field") or ""
    if form_field:
        try:
            SCOPE_MODEL[scope]._meta.get_field(form_field)
        except Exception as error:
            raise ValueError(f"{where} : le champ « {form_field} » n’existe pas sur la fiche.") from error
    condition = spec.get("condition") or {}
    if condition and (not ({"question", "field"} & set(condition)) or not isinstance(condition.get("in"), list)):
        raise ValueError(f"{where} : la condition s’écrit {{question: code, in: [codes]}} ou {{field: …, in: […]}}.")
    return {
        "label": label,
        "help_text": spec.get("help_text", "") or "",
        "kind": kind.value,
        "scope": scope.value,
        "option_list": lists.get(list_code),
        "exclusive_option": spec.get("exclusive", "") or "",
        "required": bool(spec.get("required", kind != QuestionKind.TEXT)),
        "condition": condition,
        "form_field": form_field,
        "position": spec.get("position", 0),
        "first_year": spec.get("first_year", 2024),
        "last_year": spec.get("last_year"),
    }


@transaction.atomic
def survey_questions_load(*, data_file: Path = DATA_FILE) -> dict[str, int]:
    """Create or update the questions from the data file, by code (the file is the reference).

    Running it twice changes nothing. A question absent from the file is left as it is (its answers
    stay readable); to stop asking it, give it a `last_year` in the file.
    """
    document = yaml.safe_load(data_file.read_text(encoding="utf-8"))
    specs = document["questions"]
    lists = {ol.code: ol for ol in OptionList.objects.filter(code__in={s.get("list") for s in specs if s.get("list")})}
    positions = {}
    for spec in specs:
        positions[(spec.get("scope"), spec.get("code"))] = spec.get("position", 0)
    counts = {"créées": 0, "mises à jour": 0, "inchangées": 0}
    existing = {q.code: q for q in SurveyQuestion.objects.all()}
    for spec in specs:
        fields = _question_fields(spec, lists)
        parent = fields["condition"].get("question")
        if parent is not None:
            parent_position = positions.get((fields["scope"], parent))
            if parent_position is None or parent_position >= fields["position"]:
                raise ValueError(
                    f"Question « {spec['code']} » : sa condition porte sur « {parent} », qui doit être une question "
                    "de même portée placée avant elle."
                )
        question = existing.get(spec["code"])
        if question is None:
            SurveyQuestion.objects.create(code=spec["code"], **fields)
            counts["créées"] += 1
            continue
        changed = [name for name, value in fields.items() if getattr(question, name) != value]
        if changed:
            for name in changed:
                setattr(question, name, fields[name])
            question.save()
            counts["mises à jour"] += 1
        else:
            counts["inchangées"] += 1
    return counts


# --- Which questions, asked when -----------------------------------------------------------------


def questions_for(year: int, scope: str) -> list[SurveyQuestion]:
    """The questions of the survey of `year` for a pact or an action, in their page order."""
    return list(
        SurveyQuestion.objects.filter(scope=scope, first_year__lte=year)
        .filter(Q(last_year__isnull=True) | Q(last_year__gte=year))
        .select_related("option_list")
        .order_by("position", "code")
    )


def field_key(name: str) -> str:
    """The key under which a pact's or action's own field (e.g. its status) sits among the answers."""
    return f"field:{name}"


def is_asked(question: SurveyQuestion, answers: dict) -> bool:
    """Whether the question is asked, given the other answers of the same pact or action (by code;
    the object's own fields under `field_key(name)`)."""
    condition = question.condition or {}
    if not condition:
        return True
    key = condition["question"] if "question" in condition else field_key(condition["field"])
    value = answers.get(key)
    if value is None:
        return False
    values = value if isinstance(value, list) else [value]
    return any(str(v) in [str(c) for c in condition["in"]] for v in values)


def is_required(question: SurveyQuestion) -> bool:
    return question.required


def is_blank(value) -> bool:
    return value is None or value == "" or value == []


# --- Values ------------------------------------------------------------------------------------


def form_value(question: SurveyQuestion, obj):
    """The answer the pact or action form already holds, as the survey stores answers."""
    field = obj._meta.get_field(question.form_field)
    if field.many_to_many:
        # Sorted here rather than by the database, so that a prefetched list is read without a query.
        return codes_answer((o.order, o.code) for o in getattr(obj, question.form_field).all())
    value = getattr(obj, question.form_field)
    return stored_form(value.code if isinstance(field, models.ForeignKey) and value is not None else value)


def codes_answer(options) -> list[str] | None:
    """A multiple choice held by the form: its codes in the list's order, from (order, code) pairs."""
    return [code for _order, code in sorted(options)] or None


def stored_form(value):
    """A form field's value (an option's code for an option) as the survey stores answers."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "OUI" if value else "NON"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return value or None
    return int(value) if float(value).is_integer() else float(value)


def _target(pact, action):
    return action if action is not None else pact


def stored_answers(pact, action, year: int) -> dict[str, SurveyAnswer]:
    answers = SurveyAnswer.objects.filter(year=year, pact=pact, action=action).select_related("question")
    return {a.question.code: a for a in answers}


PRELOADED = "_survey_answers_preloaded"  # (year, {question code: answer}) kept on a pact or an action
# The option fields of an action the survey reads from its form: loaded with the actions, not one by one.
ACTION_OPTION_FKS = [
    f.name for f in PactAction._meta.get_fields() if isinstance(f, models.ForeignKey) and f.related_model is Option
]
ACTION_OPTION_M2M = [f.name for f in PactAction._meta.many_to_many if f.related_model is Option]


def actions_prefetch(actions) -> models.Prefetch:
    """A pact's actions with every option field the survey reads (for a région's pages, problems, snapshot)."""
    return models.Prefetch(
        "actions", queryset=actions.select_related(*ACTION_OPTION_FKS).prefetch_related(*ACTION_OPTION_M2M)
    )


def preload_answers(pacts: list, year: int) -> list:
    """The stored answers of these pacts and of their (prefetched) actions in one query, kept on each object
    for `current_values`, which would otherwise read them one pact or action at a time."""
    by_target: dict[tuple, dict] = {(pact.pk, None): {} for pact in pacts}
    for pact in pacts:
        by_target.update({(pact.pk, action.pk): {} for action in pact.actions.all()})
    answers = SurveyAnswer.objects.filter(year=year, pact__in=pacts).select_related("question")
    for answer in answers:
        by_target.setdefault((answer.pact_id, answer.action_id), {})[answer.question.code] = answer
    for pact in pacts:
        setattr(pact, PRELOADED, (year, by_target[pact.pk, None]))
        for action in pact.actions.all():
            setattr(action, PRELOADED, (year, by_target[pact.pk, action.pk]))
    return pacts


def current_values(pact, action, year: int, questions=None) -> dict:
    """Every answer of a pact (action None) or an action: stored ones and the form-held ones, by code,
    plus the object's status under `field_key("status")` for the conditions."""
    obj = _target(pact, action)
    scope = QuestionScope.ACTION if action is not None else QuestionScope.PACT
    questions = questions if questions is not None else questions_for(year, scope)
    preloaded = getattr(obj, PRELOADED, None)
    stored = preloaded[1] if preloaded and preloaded[0] == year else stored_answers(pact, action, year)
    values = {field_key("status"): obj.status}
    for question in questions:
        if question.form_field:
            values[question.code] = form_value(question, obj)
        elif question.code in stored:
            values[question.code] = stored[question.code].value
    return values


def asked_values(questions, values: dict) -> list[tuple[SurveyQuestion, object]]:
    """The questions asked given the answers, each with its answer (None when unanswered)."""
    return [(q, values.get(q.code)) for q in questions if is_asked(q, values)]


def option_labels(question: SurveyQuestion) -> dict[str, str]:
    if question.kind == QuestionKind.YES_NO:
        return dict(YES_NO)
    if question.option_list_id is None:
        return {}
    return dict(Option.objects.filter(option_list_id=question.option_list_id).values_list("code", "label"))


def value_display(question: SurveyQuestion, value, labels: dict | None = None) -> str:
    """An answer as a French text: option labels, a date as JJ/MM/AAAA, numbers with spaces."""
    if is_blank(value):
        return ""
    labels = labels if labels is not None else option_labels(question)
    if isinstance(value, list):
        return " ; ".join(labels.get(str(v), str(v)) for v in value)
    if question.kind == QuestionKind.DATE:
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except (TypeError, ValueError):
            return str(value)
    if question.kind == QuestionKind.NUMBER and isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    return labels.get(str(value), str(value))


# --- Validation --------------------------------------------------------------------------------


def _refuse(question, message):
    raise ValidationError({question.code: [f"Question « {question.label} » : {message}"]})


def answer_validate(question: SurveyQuestion, raw, *, current=None):
    """The value to store for a raw answer, or a French ValidationError naming the question.

    A blank answer is None. An option retired from its list is accepted only if it is already the answer.
    """
    if isinstance(raw, str):
        raw = raw.strip()
    if is_blank(raw):
        return None
    kind = question.kind
    if kind in (QuestionKind.SINGLE, QuestionKind.SCALE, QuestionKind.MULTIPLE):
        options = Option.objects.filter(option_list_id=question.option_list_id)
        held = set(current if isinstance(current, list) else [current] if current else [])
        allowed = {
            code: (order, label)
            for code, order, label, active in options.values_list("code", "order", "label", "is_active")
            if active or code in held
        }
        codes = raw if isinstance(raw, list | tuple) else [raw]
        if kind != QuestionKind.MULTIPLE and len(codes) > 1:
            _refuse(question, "une seule réponse est possible.")
        unknown = [str(c) for c in codes if str(c) not in allowed]
        if unknown:
            _refuse(question, f"« {unknown[0]} » ne fait pas partie des réponses possibles.")
        if kind != QuestionKind.MULTIPLE:
            return str(codes[0])
        codes = sorted({str(c) for c in codes}, key=lambda c: (allowed[c][0], c))
        exclusive = question.exclusive_option
        if exclusive and exclusive in codes and len(codes) > 1:
            _refuse(question, f"« {allowed[exclusive][1]} » ne peut pas être cochée avec une autre réponse.")
        return codes
    if kind == QuestionKind.YES_NO:
        mapping = {"oui": "OUI", "non": "NON", "true": "OUI", "false": "NON"}
        if isinstance(raw, bool):
            return "OUI" if raw else "NON"
        value = mapping.get(str(raw).strip().lower())
        if value is None:
            _refuse(question, f"répondez « Oui » ou « Non » (reçu « {raw} »).")
        return value
    if kind == QuestionKind.NUMBER:
        text = str(raw).replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        if isinstance(raw, bool) or not (text.isdigit() or (text.startswith("-") and text[1:].isdigit())):
            _refuse(question, f"« {raw} » n’est pas un nombre entier.")
        value = int(text)
        if value < 0:
            _refuse(question, "le nombre doit être positif ou nul.")
        return value
    if kind == QuestionKind.DATE:
        if isinstance(raw, datetime.date):
            return raw.isoformat()
        text = str(raw)
        for parse in (datetime.date.fromisoformat, lambda t: datetime.datetime.strptime(t, "%d/%m/%Y").date()):
            try:
                return parse(text).isoformat()
            except ValueError:
                continue
        _refuse(question, f"« {raw} » n’est pas une date valide (JJ/MM/AAAA).")
    if kind == QuestionKind.TEXT:
        text = str(raw)
        if len(text) > TEXT_MAX_LENGTH:
            _refuse(question, f"le texte dépasse {TEXT_MAX_LENGTH} caractères ({len(text)}).")
        return text
    _refuse(question, f"nature de question inconnue « {kind} ».")


# --- Concurrency ---------------------------------------------------------------------------------


def _fingerprint(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:8]


def _stored_fingerprints(stored: dict[str, SurveyAnswer]) -> dict[str, str]:
    return {code: _fingerprint(a.value) for code, a in stored.items() if not is_blank(a.value)}


def answers_token(pact, action=None, *, year: int) -> str:
    """A fingerprint of the stored answers of a pact or action, per question, so that a save over
    someone else's is refused with the questions that moved (optimistic lock)."""
    prints = _stored_fingerprints(stored_answers(pact, action, year))
    return "v1;" + ";".join(f"{code}={h}" for code, h in sorted(prints.items()))


def _token_prints(token: str) -> dict[str, str] | None:
    if not isinstance(token, str) or not token.startswith("v1;"):
        return None
    entries = [e for e in token[3:].split(";") if e]
    try:
        return dict(e.split("=", 1) for e in entries)
    except ValueError:
        return None


# --- Saving --------------------------------------------------------------------------------------


@transaction.atomic
def answers_save(*, role, pact, action=None, year: int, values: dict, token: str) -> dict[str, int]:
    """Save the survey answers of a pact (action None) or one of its actions for the survey `year`.

    `values` maps question codes to raw answers (questions absent keep their answer); form-held
    questions are not answered here. The answers of questions no longer asked (their condition not
    met) are cleared. Returns {"enregistrées": n, "effacées": n}.
    """
    pact = Pact.objects.select_for_update().get(pk=pact.pk)  # two saves of the same pact take turns
    require(can_edit_pact(role, pact))
    reason = survey_lock_reason(role, pact.region, year)
    if reason:
        raise PermissionDenied(reason)
    if action is not None and action.pact_id != pact.pk:
        raise PermissionDenied("Cette action n’appartient pas à ce pacte local.")
    if action is not None and action.status != PactActionStatus.ACTIVE:
        raise PermissionDenied("Cette action a été retirée : l’enquête ne la concerne plus.")
    if pact.status == PactStatus.ABANDONED:
        raise PermissionDenied("Ce pacte local a été abandonné : l’enquête ne le concerne plus.")
    scope = QuestionScope.ACTION if action is not None else QuestionScope.PACT
    questions = questions_for(year, scope)
    stored = stored_answers(pact, action, year)

    sent = _token_prints(token)
    now = _stored_fingerprints(stored)
    if sent != now:
        sent = sent or {}
        by_code = {q.code: q for q in questions}
        changes = []
        for code in sorted(set(sent) | set(now), key=lambda c: (getattr(by_code.get(c), "position", 0), c)):
            if sent.get(code) == now.get(code):
                continue
            question = by_code.get(code) or SurveyQuestion.objects.filter(code=code).first()
            value = stored[code].value if code in stored else None
            display = value_display(question, value) if question is not None else ""
            label = question.label if question is not None else code
            changes.append({"code": code, "label": label, "new": display or "(sans réponse)"})
        raise SurveyConflict(changes)

    errors = {}
    merged = current_values(pact, action, year, questions)
    for question in questions:
        if question.form_field or question.code not in values:
            continue
        current = stored[question.code].value if question.code in stored else None
        try:
            merged[question.code] = answer_validate(question, values[question.code], current=current)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)

    counts = {"enregistrées": 0, "effacées": 0}
    for question in questions:  # in page order: a condition's question comes first
        if question.form_field:
            continue
        if not is_asked(question, merged):
            merged[question.code] = None
        value = merged.get(question.code)
        answer = stored.get(question.code)
        if is_blank(value):
            if answer is not None:
                answer._history_user = role.user
                answer.delete()
                counts["effacées"] += 1
            continue
        if answer is None:
            answer = SurveyAnswer(year=year, question=question, pact=pact, action=action)
        elif answer.value == value:
            continue
        answer.value = value
        answer.answered_by = role.user
        answer._history_user = role.user
        answer.save()
        counts["enregistrées"] += 1
    if counts["enregistrées"] or counts["effacées"]:
        target = _target(pact, action)
        audit_event_record(
            actor=role,
            verb="survey_answers_saved",
            target=target,
            message=f"Enquête {year} : réponses de {target.reference} enregistrées.",
            data={"year": year, **{k.replace(" ", "_"): v for k, v in counts.items()}},
        )
    return counts


# --- Reads for the campaign: completeness and snapshot -----------------------------------------


def surveyed_pacts(year: int):
    """The pacts a survey of `year` asks about: the year's pacts, except the abandoned ones."""
    return Pact.objects.filter(year=year).exclude(status=PactStatus.ABANDONED)


def _survey_pacts(region, year: int) -> list:
    pacts = (
        surveyed_pacts(year)
        .filter(region=region)
        .order_by("reference")
        .prefetch_related(actions_prefetch(PactAction.objects.active().order_by("number")))
    )
    return preload_answers(list(pacts), year)


@dataclass(frozen=True)
class SurveyProblem:
    """A required answer missing: the French line, and the page where it is given (the pact's or action's
    survey page, or its edit page when the answer is a field of the pact or action)."""

    message: str
    url: str


def survey_problems(region, year: int) -> list[SurveyProblem]:
    """One problem per required answer missing from the région's survey of `year` (asked questions only,
    pacts not abandoned, active actions); form-held ones say where to enter them and link to that form."""
    pact_questions = questions_for(year, QuestionScope.PACT)
    action_questions = questions_for(year, QuestionScope.ACTION)
    problems = []

    def missing(prefix, questions, values, survey_url, edit_url):
        for question, value in asked_values(questions, values):
            if is_required(question) and is_blank(value):
                where = " (à saisir dans la fiche)" if question.form_field else ""
                problems.append(
                    SurveyProblem(
                        f"{prefix} : question « {question.label} » sans réponse{where}",
                        edit_url if question.form_field else survey_url,
                    )
                )

    for pact in _survey_pacts(region, year):
        missing(
            f"Pacte {pact.reference}",
            pact_questions,
            current_values(pact, None, year, pact_questions),
            reverse("pacts:survey_pact", kwargs={"year": year, "reference": pact.reference}),
            reverse("pacts:update", args=[pact.reference]),
        )
        for action in pact.actions.all():
            missing(
                f"Pacte {pact.reference}, action {action.reference}",
                action_questions,
                current_values(pact, action, year, action_questions),
                reverse("pacts:survey_action", kwargs={"year": year, "reference": action.reference}),
                reverse("pacts:action_update", args=[action.reference]),
            )
    return problems


def _amount(value) -> str | None:
    return None if value is None else str(value)


def _m2m_codes(model, name: str, owners) -> dict[int, list]:
    """{owner id: [codes…]} of a many-to-many field, in one query; for options, (order, code) pairs."""
    field = model._meta.get_field(name)
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    option = field.related_model is Option
    columns = [f"{target}__order", f"{target}__code"] if option else [f"{target}__code"]
    rows = field.remote_field.through.objects.filter(**{f"{source}__in": owners}).values_list(f"{source}_id", *columns)
    found = defaultdict(list)
    for owner, *value in rows:
        found[owner].append(tuple(value) if option else value[0])
    return found


def _cofinancings(model, owner: str, owners) -> dict[int, list]:
    rows = model.objects.filter(**{f"{owner}__in": owners}).order_by(owner, "id")
    found = defaultdict(list)
    for owner_id, financer_type, amount in rows.values_list(f"{owner}_id", "financer_type__code", "amount"):
        found[owner_id].append({"financer_type": financer_type, "amount": _amount(amount)})
    return found


def _form_reader(model, questions):
    """How to read the form-held answers of rows read with values(): the columns to read, the many-to-many
    fields (read apart, `_m2m_codes`), and a function giving a row's {question code: answer}."""
    columns, m2m = {}, []
    for question in questions:
        if question.form_field:
            field = model._meta.get_field(question.form_field)
            if field.many_to_many:
                m2m.append(field.name)
            else:
                columns[question.code] = f"{field.name}__code" if isinstance(field, models.ForeignKey) else field.name

    def read(row: dict, codes: dict) -> dict:
        values = {code: stored_form(row[column]) for code, column in columns.items()}
        for question in questions:
            if question.form_field in m2m:
                values[question.code] = codes_answer(codes[question.form_field].get(row["id"], []))
        return values

    return list(columns.values()), m2m, read


def _record_answers(questions, status, form_values: dict, stored: dict) -> dict:
    """The answers of the asked questions (as `current_values` then `asked_values` give them)."""
    values = {field_key("status"): status, **{q.code: stored[q.code] for q in questions if q.code in stored}}
    values.update(form_values)
    return {q.code: values.get(q.code) for q, _ in asked_values(questions, values)}


def survey_records(pacts, year: int) -> list[dict]:
    """The survey of `year` for these pacts (a queryset, abandoned pacts already left out) as JSON-serialisable
    records — each pact with its answers, amounts, co-financings and territory, and its active actions likewise —
    in a fixed number of queries whatever the number of pacts: what a survey dossier's snapshot keeps and what
    chapter III of the bilan reads live. Pacts in (région, reference) order, actions by number."""
    pact_questions = questions_for(year, QuestionScope.PACT)
    action_questions = questions_for(year, QuestionScope.ACTION)
    pact_columns, pact_m2m, pact_form = _form_reader(Pact, pact_questions)
    action_columns, action_m2m, action_form = _form_reader(PactAction, action_questions)
    pacts = pacts.order_by()
    actions = PactAction.objects.active().filter(pact__in=pacts)
    stored = defaultdict(dict)
    for pact_id, action_id, code, value in SurveyAnswer.objects.filter(year=year, pact__in=pacts).values_list(
        "pact_id", "action_id", "question__code", "value"
    ):
        stored[pact_id, action_id][code] = value
    pact_codes = {name: _m2m_codes(Pact, name, pacts) for name in pact_m2m}
    action_codes = {name: _m2m_codes(PactAction, name, actions) for name in action_m2m}
    departements = _m2m_codes(Pact, "departements", pacts)
    partners = _m2m_codes(Pact, "partner_authorities", pacts)
    pact_cofinancings = _cofinancings(PactCofinancing, "pact", pacts)
    action_cofinancings = _cofinancings(PactActionCofinancing, "action", actions)
    by_pact = defaultdict(list)
    action_rows = actions.order_by("pact_id", "number").values(
        "id", "pact_id", "reference", "number", "title", "status", "total_budget", "state_amount",
        "budget_bracket__code", *action_columns,
    )  # fmt: skip
    for row in action_rows:
        by_pact[row["pact_id"]].append(
            {
                "reference": row["reference"],
                "number": row["number"],
                "title": row["title"],
                "status": row["status"],
                "total_budget": _amount(row["total_budget"]),
                "state_amount": _amount(row["state_amount"]),
                "budget_bracket": row["budget_bracket__code"],
                "cofinancings": action_cofinancings.get(row["id"], []),
                "answers": _record_answers(
                    action_questions, row["status"], action_form(row, action_codes), stored[row["pact_id"], row["id"]]
                ),
            }
        )
    pact_rows = pacts.order_by("region__code", "reference").values(
        "id", "reference", "title", "status", "region__code", "total_budget", "state_amount", *pact_columns
    )
    return [
        {
            "reference": row["reference"],
            "title": row["title"],
            "status": row["status"],
            "region": row["region__code"],
            "departements": sorted(departements.get(row["id"], [])),
            "partner_authorities": sorted(partners.get(row["id"], [])),
            "total_budget": _amount(row["total_budget"]),
            "state_amount": _amount(row["state_amount"]),
            "cofinancings": pact_cofinancings.get(row["id"], []),
            "answers": _record_answers(
                pact_questions, row["status"], pact_form(row, pact_codes), stored[row["id"], None]
            ),
            "actions": by_pact[row["id"]],
        }
        for row in pact_rows
    ]


def survey_snapshot_data(region, year: int) -> dict:
    """The région's survey answers of `year`, JSON-serialisable, form-held answers included, with the amounts,
    co-financings and territory of each pact and action (what chapter III of the bilan reads besides answers)."""
    return {
        "year": year,
        "region": region.code,
        "questions": [
            {"code": q.code, "label": q.label, "kind": q.kind, "scope": q.scope}
            for scope in (QuestionScope.PACT, QuestionScope.ACTION)
            for q in questions_for(year, scope)
        ],
        "pacts": survey_records(surveyed_pacts(year).filter(region=region), year),
    }


def progress(questions, values) -> tuple[int, int]:
    """(answered, asked) for a pact's or action's answers."""
    asked = asked_values(questions, values)
    return sum(1 for _, v in asked if not is_blank(v)), len(asked)

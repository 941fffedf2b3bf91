"""The survey form of a pact or an action, built from its question list (pacts.survey).

Form-held questions are not fields: the page shows them read-only. Nothing is required here (a draft
may be saved at any time; completeness is checked when the région's survey is submitted). A
conditional question carries a hint naming its condition; the service clears its answer when the
condition is not met, whatever was sent.
"""

from django import forms

from pilotactions.contracts.forms import DateInput
from pilotactions.nomenclatures.models import Option

from . import survey
from .enums import QuestionKind

BLANK_LABEL = "Sans réponse"
RADIO_MAX = 6  # single choices longer than this are a select
PICKER_THRESHOLD = 12  # checkbox lists longer than this get the filter of core/option-picker.js
TEXT_MAX = f"{survey.TEXT_MAX_LENGTH:,}".replace(",", "\u202f")  # « 5 000 », in a message


def condition_hint(question, by_code: dict) -> str:
    condition = question.condition or {}
    parent = by_code.get(condition.get("question"))
    if parent is None:
        return ""
    if list(condition["in"]) == ["OUI"]:
        return f"Si oui à la question « {parent.label} »."
    labels = survey.option_labels(parent)
    wanted = " » ou « ".join(labels.get(c, c) for c in condition["in"])
    return f"Si « {wanted} » à la question « {parent.label} »."


def exclusive_hint(question, field) -> str:
    labels = dict(getattr(field, "choices", []))
    if question.kind != QuestionKind.MULTIPLE or question.exclusive_option not in labels:
        return ""
    return f"« {labels[question.exclusive_option]} » se coche seule."


def _choices(question, current):
    if question.kind == QuestionKind.YES_NO:
        return list(survey.YES_NO.items())
    held = set(current if isinstance(current, list) else [current] if current else [])
    options = Option.objects.filter(option_list_id=question.option_list_id).order_by("order", "code")
    return [(o.code, o.label) for o in options if o.is_active or o.code in held]


class SurveyForm(forms.Form):
    """One field per question asked here (form-held ones excepted), named by the question's code."""

    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, questions, values: dict, token: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = [q for q in questions if not q.form_field]
        self.initial["token"] = token
        by_code = {q.code: q for q in questions}
        self.searchable = set()
        self.conditional = {}
        for question in self.questions:
            current = values.get(question.code)
            field = self._field(question, current)
            hint = condition_hint(question, by_code)
            if hint:
                self.conditional[question.code] = hint
            exclusive = exclusive_hint(question, field)
            # In the legend or the label: read out with the question.
            field.help_text = " ".join(t for t in (hint, question.help_text, exclusive) if t)
            self.fields[question.code] = field
            self.initial[question.code] = self._initial(question, current)

    def _field(self, question, current):
        label = question.label
        common = {"label": label, "required": False, "help_text": question.help_text}
        # Every message names its question once (the page's list of errors shows the message alone).
        invalid_choice = f"Question « {label} » : « %(value)s » ne fait pas partie des réponses possibles."
        kind = question.kind
        if kind == QuestionKind.MULTIPLE:
            choices = _choices(question, current)
            if len(choices) > PICKER_THRESHOLD:
                self.searchable.add(question.code)
            # The exclusive option is unticked by the others (and unticks them) in the browser: pacts/survey-exclusive.js.
            attrs = {"data-pa-exclusive": question.exclusive_option} if question.exclusive_option else {}
            return forms.MultipleChoiceField(
                choices=choices,
                widget=forms.CheckboxSelectMultiple(attrs=attrs),
                error_messages={
                    "invalid_choice": invalid_choice,
                    "invalid_list": f"Question « {label} » : cochez une ou plusieurs réponses de la liste.",
                },
                **common,
            )
        if kind in (QuestionKind.SINGLE, QuestionKind.SCALE, QuestionKind.YES_NO):
            choices = _choices(question, current)
            widget = forms.RadioSelect if len(choices) <= RADIO_MAX else forms.Select
            return forms.ChoiceField(
                choices=[*choices, ("", BLANK_LABEL)] if widget is forms.RadioSelect else [("", BLANK_LABEL), *choices],
                widget=widget,
                error_messages={"invalid_choice": invalid_choice},
                **common,
            )
        if kind == QuestionKind.NUMBER:
            message = f"Question « {label} » : saisissez un nombre entier positif ou nul."
            return forms.IntegerField(
                min_value=0,
                error_messages={"invalid": message, "min_value": message},
                widget=forms.NumberInput(attrs={"min": 0, "step": 1}),
                **common,
            )
        if kind == QuestionKind.DATE:
            return forms.DateField(
                widget=DateInput(),
                error_messages={"invalid": f"Question « {label} » : saisissez une date valide (JJ/MM/AAAA)."},
                **common,
            )
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4}),
            max_length=survey.TEXT_MAX_LENGTH,
            strip=True,
            error_messages={
                "max_length": f"Question « {label} » : {TEXT_MAX} caractères au plus (%(show_value)d saisis)."
            },
            **common,
        )

    @staticmethod
    def _initial(question, current):
        if current is None:
            return [] if question.kind == QuestionKind.MULTIPLE else ""
        return current

    def values(self) -> dict:
        """The cleaned answers as the service takes them (every question of the form, blank ones as None)."""
        values = {}
        for question in self.questions:
            value = self.cleaned_data.get(question.code)
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            values[question.code] = None if survey.is_blank(value) else value
        return values

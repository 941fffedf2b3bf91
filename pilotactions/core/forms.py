"""What every app's views share about forms."""

from datetime import UTC, datetime

from django import forms
from django.core.exceptions import ValidationError


def in_utc(value: datetime) -> datetime:
    """An aware date and time in UTC. PostgreSQL refuses an offset beyond ±15:59, which ISO 8601 allows up to ±23:59;
    raises OverflowError before 0001-01-01 in UTC."""
    return value.astimezone(UTC)


class DateTimeField(forms.DateTimeField):
    """Django's field, whose value is stored whatever offset was typed (see in_utc)."""

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return in_utc(value) if value else value
        except OverflowError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


def form_add_service_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form: each message next to its field when the form has it,
    at the top otherwise (a ValidationError without fields included), so that nothing typed is lost."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def valid_filters(form) -> dict:
    """The values of a filter form's valid fields: one refused filter (its error shown on the page) does not drop
    the others, and an unbound form filters nothing."""
    form.is_valid()
    return getattr(form, "cleaned_data", {})


class CachedModelChoiceField(forms.ModelChoiceField):
    """Django's field, which can be given its choices already read (`cached_choices`: str(pk) → object): a form
    validated once per row of an import would otherwise read the same list again for every row."""

    cached_choices: dict | None = None

    def to_python(self, value):
        if self.cached_choices is None or value in self.empty_values:
            return super().to_python(value)
        try:
            return self.cached_choices[str(getattr(value, "pk", value))]
        except KeyError:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class CachedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, with `cached_choices` as CachedModelChoiceField; the clean value is then a list."""

    cached_choices: dict | None = None

    def _check_values(self, value):
        if self.cached_choices is None:
            return super()._check_values(value)
        chosen = {}
        for pk in value:
            key = str(getattr(pk, "pk", pk))
            if key not in self.cached_choices:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
            chosen[key] = self.cached_choices[key]
        return list(chosen.values())

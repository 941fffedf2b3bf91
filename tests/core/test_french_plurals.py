"""One French plural path: templates count with the `counted` filter (0 and 1 take the singular), never Django's
`pluralize` (which writes « 0 actions »); indicator targets are shown as quantities, not raw decimals."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template

from pilotactions.campaigns.forms import ExecutionForm
from pilotactions.contracts.models import Indicator
from tests.factories import make_action, make_contract

TEMPLATES = Path(settings.BASE_DIR) / "pilotactions" / "templates"


def test_no_template_uses_djangos_english_plural():
    offenders = [
        str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*") if p.is_file() and "pluralize" in p.read_text()
    ]
    assert offenders == []


def test_counted_reads_french():
    template = Template('{% load pilotactions %}{{ n|counted:"actions" }} · {{ n|counted:"jours" }}')
    assert template.render(Context({"n": 0})) == "0 action · 0 jour"
    assert template.render(Context({"n": 2})) == "2 actions · 2 jours"


@pytest.mark.django_db
def test_an_indicator_target_reads_as_a_french_quantity():
    action = make_action(make_contract("59"))
    indicator = Indicator.objects.create(action=action, label="Familles accompagnées", target=Decimal("5900.00"))
    form = ExecutionForm(contract=action.contract, indicators=[indicator])
    assert form.fields[f"indicator_{indicator.pk}"].help_text == "Cible : 5\u202f900"

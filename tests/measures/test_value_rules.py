"""An objective's value is checked against what it measures, and is entered once constated (issue 18)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.measures import services
from pilotactions.measures.models import Objective, ObjectiveValue
from tests.factories import login, make_role

pytestmark = pytest.mark.django_db


def test_a_negative_value_is_refused_in_french_next_to_its_field(client, measures):
    objective = Objective.objects.filter(unit="personnes").first()
    login(client, make_role(R.NATIONAL_ADMIN))
    page = client.post(
        f"/mesures/objectifs/{objective.pk}/valeurs/", {"period": "2025-S1", "value": "-3", "rate_note": ""}
    )
    assert page.status_code == 200 and "ne peut pas être négative" in page.content.decode()
    assert not ObjectiveValue.objects.filter(objective=objective, period="2025-S1").exists()


def test_a_share_in_percent_stays_within_100(measures):
    objective = Objective.objects.get(unit__startswith="%")
    admin = make_role(R.NATIONAL_ADMIN)
    with pytest.raises(ValidationError, match="100 au plus"):
        services.value_record(objective=objective, role=admin, period="2025", value=Decimal("140"))
    services.value_record(objective=objective, role=admin, period="2025", value=Decimal("100"))


def test_a_period_not_started_is_refused_so_the_dashboard_does_not_move(measures):
    objective = Objective.objects.filter(unit="personnes").first()
    next_year = str(timezone.localdate().year + 1)
    with pytest.raises(ValidationError, match="n’a pas commencé"):
        services.value_record(
            objective=objective, role=make_role(R.NATIONAL_ADMIN), period=next_year, value=Decimal("10")
        )
    assert not ObjectiveValue.objects.filter(period=next_year).exists()

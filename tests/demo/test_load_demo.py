import pytest
from django.core.management import CommandError, call_command

from pilotactions.accounts.enums import RoleKind
from pilotactions.accounts.models import Role, User
from pilotactions.demo.accounts import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_load_demo_creates_one_account_per_role_and_is_idempotent(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    assert "referent.nord@demo.pilotactions.test" in out
    assert set(Role.objects.active().values_list("kind", flat=True)) == set(RoleKind.values)
    counts = (User.objects.count(), Role.objects.count())
    call_command("load_demo")
    assert (User.objects.count(), Role.objects.count()) == counts
    assert User.objects.get(email="ddets.gironde@demo.pilotactions.test").check_password(DEMO_PASSWORD)


def test_load_demo_refuses_to_create_accounts_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG est désactivé"):
        call_command("load_demo")
    assert not User.objects.exists()

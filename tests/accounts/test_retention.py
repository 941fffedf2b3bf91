"""Retention of personal data (`apply_retention`): warning, closing, pseudonymisation; on SQLite and PostgreSQL."""

import datetime
from io import StringIO

import pytest
from axes.models import AccessLog
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.accounts.models import (
    AccessRequest,
    DigestPreference,
    Invitation,
    Organisation,
    ProConnectIdentity,
    Role,
    User,
)
from pilotactions.accounts.services import SYSTEM_EMAIL, system_role, user_pseudonymise
from pilotactions.core.audit import audit_event_record
from pilotactions.core.models import AuditEvent
from tests.factories import UserFactory, login, make_contract, make_role, second_factor_device

pytestmark = pytest.mark.django_db


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def signed_in(role: Role, days: int) -> Role:
    User.objects.filter(pk=role.user_id).update(last_login=days_ago(days))
    role.user.refresh_from_db()
    return role


def run(*args) -> str:
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def closed(user: User, days: int) -> User:
    User.objects.filter(pk=user.pk).update(is_active=False, deactivated_at=days_ago(days))
    user.refresh_from_db()
    return user


def test_an_account_unused_for_a_year_is_closed_with_its_roles(django_capture_on_commit_callbacks):
    role = signed_in(make_role(R.DEPARTMENTAL_STATE, "59"), 400)
    with django_capture_on_commit_callbacks(execute=True):
        output = run()
    role.refresh_from_db()
    role.user.refresh_from_db()
    assert not role.user.is_active and not role.is_active
    assert "Compte inutilisé depuis le" in role.user.deactivation_reason
    event = AuditEvent.objects.get(verb="user_deactivated", target_id=str(role.user_id))
    assert event.actor.email == SYSTEM_EMAIL
    assert "1 fermeture(s)" in output
    assert not mail.outbox  # the warning came (or not) earlier; closing sends nothing


def test_an_account_never_signed_in_counts_from_its_creation():
    role = make_role(R.AUTHORITY_EDITOR, "59")
    User.objects.filter(pk=role.user_id).update(date_joined=days_ago(400), last_login=None)
    run()
    role.user.refresh_from_db()
    assert not role.user.is_active


def test_a_recent_account_is_untouched():
    role = signed_in(make_role(R.DEPARTMENTAL_STATE, "59"), 10)
    before = AuditEvent.objects.count()
    run()
    role.user.refresh_from_db()
    assert role.user.is_active and role.user.email.endswith("@test.pilotactions.test")
    assert AuditEvent.objects.count() == before


def test_an_account_whose_api_token_is_used_is_untouched():
    from pilotactions.api.services import token_create

    role = signed_in(make_role(R.DEPARTMENTAL_STATE, "59"), 400)
    token, _secret = token_create(role=role, name="Tableur", scope="read", days=30)
    type(token).objects.filter(pk=token.pk).update(last_used_at=days_ago(1))
    run()
    role.user.refresh_from_db()
    assert role.user.is_active


def test_the_holder_is_warned_once_a_month_before(django_capture_on_commit_callbacks):
    role = signed_in(make_role(R.DEPARTMENTAL_STATE, "59"), 340)
    with django_capture_on_commit_callbacks(execute=True):
        run()
    assert role.user.email in mail.outbox[-1].to
    assert "sera fermé" in mail.outbox[-1].body and "Agent n°" in mail.outbox[-1].body
    role.user.refresh_from_db()
    assert role.user.is_active
    with django_capture_on_commit_callbacks(execute=True):
        run()
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(verb="user_inactivity_warned").count() == 1


@pytest.fixture
def old_agent():
    """An agent closed four years ago, who had left traces everywhere."""
    user = UserFactory(first_name="Jeanne", last_name="Dupont", email="jeanne.dupont@nord.gouv.fr")
    role = make_role(R.DEPARTMENTAL_STATE, "59", user=user)
    contract = make_contract("59")
    contract.title = "Changé par Jeanne"
    contract._history_user = user
    contract.save()
    audit_event_record(actor=role, verb="contract_updated", target=contract, message="Modifié.")
    admin = make_role(R.NATIONAL_ADMIN)
    audit_event_record(
        actor=admin, verb="role_granted", target=role, message="Rôle accordé à jeanne.dupont@nord.gouv.fr."
    )
    audit_event_record(actor=admin, verb="user_deactivated", target=user, message="Compte de Jeanne Dupont fermé.")
    ProConnectIdentity.objects.create(user=user, sub="sub-jeanne")
    DigestPreference.objects.create(user=user, enabled=False)
    Invitation.objects.create(
        email=user.email,
        first_name="Jeanne",
        last_name="Dupont",
        role_kind=R.DEPARTMENTAL_STATE,
        organisation=role.organisation,
        invited_by=admin.user,
        token_hash="x" * 64,
        expires_at=days_ago(1500),
    )
    AccessRequest.objects.create(
        email=user.email,
        first_name="Jeanne",
        last_name="Dupont",
        proconnect_sub="sub-jeanne",
        siret="12345678901234",
        organisation=Organisation.objects.get(pk=role.organisation_id),
        status="refused",
    )
    AccessLog.objects.create(username=user.email, ip_address="10.0.0.1", user_agent="Firefox", http_accept="*/*")
    second_factor_device(user)
    closed(user, 4 * 365)
    return {"user": user, "contract": contract, "admin": admin}


def test_an_old_closed_account_is_pseudonymised_and_its_history_says_agent_n(client, old_agent):
    user, contract = old_agent["user"], old_agent["contract"]
    output = run()
    assert "1 pseudonymisation(s)" in output
    user.refresh_from_db()
    pseudonym = f"Agent n° {user.pk}"
    assert str(user) == pseudonym
    assert user.email == f"agent-{user.pk}@pseudonymise.invalid"
    assert not user.has_usable_password()
    # The rows that pointed at the account still do, and now read the pseudonym.
    assert str(contract.history.filter(history_user=user).first().history_user) == pseudonym
    assert set(User.history.filter(id=user.pk).values_list("email", flat=True)) == {user.email}
    assert set(User.history.filter(id=user.pk).values_list("first_name", flat=True)) == {"Agent"}
    texts = " ".join(AuditEvent.objects.values_list("message", flat=True)) + " ".join(
        AuditEvent.objects.values_list("target_label", flat=True)
    )
    assert "jeanne" not in texts.lower() and "dupont" not in texts.lower()
    assert pseudonym in texts
    assert not ProConnectIdentity.objects.filter(user=user).exists()
    assert not TOTPDevice.objects.filter(user=user).exists()  # its key was a way to sign in
    assert not DigestPreference.objects.filter(user=user).exists()
    assert not Invitation.objects.filter(email__icontains="dupont").exists()
    assert not AccessRequest.objects.filter(last_name="Dupont").exists()
    assert not AccessRequest.objects.filter(proconnect_sub="sub-jeanne").exists()
    assert not AccessLog.objects.filter(username__icontains="dupont").exists()
    assert AuditEvent.objects.filter(verb="user_pseudonymised", target_id=str(user.pk)).exists()
    # What people read: the contract's history and the journal.
    login(client, old_agent["admin"])
    history = client.get(f"/contrats/{contract.reference}/historique/").text
    assert pseudonym in history and "Dupont" not in history
    journal = client.get("/accounts/journal/").text
    assert pseudonym in journal and "Dupont" not in journal


def test_a_recently_closed_account_is_not_pseudonymised():
    user = closed(make_role(R.AUTHORITY_EDITOR, "59").user, 30)
    run()
    user.refresh_from_db()
    assert user.email.endswith("@test.pilotactions.test")


def test_the_system_account_is_never_touched():
    system = system_role().user
    User.objects.filter(pk=system.pk).update(last_login=days_ago(4000), deactivated_at=days_ago(4000))
    run()
    system.refresh_from_db()
    assert system.email == SYSTEM_EMAIL and system.first_name == "Système"
    with pytest.raises(Exception, match="ne se pseudonymise pas"):
        user_pseudonymise(acting_role=system_role(), user=system)


def test_an_active_account_is_never_pseudonymised():
    role = make_role(R.AUTHORITY_EDITOR, "59")
    with pytest.raises(Exception, match="Un compte actif ne se pseudonymise pas"):
        user_pseudonymise(acting_role=system_role(), user=role.user)


def test_only_a_national_administrator_applies_retention(old_agent):
    from django.core.exceptions import PermissionDenied

    from pilotactions.accounts.services import accounts_retention_apply

    with pytest.raises(PermissionDenied):
        accounts_retention_apply(actor=make_role(R.DEPARTMENTAL_STATE, "59"))
    with pytest.raises(PermissionDenied):
        user_pseudonymise(acting_role=make_role(R.DEPARTMENTAL_STATE, "59"), user=old_agent["user"])


def test_old_sign_in_logs_are_deleted():
    old = AccessLog.objects.create(username="a@b.fr", ip_address="10.0.0.1", user_agent="x", http_accept="*/*")
    AccessLog.objects.filter(pk=old.pk).update(attempt_time=days_ago(400))
    recent = AccessLog.objects.create(username="a@b.fr", ip_address="10.0.0.1", user_agent="x", http_accept="*/*")
    run()
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]


def test_old_finished_tasks_of_the_worker_are_deleted():
    from django_tasks_db.models import DBTaskResult

    def task(status, finished_days_ago):
        return DBTaskResult.objects.create(
            status=status,
            finished_at=days_ago(finished_days_ago) if finished_days_ago is not None else None,
            args_kwargs={"args": [], "kwargs": {"recipients": ["a@b.fr"], "body": "Bonjour Léa"}},
            task_path="pilotactions.core.tasks.send_email_task",
            backend_name="default",
            run_after=days_ago(100),
        )

    old, recent, waiting = task("SUCCESSFUL", 40), task("FAILED", 5), task("READY", None)
    assert "1 tâche(s) terminée(s)" in run("--dry-run")
    assert DBTaskResult.objects.filter(pk=old.pk).exists()
    run()
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}


def test_a_dry_run_changes_nothing(old_agent, django_capture_on_commit_callbacks):
    closing = signed_in(make_role(R.DEPARTMENTAL_STATE, "59"), 400)
    warned = signed_in(make_role(R.DEPARTMENTAL_STATE, "33"), 340)
    events, users = AuditEvent.objects.count(), User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        output = run("--dry-run")
    assert "[simulation]" in output and "serait pseudonymisé" in output and "serait fermé" in output
    assert "1 avertissement(s), 1 fermeture(s), 1 pseudonymisation(s)" in output
    assert AuditEvent.objects.count() == events and User.objects.count() == users
    assert not mail.outbox
    for user in (old_agent["user"], closing.user, warned.user):
        before = (user.email, user.is_active)
        user.refresh_from_db()
        assert (user.email, user.is_active) == before


def test_it_is_idempotent(old_agent, django_capture_on_commit_callbacks):
    signed_in(make_role(R.DEPARTMENTAL_STATE, "59"), 400)
    signed_in(make_role(R.DEPARTMENTAL_STATE, "33"), 340)
    with django_capture_on_commit_callbacks(execute=True):
        run()
    events, sent = AuditEvent.objects.count(), len(mail.outbox)
    snapshot = list(User.objects.order_by("pk").values_list("email", "first_name", "is_active"))
    with django_capture_on_commit_callbacks(execute=True):
        output = run()
    assert "0 avertissement(s), 0 fermeture(s), 0 pseudonymisation(s)" in output
    assert AuditEvent.objects.count() == events and len(mail.outbox) == sent
    assert list(User.objects.order_by("pk").values_list("email", "first_name", "is_active")) == snapshot


def test_invitations_never_accepted_and_refused_requests_of_people_without_account_are_pseudonymised():
    admin = make_role(R.NATIONAL_ADMIN)
    organisation = make_role(R.AUTHORITY_EDITOR, "59").organisation
    old = Invitation.objects.create(
        email="marc.ancien@ville.fr",
        first_name="Marc",
        last_name="Ancien",
        role_kind=R.AUTHORITY_EDITOR,
        organisation=organisation,
        invited_by=admin.user,
        token_hash="c" * 64,
        expires_at=days_ago(4 * 365),
    )
    audit_event_record(actor=admin, verb="invitation_sent", target=old, message="marc.ancien@ville.fr invité(e).")
    recent = Invitation.objects.create(
        email="recent@ville.fr",
        first_name="Rita",
        last_name="Récente",
        role_kind=R.AUTHORITY_EDITOR,
        organisation=organisation,
        invited_by=admin.user,
        token_hash="d" * 64,
        expires_at=days_ago(10),
    )
    refused = AccessRequest.objects.create(
        email="refuse@ville.fr",
        first_name="Rémi",
        last_name="Refusé",
        proconnect_sub="sub-remi",
        siret="12345678901234",
        organisation=organisation,
        status="refused",
        decided_at=days_ago(4 * 365),
    )
    output = run()
    assert "1 invitation(s) jamais acceptée(s) et 1 demande(s) d’accès refusée(s)" in output
    old.refresh_from_db()
    recent.refresh_from_db()
    refused.refresh_from_db()
    assert old.email == f"invitation-{old.pk}@pseudonymise.invalid" and old.last_name == f"n° {old.pk}"
    assert recent.email == "recent@ville.fr"
    assert refused.email.endswith("@pseudonymise.invalid") and refused.proconnect_sub != "sub-remi"
    assert not AuditEvent.objects.filter(message__icontains="marc.ancien").exists()
    assert "0 invitation(s)" in run()

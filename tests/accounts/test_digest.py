"""The e-mail digest of each person's tasks (issue 18, « Notifications »): per person and per role, once a day at
most, only when something waits, and turned off from « Mes notifications » or with the mail's signed link."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail, signing
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from pilotactions.accounts import services as account_services
from pilotactions.accounts.digest import UNSUBSCRIBE_SALT, digests_send, unsubscribe_token
from pilotactions.accounts.enums import RoleKind as R
from pilotactions.accounts.models import DigestPreference
from pilotactions.campaigns.models import Dossier
from pilotactions.campaigns.services import dossier_return, dossier_submit
from pilotactions.core.models import AuditEvent
from tests.factories import UserFactory, login, make_action, make_campaign, make_contract, make_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def circuit():
    """Nord returned by its DDETS with a comment, Pas-de-Calais submitted (waits for the DDETS 62), one open campaign."""
    people = {code: make_role(R.AUTHORITY_REFERENT, code) for code in ["59", "62"]}
    for code in people:
        make_action(make_contract(code), lines=[(2024, "state", "10"), (2024, "authority", "10")])
    campaign = make_campaign()
    dossiers = {d.contract.authority.code: d for d in campaign.dossiers.select_related("contract__authority")}
    for code in people:
        dossier_submit(dossier=dossiers[code], role=people[code])
    dossier_return(
        dossier=Dossier.objects.get(pk=dossiers["59"].pk),
        role=make_role(R.DEPARTMENTAL_STATE, "59"),
        comment="Précisez le nombre de bénéficiaires visés.",
    )
    return dossiers, people


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run the daily command as cron does; returns its last line and the mails it sent."""

    def run(*args):
        mail.outbox.clear()
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_digests", *args, stdout=out)
        return out.getvalue().strip().splitlines()[-1], {m.to[0]: m for m in mail.outbox}

    return run


def html(message) -> str:
    ((content, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return content


def test_each_role_gets_its_own_tasks_with_absolute_links(circuit, send):
    dossiers, people = circuit
    ddets = make_role(R.DEPARTMENTAL_STATE, "62")
    admin = make_role(R.NATIONAL_ADMIN)
    line, sent = send()
    site = settings.SITE_URL.rstrip("/")

    referent = sent[people["59"].user.email]
    assert referent.subject == "Pilot'actions — 1 tâche vous attend"
    nord = dossiers["59"].contract.reference
    assert f"[À traiter] Dossier {nord} renvoyé pour correction" in referent.body
    assert "« Précisez le nombre de bénéficiaires visés. »" in referent.body
    dossier_url = site + reverse("campaigns:dossier", args=[dossiers["59"].pk])
    assert dossier_url in referent.body
    assert "Référent de collectivité — " in referent.body and "&#x27;" not in referent.body
    assert f'href="{dossier_url}"' in html(referent)
    assert "Précisez le nombre de bénéficiaires visés." in html(referent)

    to_validate = sent[ddets.user.email]
    assert f"Dossier {dossiers['62'].contract.reference} (Pas-de-Calais) à valider ou renvoyer" in to_validate.body
    assert nord not in to_validate.body  # the Nord is not the DDETS 62's

    national = sent[admin.user.email]
    assert "1 dossier soumis en attente de validation" in national.body
    assert site + reverse("campaigns:detail", args=[dossiers["62"].campaign_id]) in national.body

    assert people["62"].user.email not in sent  # its dossier waits for the State: nothing to do
    assert line == f"{len(sent)} récapitulatifs envoyés"
    unsubscribe = referent.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{site}{reverse('accounts:notifications')}desabonnement/")


def test_a_person_with_several_roles_gets_one_digest_grouped_by_role(circuit, send):
    dossiers, people = circuit
    user = people["59"].user
    make_role(R.DEPARTMENTAL_STATE, "62", user=user)
    make_role(R.DEPARTMENTAL_STATE, "33", user=user)  # nothing waits there: no section
    _line, sent = send()
    body = sent[user.email].body
    assert sent[user.email].subject == "Pilot'actions — 2 tâches vous attendent"
    referent_at = body.index("== Référent de collectivité — ")
    ddets_at = body.index("== Service départemental de l’État — ")
    assert body.index(dossiers["59"].contract.reference) > referent_at
    assert body.index(dossiers["62"].contract.reference) > ddets_at
    assert body.count("== ") == 2 and "choisissez-le dans « Mes rôles »" in body


def test_at_most_one_digest_a_day_and_an_unchanged_list_is_not_repeated(circuit, send):
    _dossiers, people = circuit
    email = people["59"].user.email
    _line, sent = send()
    assert email in sent
    line, sent = send()
    assert (line, sent) == ("0 récapitulatif envoyé", {})

    preference = DigestPreference.objects.get(user=people["59"].user)
    preference.last_sent_on = timezone.localdate() - timedelta(days=1)
    preference.save()
    _line, sent = send()
    assert email not in sent  # the next day, the same list: the home page keeps it

    invitation = account_services.invitation_create(
        acting_role=people["59"],
        email="agent@nord.test",
        first_name="A",
        last_name="B",
        role_kind=R.AUTHORITY_EDITOR,
        organisation=people["59"].organisation,
    )[0]
    invitation.expires_at = timezone.now() - timedelta(hours=1)
    invitation.save()
    _line, sent = send()
    assert email in sent and "1 invitation expirée sans réponse" in sent[email].body  # the list changed

    preference.refresh_from_db()
    preference.last_sent_on = timezone.localdate() - timedelta(days=7)
    preference.save()
    _line, sent = send()
    assert email in sent  # unchanged for a week: sent again as a reminder


def test_nobody_gets_a_mail_when_nothing_waits(send):
    make_role(R.DEPARTMENTAL_STATE, "33")
    make_role(R.NATIONAL_ADMIN)
    line, sent = send()
    assert (line, sent) == ("0 récapitulatif envoyé", {})
    assert not DigestPreference.objects.exists()


def test_closed_accounts_and_deactivated_roles_get_nothing(circuit, send):
    _dossiers, people = circuit
    admin = make_role(R.NATIONAL_ADMIN)
    ddets = make_role(R.DEPARTMENTAL_STATE, "62")
    account_services.user_deactivate(acting_role=admin, user=people["59"].user, reason="Départ")
    account_services.role_deactivate(acting_role=admin, role=ddets, reason="Mutation")
    _line, sent = send()
    assert set(sent) == {admin.user.email}


def test_dry_run_says_who_would_get_what_and_sends_nothing(circuit, django_capture_on_commit_callbacks):
    dossiers, people = circuit
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("send_digests", "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert f"{people['59'].user.email} : 1 tâche" in lines
    assert any(dossiers["59"].contract.reference in line and "[À traiter]" in line for line in lines)
    assert lines[-1] == "1 récapitulatif à envoyer (simulation : rien n'est envoyé)"
    assert callbacks == [] and not DigestPreference.objects.exists()


def test_the_person_turns_the_digest_off_and_on_from_mes_notifications(client, circuit, send):
    _dossiers, people = circuit
    referent = people["59"]
    login(client, referent)
    assert 'href="/accounts/notifications/"' in client.get("/").content.decode()
    page = client.get("/accounts/notifications/").content.decode()
    assert "Mes notifications" in page
    assert re.search(r'<input type="checkbox" name="enabled"[^>]* checked', page)  # on by default
    response = client.post("/accounts/notifications/", {}, follow=True)
    assert "Vous ne recevrez plus le récapitulatif quotidien" in response.content.decode()
    assert AuditEvent.objects.filter(verb="digest_disabled", actor=referent.user).exists()
    assert not re.search(r'<input type="checkbox" name="enabled"[^>]* checked', response.content.decode())
    assert referent.user.email not in send()[1]

    client.post("/accounts/notifications/", {"enabled": "on"})
    assert DigestPreference.objects.get(user=referent.user).enabled
    assert referent.user.email in send()[1]


def test_the_mail_link_unsubscribes_without_signing_in_after_confirmation(client, circuit, send):
    _dossiers, people = circuit
    user = people["59"].user
    body = send()[1][user.email].body
    link = re.search(r"Pour ne plus le recevoir : (\S+)", body).group(1)
    path = link.removeprefix(settings.SITE_URL.rstrip("/"))
    page = client.get(path)
    assert page.status_code == 200 and "Confirmer le désabonnement" in page.content.decode()
    assert user.email in page.content.decode()
    assert DigestPreference.objects.get(user=user).enabled  # a GET (a mail scanner) changes nothing
    done = client.post(path)
    assert done.status_code == 200 and "Vous ne recevrez plus le récapitulatif" in done.content.decode()
    assert not DigestPreference.objects.get(user=user).enabled
    assert AuditEvent.objects.filter(verb="digest_disabled", actor=user).exists()
    assert "déjà désactivé" in client.get(path).content.decode()
    DigestPreference.objects.filter(user=user).update(last_sent_on=None)
    assert send()[1] == {}


@pytest.mark.parametrize(
    "token",
    [
        "pas-un-jeton",
        signing.dumps(1, salt="un-autre-usage"),  # signed, but for something else
        signing.dumps("1", salt=UNSUBSCRIBE_SALT, key="une-autre-cle-secrete"),  # forged with another key
    ],
)
def test_a_bad_or_forged_unsubscribe_link_gets_a_french_message(client, token):
    user = UserFactory()
    for response in (
        client.get(f"/accounts/notifications/desabonnement/{token}/"),
        client.post(f"/accounts/notifications/desabonnement/{token}/"),
    ):
        assert response.status_code == 400
        assert "Ce lien de désabonnement n’est pas valide" in response.content.decode()
    altered = unsubscribe_token(user)[:-2] + "xx"
    assert client.post(f"/accounts/notifications/desabonnement/{altered}/").status_code == 400
    assert not DigestPreference.objects.exists()


def _people(n):
    """n referents of the Nord (a returned dossier), n DDETS 62 (one to validate), n national admins."""
    for _ in range(n):
        make_role(R.AUTHORITY_REFERENT, "59")
        make_role(R.DEPARTMENTAL_STATE, "62")
        make_role(R.NATIONAL_ADMIN)


@pytest.mark.parametrize("n", [1, 8])
def test_the_queries_do_not_grow_with_the_number_of_people(circuit, n, django_assert_max_num_queries):
    _people(n)
    # Per kind of role and organisation (5 here), the providers' queries; then the preferences and one upsert.
    with django_assert_max_num_queries(18):
        digests = digests_send()
    assert len(digests) == 1 + 3 * n  # and the circuit's referent 59; its DDETS 59 and referent 62 have nothing

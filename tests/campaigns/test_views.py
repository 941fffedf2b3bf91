from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns.models import Campaign, Dossier, Reminder
from pilotactions.contracts.models import ActionYear, ContractType
from tests.factories import login, make_action, make_campaign, make_contract, make_role, option

pytestmark = pytest.mark.django_db


def test_only_the_diplp_opens_a_campaign_and_dossiers_follow(client):
    make_contract("59")
    make_contract("244400404")
    make_contract("33", status="not_signed", signature_date=None, not_signed_reason="Refus")
    data = {
        "name": "Programmation 2025",
        "kind": "programmation",
        "year": "2025",
        "contract_types": [t.pk for t in ContractType.objects.filter(code__in=["CLS-D", "CLS-M"])],
        "opens_at": "2025-02-03T09:00",
        "closes_at": "2025-03-07T18:00",
        "instructions": "Saisir les actions.",
        "required_fields": ["programmation:subtheme", "programmation:budget", "suivi:assessment"],
        "reminder_days": "7; 2",
    }
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    assert client.post("/campagnes/nouvelle/", data).status_code == 403
    login(client, make_role(R.NATIONAL_ADMIN))
    bad = client.post("/campagnes/nouvelle/", {**data, "closes_at": "2025-01-01T00:00", "reminder_days": "sept"})
    assert "La clôture doit suivre l’ouverture." in bad.content.decode() or "closes_at" in bad.context["form"].errors
    assert "Saisissez des nombres entiers" in bad.content.decode()
    assert 'value="Programmation 2025"' in bad.content.decode()
    response = client.post("/campagnes/nouvelle/", data)
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert campaign.required_fields == ["subtheme", "budget"] and campaign.reminder_days == [7, 2]
    assert timezone.localtime(campaign.opens_at).hour == 9  # Europe/Paris
    assert sorted(campaign.dossiers.values_list("contract__reference", flat=True)) == [
        "CLS-D-2024-059",
        "CLS-M-2024-244400404",
    ]


def test_submitting_an_incomplete_dossier_lists_the_problems_with_links(client):
    contract = make_contract("59")
    action = make_action(contract, title="Sans sous-thématique")
    dossier = make_campaign(required=["subtheme"]).dossiers.get()
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    page = client.post(f"/dossiers/{dossier.pk}/soumettre/", follow=True)
    html = page.content.decode()
    assert "Le dossier n’a pas été soumis : 1 point à régler" in html
    assert f'href="/actions/{action.reference}/modifier/"' in html
    assert Dossier.objects.get(pk=dossier.pk).state == "draft"


def test_returning_needs_a_comment_and_can_point_at_an_action(client):
    contract = make_contract("59")
    action = make_action(contract, lines=[(2024, "authority", "10")])
    dossier = make_campaign().dossiers.get()
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    client.post(f"/dossiers/{dossier.pk}/soumettre/")
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    page = client.post(f"/dossiers/{dossier.pk}/renvoyer/", {"renvoi-comment": " "}, follow=True)
    assert "expliquez ce qu’il faut corriger" in page.content.decode()
    client.post(
        f"/dossiers/{dossier.pk}/renvoyer/", {"renvoi-comment": "Préciser les publics", "renvoi-action": action.pk}
    )
    dossier.refresh_from_db()
    assert dossier.state == "returned"
    comment = dossier.comments.get()
    assert (comment.action, comment.text) == (action, "Préciser les publics")
    page = client.get(f"/dossiers/{dossier.pk}/").content.decode()
    assert "Préciser les publics" in page and action.reference in page


def test_suivi_execution_form_saves_and_refuses_stale_saves(client):
    contract = make_contract("59")
    action = make_action(contract, lines=[(2024, "state", "100"), (2024, "authority", "100")])
    dossier = make_campaign("suivi", required=["progress_status", "spent"]).dossiers.get()
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    url = f"/dossiers/{dossier.pk}/actions/{action.reference}/"
    page = client.get(url)
    assert "Budget prévu 2024" in page.content.decode()
    token = page.context["form"].initial["token"]
    data = {
        "progress_status": option("etat_avancement_actions", "AV_EN_COURS").pk,
        "deployment_satisfactory": "true",
        "spent_state": "80",
        "spent_authority": "95,50",
        "beneficiaries_reached": "42",
        "assessment": "Bon démarrage",
        "token": token,
    }
    assert client.post(url, data).status_code == 302
    year = ActionYear.objects.get(action=action, year=2024)
    assert (year.progress_status.code, str(year.spent_authority), year.beneficiaries_reached) == (
        "AV_EN_COURS",
        "95.50",
        42,
    )
    assert year.planned_total == 200  # the programmed budget is untouched
    stale = client.post(url, {**data, "assessment": "Version concurrente"})  # same, now outdated, token
    assert "Quelqu’un a enregistré ce suivi pendant que vous saisissiez" in stale.content.decode()
    assert ActionYear.objects.get(pk=year.pk).assessment == "Bon démarrage"
    negative = client.post(url, {**data, "token": stale.context["form"].data["token"], "spent_state": "-3"})
    assert "Le montant ne peut pas être négatif." in negative.content.decode()


def test_manual_reminder_has_a_preview(client, django_capture_on_commit_callbacks):
    referent = make_role(R.AUTHORITY_REFERENT, "59")
    make_contract("59")
    dossier = make_campaign().dossiers.get()
    editor = login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    assert client.get(f"/dossiers/{dossier.pk}/relancer/").status_code == 403
    login(client, make_role(R.REGIONAL, "32"))
    preview = client.get(f"/dossiers/{dossier.pk}/relancer/").content.decode()
    assert referent.user.email in preview and "n'est pas encore soumis" in preview
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/dossiers/{dossier.pk}/relancer/")
    assert mail.outbox[-1].to == sorted([referent.user.email, editor.user.email])  # the authority's agents
    assert Reminder.objects.get().days_before is None


def test_extension_reopens_the_window_for_one_dossier(client):
    make_action(make_contract("59"), lines=[(2024, "authority", "10")])
    dossier = make_campaign(open_=False).dossiers.get()
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    page = client.get(f"/dossiers/{dossier.pk}/")
    assert not page.context["transitions"]["submit"]
    login(client, make_role(R.NATIONAL_ADMIN))
    until = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        f"/dossiers/{dossier.pk}/prolonger/",
        {"prolongation-until": until, "prolongation-reason": "Changement de référent"},
    )
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    assert client.get(f"/dossiers/{dossier.pk}/").context["transitions"]["submit"]
    assert client.post(f"/dossiers/{dossier.pk}/soumettre/").status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).state == "submitted"


def test_first_execution_save_of_an_action_without_a_yearly_record(client):
    contract = make_contract("59")
    action = make_action(contract)  # no budget line: no ActionYear for 2024 yet
    dossier = make_campaign("suivi").dossiers.get()
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    url = f"/dossiers/{dossier.pk}/actions/{action.reference}/"
    token = client.get(url).context["form"].initial["token"]
    response = client.post(url, {"assessment": "Démarrage en septembre", "token": token})
    assert response.status_code == 302
    assert ActionYear.objects.get(action=action, year=2024).assessment == "Démarrage en septembre"


def test_a_campaign_date_with_any_offset_is_stored_in_utc(client):
    """ISO 8601 allows offsets up to ±23:59, PostgreSQL up to ±15:59: the form stores UTC whatever was posted."""
    login(client, make_role(R.NATIONAL_ADMIN))
    data = {
        "name": "Suivi 2025",
        "kind": "suivi",
        "year": "2025",
        "contract_types": [ContractType.objects.get(code="CLS-D").pk],
        "instructions": "",
        "reminder_days": "",
    }
    response = client.post(
        "/campagnes/nouvelle/", {**data, "opens_at": "2025-02-03T09:00-22:26", "closes_at": "2025-03-07T18:00+23:00"}
    )
    assert response.status_code == 302, response.context["form"].errors
    campaign = Campaign.objects.get()
    assert campaign.opens_at.isoformat() == "2025-02-04T07:26:00+00:00"
    refused = client.post(
        "/campagnes/nouvelle/", {**data, "opens_at": "0001-01-01T00:00+01:00", "closes_at": "2025-03-07T18:00"}
    )
    assert "opens_at" in refused.context["form"].errors

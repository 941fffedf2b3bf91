"""The pact and pact action pages: forms, refusals shown on the form, documents, history, list queries."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pilotactions.pacts.models import Pact, PactAction
from tests.factories import login, make_role, option
from tests.pacts.test_pacts_services import YEAR, commissioner, freeze_envelope, make_pact, make_pact_action

pytestmark = pytest.mark.django_db


def pact_post(**overrides):
    data = {
        "title": "Pacte local de Roubaix",
        "year": str(YEAR),
        "territory_kind": "communes",
        "territory_label": "",
        "communes": "59512",
        "priorities": [str(option("axes_pacte", "AXE1").pk), str(option("axes_pacte", "AXE3").pk)],
        "state_amount": "40 000",
        "total_budget": "90000",
        "project_lead": "Ville de Roubaix",
        "status": "building",
        "cofinancements-TOTAL_FORMS": "3",
        "cofinancements-INITIAL_FORMS": "0",
        "cofinancements-MIN_NUM_FORMS": "0",
        "cofinancements-MAX_NUM_FORMS": "30",
        "cofinancements-0-financer_type": str(option("cofinanceurs_pactes_locaux", "CF_CAF").pk),
        "cofinancements-0-amount": "20 000",
    }
    data.update(overrides)
    return data


def action_post(**overrides):
    data = {
        "title": "Médiation numérique",
        "policy_fields": [],
        "beneficiaries_target": "250",
        "total_budget": "30000",
        "state_amount": "10000",
        "targets_specific_public": "true",
        "cofinancements-TOTAL_FORMS": "3",
        "cofinancements-INITIAL_FORMS": "0",
        "cofinancements-MIN_NUM_FORMS": "0",
        "cofinancements-MAX_NUM_FORMS": "30",
    }
    data.update(overrides)
    return data


def _text(response) -> str:
    return response.content.decode().replace("\u202f", " ").replace("\xa0", " ")


def test_commissioner_creates_a_pact(client):
    login(client, commissioner())
    page = client.get(reverse("pacts:create"))
    assert page.status_code == 200
    token = page.context["form"].initial["form_token"]
    response = client.post(reverse("pacts:create"), pact_post(form_token=str(token)))
    pact = Pact.objects.get()
    assert response.status_code == 302 and response.url == reverse("pacts:detail", args=[pact.reference])
    assert pact.reference == f"PL-{YEAR}-32-001"
    assert pact.state_amount == Decimal("40000")
    assert pact.cofinancings.get().amount == Decimal("20000")
    assert list(pact.departements.values_list("code", flat=True)) == ["59"]
    # The same form sent twice creates one pact.
    again = client.post(reverse("pacts:create"), pact_post(form_token=str(token)))
    assert again.status_code == 302 and Pact.objects.count() == 1
    detail = client.get(reverse("pacts:detail", args=[pact.reference]))
    assert "Roubaix (59512)" in _text(detail)
    assert "pas encore figée" in _text(detail)


def test_the_diplp_chooses_the_region_first(client):
    login(client, make_role("national_admin"))
    chooser = client.get(reverse("pacts:create"))
    assert chooser.status_code == 200 and "Choisissez d’abord la région" in chooser.content.decode()
    url = reverse("pacts:create") + "?region=76"
    page = client.get(url)
    assert page.status_code == 200
    assert {d.code for d in page.context["form"].fields["departements"].queryset} >= {"31", "34"}
    response = client.post(url, pact_post(communes="31555"))
    assert response.status_code == 302
    assert Pact.objects.get().reference == f"PL-{YEAR}-76-001"
    login(client, commissioner("32"))  # the regional level never chooses: its own région
    assert client.get(url).context["form"].fields["departements"].queryset.filter(code="59").exists()


def test_errors_shown_on_the_form_and_typing_kept(client):
    login(client, commissioner())
    response = client.post(reverse("pacts:create"), pact_post(communes="59512, 99999"))
    assert response.status_code == 200
    assert "99999" in response.context["form"].errors["communes"][0]
    response = client.post(reverse("pacts:create"), pact_post(communes="33063"))
    assert "Bordeaux (33063) n’est pas dans la région Hauts-de-France" in response.context["form"].errors["communes"][0]
    response = client.post(reverse("pacts:create"), pact_post(status="finalised"))
    assert "date de finalisation" in response.context["form"].errors["finalised_on"][0]
    assert 'value="Pacte local de Roubaix"' in response.content.decode()
    assert not Pact.objects.exists()


def test_envelope_exceeded_refused_on_the_form(client):
    freeze_envelope(amount="50000")
    login(client, commissioner())
    make_pact(commissioner(), state_amount=Decimal("30000"))
    response = client.post(reverse("pacts:create"), pact_post(state_amount="25000"))
    assert response.status_code == 200
    error = response.context["form"].errors["state_amount"][0].replace("\u202f", " ")
    assert "enveloppe 50 000 €" in error and "reste 20 000 €" in error
    page = _text(response)  # the envelope of the year typed, beside the form
    assert "Enveloppe : 50 000 € · engagés par les pactes : 30 000 € · reste : 20 000 €" in page


def test_option_out_of_its_list_is_a_form_error(client):
    role = commissioner()
    pact = make_pact(role)
    login(client, role)
    wrong = option("duree_actions", "DUREE_MOINS_2ANS").pk
    response = client.post(
        reverse("pacts:action_create", args=[pact.reference]), action_post(policy_fields=[str(wrong)], scale=str(wrong))
    )
    assert response.status_code == 200
    assert response.context["form"].errors["policy_fields"] and response.context["form"].errors["scale"]
    response = client.post(reverse("pacts:create"), pact_post(priorities=[str(wrong)]))
    assert response.status_code == 200 and response.context["form"].errors["priorities"]


def test_action_create_update_withdraw_restore(client):
    role = commissioner()
    pact = make_pact(role, state_amount=Decimal("40000"))
    login(client, role)
    response = client.post(reverse("pacts:action_create", args=[pact.reference]), action_post())
    action = PactAction.objects.get()
    assert response.status_code == 302 and action.reference == f"{pact.reference}-A01"
    assert action.budget_bracket.code == "BUD_4" and action.beneficiaries_bracket.code == "VOL_4"
    assert action.targets_specific_public is True
    response = client.post(
        reverse("pacts:action_update", args=[action.reference]), action_post(state_amount="50000", version="1")
    )
    assert response.status_code == 200
    assert "dépasseraient les crédits du pacte" in response.context["form"].errors["state_amount"][0]
    response = client.post(
        reverse("pacts:action_update", args=[action.reference]), action_post(title="Médiation", version="1")
    )
    assert response.status_code == 302 and PactAction.objects.get().title == "Médiation"
    response = client.post(
        reverse("pacts:action_withdraw", args=[action.reference]), {"reason": "Doublon", "version": "2"}
    )
    assert response.status_code == 302 and PactAction.objects.get().status == "withdrawn"
    client.post(reverse("pacts:action_restore", args=[action.reference]), {"version": "3"})
    assert PactAction.objects.get().status == "active"
    history = _text(client.get(reverse("pacts:action_history", args=[action.reference])))
    assert "« Médiation numérique » → « Médiation »" in history


def test_concurrent_update_shows_what_changed_and_keeps_the_typing(client):
    role = commissioner()
    pact = make_pact(role)
    login(client, role)
    form_page = client.get(reverse("pacts:update", args=[pact.reference]))
    assert form_page.status_code == 200
    data = pact_post(communes="59350", title="Ma version", version=str(pact.version))
    first = client.post(reverse("pacts:update", args=[pact.reference]), {**data, "title": "Leur version"})
    assert first.status_code == 302
    response = client.post(reverse("pacts:update", args=[pact.reference]), data)
    assert response.status_code == 200
    labels = {c["label"]: c for c in response.context["conflict"]}
    assert labels["intitulé"]["new"] == "Leur version"
    assert 'value="Ma version"' in response.content.decode()
    assert Pact.objects.get().title == "Leur version"


def test_history_page(client):
    role = commissioner()
    pact = make_pact(role)
    login(client, role)
    client.post(
        reverse("pacts:update", args=[pact.reference]),
        pact_post(
            communes="59350, 62041",
            title="Titre revu",
            version=str(pact.version),
            priorities=[str(option("axes_pacte", "AXE2").pk)],
        ),
    )
    page = _text(client.get(reverse("pacts:history", args=[pact.reference])))
    assert "« Pacte local de Lille-Sud » → « Titre revu »" in page
    # One save, one entry: the lists changed are in it, each once.
    assert page.count("Pacte : modification") == 1
    assert (
        "priorités (1 à 3) : « Prévenir la pauvreté et lutter contre les inégalités dès l’enfance » → « Amplifier"
        in page
    )
    assert "départements concernés : « Nord (59) » → « Nord (59), Pas-de-Calais (62) »" in page
    assert "crédits de l’enveloppe régionale : « 40 000 € »" in page
    assert role.user.email in page or str(role.user) in page


def test_documents_upload_and_download(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    role = commissioner()
    pact = make_pact(role)
    login(client, role)
    url = reverse("pacts:document_upload", args=[pact.reference])
    client.post(url, {"kind": "signed_pact", "file": SimpleUploadedFile("pacte signé.pdf", b"%PDF-1.7 contenu")})
    document = pact.documents.get()
    response = client.get(reverse("pacts:document_download", args=[pact.reference, document.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content) == b"%PDF-1.7 contenu"
    refused = client.post(url, {"kind": "other", "file": SimpleUploadedFile("x.pdf", b"<html>")}, follow=True)
    assert "n’est ni un PDF" in refused.content.decode() and pact.documents.count() == 1
    login(client, commissioner("76"))
    assert client.get(reverse("pacts:document_download", args=[pact.reference, document.pk])).status_code == 404
    assert client.post(url, {"kind": "other", "file": SimpleUploadedFile("y.pdf", b"%PDF-1.7")}).status_code == 404


def test_list_filters_and_reads_in_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    role = commissioner()
    for _ in range(2):
        make_pact_action(make_pact(role), role)
    login(client, make_role("national_reader"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("pacts:list"))
    for _ in range(6):
        make_pact_action(make_pact(role), role)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("pacts:list"))
    assert len(response.context["page"]) == 8
    assert len(client.get(reverse("pacts:list"), {"region": "76"}).context["page"]) == 0
    assert len(client.get(reverse("pacts:list"), {"status": "finalised"}).context["page"]) == 0
    assert len(client.get(reverse("pacts:list"), {"annee": str(YEAR), "region": "32"}).context["page"]) == 8


def test_navigation_and_urls(client):
    login(client, commissioner())
    assert "Pactes locaux" in client.get(reverse("pacts:list")).content.decode()
    assert reverse("pacts:detail", args=["PL-2025-32-001"]) == "/pactes/PL-2025-32-001/"
    assert client.get("/pactes/ENVELOPPES-X/").status_code == 404
    login(client, make_role("measure_pilot"))
    assert "Pactes locaux" not in client.get(reverse("home")).content.decode()

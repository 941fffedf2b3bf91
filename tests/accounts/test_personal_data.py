"""« Mes données » (/accounts/compte/mes-donnees.json): everything held about the person, and nobody else's."""

import json

import pytest
from axes.models import AccessLog

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.accounts.models import AccessRequest, DigestPreference, Invitation, ProConnectIdentity
from pilotactions.api.services import token_create
from pilotactions.core.audit import audit_event_record
from tests.factories import UserFactory, login, make_contract, make_role

pytestmark = pytest.mark.django_db


def download(client) -> dict:
    response = client.get("/accounts/compte/mes-donnees.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    return json.loads(response.content)


@pytest.fixture
def person():
    user = UserFactory(first_name="Léa", last_name="Martin", email="lea.martin@nord.gouv.fr")
    role = make_role(R.DEPARTMENTAL_STATE, "59", user=user)
    admin = make_role(R.NATIONAL_ADMIN, user=UserFactory(first_name="Paul", last_name="Admin"))
    token, secret = token_create(role=role, name="Mon tableur", scope="read", days=30)
    ProConnectIdentity.objects.create(user=user, sub="sub-lea")
    DigestPreference.objects.create(user=user, enabled=False)
    Invitation.objects.create(
        email=user.email,
        first_name="Léa",
        last_name="Martin",
        role_kind=R.DEPARTMENTAL_STATE,
        organisation=role.organisation,
        invited_by=admin.user,
        token_hash="a" * 64,
        expires_at=user.date_joined,
    )
    Invitation.objects.create(
        email="invitee@nord.fr",
        first_name="Invité",
        last_name="Secret",
        role_kind=R.AUTHORITY_EDITOR,
        organisation=make_role(R.AUTHORITY_EDITOR, "59").organisation,
        invited_by=user,
        token_hash="b" * 64,
        expires_at=user.date_joined,
    )
    AccessRequest.objects.create(
        email=user.email,
        proconnect_sub="sub-lea",
        siret="12345678901234",
        organisation=role.organisation,
    )
    contract = make_contract("59")
    contract.title = "Changé par Léa"
    contract._history_user = user
    contract.save()
    audit_event_record(actor=role, verb="contract_updated", target=contract, message="Titre changé.")
    AccessLog.objects.create(username=user.email, ip_address="10.0.0.2", user_agent="Firefox", http_accept="*/*")
    # Someone else's data, which must not appear.
    other = make_role(R.DEPARTMENTAL_STATE, "33", user=UserFactory(first_name="Autre", last_name="Personne"))
    token_create(role=other, name="Jeton d’un autre", scope="read", days=30)
    audit_event_record(actor=other, verb="contract_updated", target=contract, message="Action de l’autre.")
    AccessLog.objects.create(username=other.user.email, ip_address="10.9.9.9", user_agent="Chrome", http_accept="*/*")
    return {"role": role, "token": token, "secret": secret, "other": other}


def test_my_data_holds_everything_about_me(client, person):
    login(client, person["role"])
    data = download(client)
    assert data["profil"]["adresse_electronique"] == "lea.martin@nord.gouv.fr"
    assert data["profil"]["nom"] == "Martin" and data["profil"]["prenom"] == "Léa"
    assert [r["role"] for r in data["roles"]] == ["Service départemental de l’État"]
    assert data["roles"][0]["organisation"] == "DDETS du Nord"
    assert data["identite_proconnect"]["identifiant_proconnect"] == "sub-lea"
    assert data["double_authentification"] == {"application_inscrite": True, "codes_de_secours_restants": 0}
    assert [t["nom"] for t in data["jetons_api"]] == ["Mon tableur"]
    assert [r["siret"] for r in data["demandes_acces"]] == ["12345678901234"]
    assert [i["invitee_par"] for i in data["invitations_recues"]] == ["Paul Admin"]
    assert [i["role"] for i in data["invitations_envoyees"]] == ["Agent de collectivité (saisie)"]
    assert data["notifications"]["recapitulatif_quotidien"] is False
    events = {e["description"]: e["evenement"] for e in data["journal_de_vos_actions"]}
    assert events["Titre changé."] == "Contrat modifié"
    assert "Action de l’autre." not in events
    history = data["historique_des_modifications"]
    assert history["nombre"] >= 1
    assert "contrat" in {m["type_objet"] for m in history["modifications"]}
    assert "10.0.0.2" in [c["adresse_ip"] for c in data["connexions"]]


def test_my_data_holds_no_secret_and_nobody_elses(client, person):
    login(client, person["role"])
    text = client.get("/accounts/compte/mes-donnees.json").content.decode()
    token = person["token"]
    assert person["secret"] not in text and token.token_hash not in text
    assert "Invité" not in text and "invitee@nord.fr" not in text  # the invited agent's identity
    assert "Jeton d’un autre" not in text and "Action de l’autre" not in text and "10.9.9.9" not in text
    assert person["other"].user.email not in text and "pbkdf2" not in text


def test_a_person_without_role_downloads_their_data(client):
    user = UserFactory()
    client.force_login(user)
    data = download(client)
    assert data["profil"]["adresse_electronique"] == user.email and data["roles"] == []


def test_the_account_page_links_to_it(client, person):
    login(client, person["role"])
    assert 'href="/accounts/compte/mes-donnees.json"' in client.get("/accounts/compte/").text


def test_the_public_register_lists_the_processings_and_this_instances_periods(client, settings):
    settings.ACCOUNT_INACTIVITY_DEACTIVATE_DAYS = 200
    settings.ACCOUNT_PSEUDONYMISE_DAYS = 700
    page = client.get("/donnees-personnelles/").text
    assert "Registre des traitements" in page
    for processing in ["Comptes des agents", "Identité ProConnect", "Journal des actions", "Traces de connexion"]:
        assert processing in page
    assert "Fermé après 200 jours sans connexion" in page and "700 jours après la fermeture" in page

"""« Journal des actions »: who reads which events, the filters, the exports and the query budget."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.core.audit import audit_event_record
from pilotactions.core.models import AuditEvent
from tests.factories import UserFactory, login, make_contract, make_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Events of the Gironde (its DDETS, its département's council) and of the Nord, and one of a command."""
    gironde = make_role(R.DEPARTMENTAL_STATE, "33", user=UserFactory(first_name="Gaspard", last_name="Girondin"))
    nord = make_role(R.DEPARTMENTAL_STATE, "59", user=UserFactory(first_name="Nadia", last_name="Nordiste"))
    nord_referent = make_role(R.AUTHORITY_REFERENT, "59")
    gironde_referent = make_role(R.AUTHORITY_REFERENT, "33")
    contract_59 = make_contract("59")
    contract_33 = make_contract("33")
    AuditEvent.objects.all().delete()  # the factories' own events (commands)
    events = {
        "event_gironde": audit_event_record(actor=gironde, verb="invitation_sent", target=gironde, message="Gironde 1"),
        "event_gironde_authority": audit_event_record(
            actor=gironde_referent, verb="contract_updated", target=contract_33, message="=Gironde 2"
        ),
        "event_nord": audit_event_record(actor=nord, verb="role_granted", target=nord, message="Nord 1"),
        "event_nord_authority": audit_event_record(
            actor=nord_referent, verb="contract_updated", target=contract_59, message="Nord 2"
        ),
        "event_command": audit_event_record(actor=None, verb="access_request_created", target=nord, message="Commande"),
    }
    return {"gironde": gironde, "nord": nord, "contract_59": contract_59, "contract_33": contract_33, **events}


def messages_of(response) -> set[str]:
    return {row["event"].message for row in response.context["rows"]}


def test_national_admin_reads_every_event(client, world):
    login(client, make_role(R.NATIONAL_ADMIN))
    response = client.get("/accounts/journal/")
    assert response.status_code == 200
    assert messages_of(response) == {"Gironde 1", "=Gironde 2", "Nord 1", "Nord 2", "Commande"}
    assert "Journal des actions" in response.text


def test_a_departements_administrator_reads_its_territorys_events_only(client, world):
    login(client, world["nord"])
    response = client.get("/accounts/journal/")
    assert response.status_code == 200
    assert messages_of(response) == {"Nord 1", "Nord 2"}
    assert "Gironde" not in response.text


def test_the_export_keeps_the_territory(client, world):
    login(client, world["nord"])
    response = client.get("/accounts/journal/export.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Nord 1" in text and "Nord 2" in text
    assert "Gironde" not in text and "Commande" not in text


def test_a_regional_administrator_reads_its_regions_events(client, world):
    login(client, make_role(R.REGIONAL, "32"))  # Hauts-de-France: the Nord
    assert messages_of(client.get("/accounts/journal/")) == {"Nord 1", "Nord 2"}


@pytest.mark.parametrize(
    ("kind", "code"),
    [(R.AUTHORITY_EDITOR, "59"), (R.AUTHORITY_REFERENT, "59"), (R.NATIONAL_READER, None), (R.MEASURE_PILOT, "DGCS")],
)
def test_others_get_a_403(client, world, kind, code):
    login(client, make_role(kind, code))
    for url in ["/accounts/journal/", "/accounts/journal/export.csv", "/accounts/journal/export.xlsx"]:
        assert client.get(url).status_code == 403, url


def test_the_menu_shows_the_journal_to_its_readers_only(client, world):
    login(client, world["nord"])
    assert 'href="/accounts/journal/"' in client.get("/").text
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    assert 'href="/accounts/journal/"' not in client.get("/").text


def test_rows_name_the_actor_the_role_the_verb_in_french_and_link_the_contract(client, world):
    login(client, make_role(R.NATIONAL_ADMIN))
    response = client.get("/accounts/journal/")
    assert "Gaspard Girondin" in response.text
    assert "Service départemental de l’État" in response.text
    assert "<td>Rôle accordé</td>" in response.text
    assert f'href="/contrats/{world["contract_59"].reference}/"' in response.text


def test_links_only_to_objects_the_viewer_reads(client, world):
    login(client, world["nord"])
    response = client.get("/accounts/journal/")
    assert f'href="/contrats/{world["contract_59"].reference}/"' in response.text
    assert world["contract_33"].reference not in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("person=girondin", {"Gironde 1"}),
        ("person=Gaspard+Girondin", {"Gironde 1"}),
        ("organisation=gironde", {"Gironde 1", "=Gironde 2"}),
        ("verb=contract_updated", {"=Gironde 2", "Nord 2"}),
        ("target_type=contracts.contract", {"=Gironde 2", "Nord 2"}),
        ("verb=role_granted&organisation=nord", {"Nord 1"}),
        ("verb=not_a_verb", {"Gironde 1", "=Gironde 2", "Nord 1", "Nord 2", "Commande"}),  # refused, ignored
        ("start=2000-01-01&end=2000-01-31", set()),
        ("start=pas-une-date", {"Gironde 1", "=Gironde 2", "Nord 1", "Nord 2", "Commande"}),
    ],
)
def test_filters(client, world, query, expected):
    login(client, make_role(R.NATIONAL_ADMIN))
    response = client.get(f"/accounts/journal/?{query}")
    assert response.status_code == 200
    assert messages_of(response) == expected


def test_filter_by_object_label_or_id_and_by_period(client, world):
    login(client, make_role(R.NATIONAL_ADMIN))
    reference = world["contract_59"].reference
    assert messages_of(client.get(f"/accounts/journal/?target={reference}")) == {"Nord 2"}
    assert messages_of(client.get(f"/accounts/journal/?target={world['contract_59'].pk}")) >= {"Nord 2"}
    AuditEvent.objects.filter(message="Nord 1").update(occurred_at=timezone.now() - datetime.timedelta(days=40))
    today = timezone.localdate()
    since = (today - datetime.timedelta(days=1)).isoformat()
    assert "Nord 1" not in messages_of(client.get(f"/accounts/journal/?start={since}"))
    until = (today - datetime.timedelta(days=30)).isoformat()
    assert messages_of(client.get(f"/accounts/journal/?end={until}")) == {"Nord 1"}


def test_an_inverted_period_is_explained(client, world):
    login(client, make_role(R.NATIONAL_ADMIN))
    response = client.get("/accounts/journal/?start=2026-02-01&end=2026-01-01")
    assert response.status_code == 200
    assert "La date de fin précède la date de début" in response.text


def test_xlsx_export_content_and_formula_protection(client, world):
    login(client, make_role(R.NATIONAL_ADMIN))
    response = client.get("/accounts/journal/export.xlsx?verb=contract_updated")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("Date", "Personne", "Adresse électronique", "Rôle", "Organisation", "Événement")
    messages = {row[9] for row in rows[1:]}
    assert messages == {"=Gironde 2", "Nord 2"}
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "=Gironde 2")
    assert cell.data_type == "s"  # text, never a formula
    assert {row[5] for row in rows[1:]} == {"Contrat modifié"}


def test_csv_export_protects_formulas(client, world):
    login(client, make_role(R.NATIONAL_ADMIN))
    text = b"".join(client.get("/accounts/journal/export.csv").streaming_content).decode("utf-8-sig")
    assert "'=Gironde 2" in text
    assert text.splitlines()[0].startswith("Date;Personne;")


def test_unknown_export_format_is_a_404(client, world):
    login(client, make_role(R.NATIONAL_ADMIN))
    assert client.get("/accounts/journal/export.html").status_code == 404


def test_the_page_reads_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    admin = login(client, make_role(R.NATIONAL_ADMIN))
    for index in range(60):
        contract = world["contract_59"] if index % 2 else world["contract_33"]
        audit_event_record(actor=admin, verb="contract_updated", target=contract, message=f"n° {index}")
    with django_assert_max_num_queries(15):
        assert client.get("/accounts/journal/").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get("/accounts/journal/?page=2&person=a").status_code == 200

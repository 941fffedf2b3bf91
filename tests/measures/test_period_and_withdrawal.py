"""The dashboard shows an explicitly chosen period, the last closed committee's by default, never the latest
period someone typed; a mistaken value is withdrawn by its author or the delegation, with a reason, and no
longer counts anywhere while it stays in the history (issue 18)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.core.models import AuditEvent
from pilotactions.measures import selectors, services
from pilotactions.measures.enums import CommitteeState
from pilotactions.measures.models import Committee, Objective, ObjectiveValue
from tests.factories import login, make_role

pytestmark = pytest.mark.django_db

CEJ = {"measure__number": 12, "order": 1}  # CEJ-JR, piloted by the DGEFP, target 50 000


def cej_row(context) -> dict:
    row = next(r for g in context["groups"] for r in g["rows"] if r["number"] == 12)
    return row["objectives"][0]


def xlsx_lines(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(response.content))["Tableau de bord"]
    return list(sheet.iter_rows(values_only=True))


# --- The period shown ----------------------------------------------------------------------------------


def test_the_default_period_is_the_last_closed_committee_s_not_a_later_entry(client, measures):
    pilot = make_role(R.MEASURE_PILOT, "DGEFP")
    services.value_record(objective=Objective.objects.get(**CEJ), role=pilot, period="2025-S1", value=Decimal(30000))
    login(client, make_role(R.NATIONAL_READER))
    response = client.get("/mesures/")
    page = response.content.decode()
    assert response.context["period"] == "2024"
    assert "Période affichée : 2024</strong> (dernier comité clos, séance du 17/03/2025)" in page
    assert cej_row(response.context)["value_period"] != "2025-S1"
    assert selectors.dashboard()["period"] == "2024"  # the bilan's chapter I reads the same default

    export = client.get("/mesures/tableau-de-bord.xlsx")
    assert export["Content-Disposition"].endswith('-2024.xlsx"')
    assert xlsx_lines(export)[1][0] == "Taux de réalisation en 2024 (dernier comité clos, séance du 17/03/2025)"


def test_a_later_closed_committee_moves_the_default_and_without_one_the_last_half_year_over(measures):
    admin = make_role(R.NATIONAL_ADMIN)
    committee = services.committee_save(
        committee=Committee(date=date(2025, 10, 6), period="2025-S1", reminder_days=[]), role=admin
    )
    assert selectors.default_period() == "2024"  # a draft session does not count
    services.committee_close(committee=committee, role=admin)
    assert selectors.default_shown_period().period == "2025-S1"
    Committee.objects.update(state=CommitteeState.DRAFT)
    shown = selectors.default_shown_period()
    assert shown.period == selectors.last_half_year_over() and "aucun comité n’est clos" in shown.reason
    assert selectors.last_half_year_over(date(2026, 12, 4)) == "2026-S1"
    assert selectors.last_half_year_over(date(2026, 3, 1)) == "2025-S2"


def test_an_explicit_period_is_shown_and_followed_by_the_print_and_xlsx_links(client, measures):
    pilot = login(client, make_role(R.MEASURE_PILOT, "DGEFP"))
    services.value_record(objective=Objective.objects.get(**CEJ), role=pilot, period="2025-S1", value=Decimal(30000))
    response = client.get("/mesures/?period=2025-S1&axis=AXE2")
    page = response.content.decode()
    assert response.context["period"] == "2025-S1"
    assert "Période affichée : 1er semestre 2025</strong> (période choisie)" in page
    assert cej_row(response.context)["rate_text"] == "60%"
    assert '<option value="2025-S1" selected>1er semestre 2025</option>' in page
    assert "/mesures/tableau-de-bord.pdf?period=2025-S1&amp;axis=AXE2" in page
    assert "/mesures/tableau-de-bord.xlsx?period=2025-S1&amp;axis=AXE2" in page
    export = client.get("/mesures/tableau-de-bord.xlsx?period=2025-S1&axis=AXE2")
    lines = xlsx_lines(export)
    assert lines[1][0] == "Taux de réalisation en 1er semestre 2025 (période choisie)"
    assert any(line[1] == 12 and line[5] == "60%" for line in lines[3:])


@pytest.mark.parametrize("requested", ["2099-S7", "n’importe quoi", "2031", "<script>alert(1)</script>"])
def test_an_invalid_period_shows_the_default_with_a_french_message(client, measures, requested):
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    response = client.get("/mesures/", {"period": requested, "axis": "AXE2"})
    page = response.content.decode()
    assert response.status_code == 200 and response.context["period"] == "2024"
    assert "n’est pas proposée par le tableau de bord : la période par défaut (2024" in page
    assert "<script>alert" not in page
    assert {r["axis"] for g in response.context["groups"] for r in g["rows"]} == {"AXE2"}  # other filters kept
    export = client.get("/mesures/tableau-de-bord.xlsx", {"period": requested})
    assert export.status_code == 200 and export["Content-Disposition"].endswith('-2024.xlsx"')


# --- Withdrawing a mistaken value ----------------------------------------------------------------------------


@pytest.fixture
def mistaken(measures):
    """A value typed by a DGEFP pilot for the CEJ-JR, 1st half of 2025 (60 %)."""
    author = make_role(R.MEASURE_PILOT, "DGEFP")
    value = services.value_record(
        objective=Objective.objects.get(**CEJ), role=author, period="2025-S1", value=Decimal(30000)
    )
    return author, value


def test_its_author_withdraws_a_value_with_a_reason_through_a_confirmation(client, mistaken):
    author, value = mistaken
    login(client, author)
    detail = client.get("/mesures/12/").content.decode()
    assert f'href="/mesures/valeurs/{value.pk}/retirer/"' in detail
    confirm = client.get(f"/mesures/valeurs/{value.pk}/retirer/")
    assert confirm.status_code == 200 and "Retirer cette valeur" in confirm.content.decode()
    refused = client.post(f"/mesures/valeurs/{value.pk}/retirer/", {"reason": "  "})
    assert refused.status_code == 200 and "Indiquez pourquoi cette valeur est retirée" in refused.content.decode()
    assert ObjectiveValue.objects.filter(pk=value.pk).exists()

    response = client.post(
        f"/mesures/valeurs/{value.pk}/retirer/", {"reason": "Erreur de saisie : chiffre du Nord"}, follow=True
    )
    page = response.content.decode()
    assert "valeur retirée. Elle n’est plus comptée" in page
    withdrawn = ObjectiveValue.all_objects.get(pk=value.pk)
    assert withdrawn.withdrawn_by == author.user and withdrawn.withdrawal_reason == "Erreur de saisie : chiffre du Nord"
    assert not ObjectiveValue.objects.filter(pk=value.pk).exists()
    assert "Retirée</span>" in page and "motif : Erreur de saisie : chiffre du Nord" in page
    assert f'href="/mesures/valeurs/{value.pk}/retirer/"' not in page
    again = client.get(f"/mesures/valeurs/{value.pk}/retirer/", follow=True)
    assert "Cette valeur a déjà été retirée." in again.content.decode()


def test_a_national_admin_withdraws_any_value_and_it_is_audited(mistaken):
    _author, value = mistaken
    admin = make_role(R.NATIONAL_ADMIN)
    services.value_withdraw(admin, value, "Doublon de la remontée ASP")
    withdrawn = ObjectiveValue.all_objects.get(pk=value.pk)
    assert withdrawn.withdrawn_by == admin.user and withdrawn.updated_at == value.updated_at  # entered on, kept
    event = AuditEvent.objects.get(verb="objective_value_withdrawn")
    assert event.actor == admin.user and event.target_id == str(value.pk)
    assert event.message == "Objectif 12.1, 1er semestre 2025 : valeur retirée. Motif : Doublon de la remontée ASP"
    assert event.data["reason"] == "Doublon de la remontée ASP" and event.data["value"] == "30000"
    with pytest.raises(ValidationError, match="déjà été retirée"):
        services.value_withdraw(admin, value, "encore")
    assert AuditEvent.objects.filter(verb="objective_value_withdrawn").count() == 1


def test_a_reason_is_required(mistaken):
    author, value = mistaken
    with pytest.raises(ValidationError, match="Indiquez pourquoi"):
        services.value_withdraw(author, value, " ")
    assert ObjectiveValue.objects.filter(pk=value.pk).exists()
    assert not AuditEvent.objects.filter(verb="objective_value_withdrawn").exists()


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (R.MEASURE_PILOT, "DGEFP"),  # another pilot of the same administration, not the author
        (R.MEASURE_PILOT, "DGCS"),  # a pilot of another administration
        (R.NATIONAL_READER, None),
        (R.REGIONAL, "32"),
        (R.DEPARTMENTAL_STATE, "59"),
    ],
)
def test_nobody_else_withdraws_a_value(client, mistaken, kind, code):
    _author, value = mistaken
    other = make_role(kind, code)
    with pytest.raises(PermissionDenied):
        services.value_withdraw(other, value, "Je ne suis pas d’accord")
    login(client, other)
    assert client.get(f"/mesures/valeurs/{value.pk}/retirer/").status_code == 403
    assert client.post(f"/mesures/valeurs/{value.pk}/retirer/", {"reason": "non"}).status_code == 403
    assert f"/mesures/valeurs/{value.pk}/retirer/" not in client.get("/mesures/12/").content.decode()
    assert ObjectiveValue.objects.filter(pk=value.pk).exists()


def test_an_authority_role_is_refused(client, mistaken):
    _author, value = mistaken
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    assert client.post(f"/mesures/valeurs/{value.pk}/retirer/", {"reason": "non"}).status_code == 403


def test_a_withdrawn_value_no_longer_counts_on_the_dashboard_the_export_or_a_live_committee(client, mistaken):
    author, value = mistaken
    admin = login(client, make_role(R.NATIONAL_ADMIN))
    session = services.committee_save(
        committee=Committee(date=date(2025, 10, 6), period="2025-S1", reminder_days=[]), role=admin
    )
    before = cej_row(client.get("/mesures/?period=2025-S1").context)
    assert before["rate_text"] == "60%" and before["value_period"] == "2025-S1"
    services.value_withdraw(author, value, "Erreur de saisie")

    after = cej_row(client.get("/mesures/?period=2025-S1").context)
    assert after["value_period"] != "2025-S1" and after["rate_text"] != "60%"
    lines = xlsx_lines(client.get("/mesures/tableau-de-bord.xlsx?period=2025-S1"))
    cej = next(line for line in lines[3:] if line[1] == 12)
    assert cej[5] == after["rate_text"] and cej[7] != "2025-S1"
    live = selectors.committee_dashboard(session)
    cej_live = next(r for r in live["rows"] if r["number"] == 12)["objectives"][0]
    assert cej_live["value_period"] != "2025-S1"
    late = selectors.compare(Committee.objects.get(date=date(2025, 3, 17)), session)["not_updated"]
    assert any(o["key"] == "12.1" for item in late for o in item["objectives"])  # no longer up to date


def test_the_period_can_be_entered_again_and_the_history_keeps_the_withdrawn_value(client, mistaken):
    author, value = mistaken
    services.value_withdraw(author, value, "Erreur de saisie")
    objective = value.objective
    again = services.value_record(objective=objective, role=author, period="2025-S1", value=Decimal(25000))
    assert again.pk != value.pk
    assert ObjectiveValue.all_objects.filter(objective=objective, period="2025-S1").count() == 2
    assert list(objective.values.filter(period="2025-S1")) == [again]
    login(client, make_role(R.NATIONAL_READER))
    history = client.get("/mesures/12/historique/").content.decode()
    assert "Valeur 1er semestre 2025 de l’objectif 12.1 (retirée) : modification" in history
    assert "motif du retrait : « Erreur de saisie »" in history.replace("Motif", "motif")


def test_the_loader_does_not_bring_a_withdrawn_published_value_back(measures):
    published = ObjectiveValue.objects.filter(period="2024", value__isnull=False).first()
    services.value_withdraw(make_role(R.NATIONAL_ADMIN), published, "Chiffre publié corrigé par la DGCS")
    services.measures_reference_load()
    assert not ObjectiveValue.objects.filter(objective=published.objective_id, period="2024").exists()

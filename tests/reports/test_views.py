import csv
import io

import pytest

from pilotactions.accounts.enums import RoleKind as R
from tests.factories import login, make_action, make_contract, make_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    make_action(make_contract("59"), title="Nord", lines=[(2024, "authority", "100")])
    make_action(make_contract("33"), title="Gironde", lines=[(2024, "authority", "300")])


@pytest.mark.parametrize(
    ("kind", "code", "query", "status"),
    [
        (R.NATIONAL_READER, None, {}, 200),
        (R.MEASURE_PILOT, "DGCS", {}, 200),  # national aggregates: every State role
        (R.DEPARTMENTAL_STATE, "33", {}, 200),
        (R.AUTHORITY_EDITOR, "59", {}, 200),  # an authority reads its own figures (by default), not the nation's
        (R.AUTHORITY_EDITOR, "59", {"authority": "59"}, 200),
        (R.DEPARTMENTAL_STATE, "33", {"departement": "33"}, 200),
        (R.REGIONAL, "32", {"region": "32"}, 200),
    ],
)
def test_who_reads_which_bilan(client, data, kind, code, query, status):
    login(client, make_role(kind, code))
    response = client.get("/bilan/chapitre/II/", query)
    assert response.status_code == status


def test_an_authority_agent_only_gets_its_authority(client, data):
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    assert client.get("/bilan/chapitre/II/").context["scope"].authority == "59"
    response = client.get("/bilan/chapitre/II/", {"authority": "59"})
    assert response.context["scope"].authority == "59"
    form = response.context["form"]
    assert [c for c, _ in form.fields["authority"].choices] == ["", "59"]
    other = client.get("/bilan/chapitre/II/", {"authority": "33"})  # not offered: refused, back to its own
    assert "authority" in other.context["form"].errors and other.context["scope"].authority == "59"


def test_detailed_rows_follow_what_the_role_may_read(client, data):
    login(client, make_role(R.DEPARTMENTAL_STATE, "33"))
    response = client.get("/bilan/figures/cls.budget.by_authority.csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode().removeprefix("\ufeff")), delimiter=";"))
    assert rows[0] == ["Code", "Modalité", "Départements", "Métropoles", "Ensemble"]  # labels, not codes
    assert [r[0] for r in rows[1:-1]] == ["33"]  # national aggregate, but only the Gironde's detail
    total = client.get("/bilan/figures/cls.budget.total.csv").getvalue().decode().removeprefix("\ufeff")
    total = list(csv.reader(io.StringIO(total), delimiter=";"))  # the CSV for French Excel (core.tabular.PEOPLE_CSV)
    assert total[4] == ["total", "Total", "400,00", "0,00", "400,00"]  # aggregates cover the nation


def test_chapter_page_draws_charts_with_tables_and_footers(client, data):
    login(client, make_role(R.NATIONAL_ADMIN))
    html = client.get("/bilan/chapitre/II/", {"complet": "1"}).content.decode()
    assert 'role="img"' in html and "Source : Pilot&#x27;actions · Date : " in html
    assert "Budgets totaux des contrats locaux des solidarités par région" in html
    svg = client.get("/bilan/figures/cls.axes.svg")
    assert svg["Content-Type"].startswith("image/svg+xml") and svg.content.startswith(b"<svg")
    assert client.get("/bilan/figures/cls.actions.count.svg").status_code == 404  # a number has no chart
    assert client.get("/bilan/figures/inconnue.csv").status_code == 404


def test_reports_are_generated_in_the_background_and_served_to_readers_only(
    client, data, settings, tmp_path, django_capture_on_commit_callbacks
):
    from pilotactions.reports.models import ReportJob

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    login(client, make_role(R.DEPARTMENTAL_STATE, "33"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/bilan/rapports/", {"format": "html", "year": "2024", "departement": "33"})
    job = ReportJob.objects.get()
    assert response["Location"] == f"/bilan/rapports/{job.pk}/"
    assert (job.status, job.progress, job.scope["departement"]) == ("done", 100, "33")
    assert job.title.startswith("Fiche Département de la Gironde")
    page = client.get(f"/bilan/rapports/{job.pk}/").content.decode()
    assert "est prêt" in page
    download = client.get(f"/bilan/rapports/{job.pk}/telecharger/")
    html = b"".join(download.streaming_content).decode()
    assert "Bilan des contrats et pactes locaux des solidarités 2024" in html and "Gironde" in html
    # Someone who may not read the Gironde cannot list nor fetch it.
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    assert client.get(f"/bilan/rapports/{job.pk}/telecharger/").status_code == 404
    assert job not in client.get("/bilan/rapports/").context["jobs"]
    login(client, make_role(R.REGIONAL, "75"))
    assert client.get(f"/bilan/rapports/{job.pk}/telecharger/").status_code == 200


def test_chapter_one_page_and_the_command_line_report(client, data, tmp_path):
    from django.core.management import call_command

    from pilotactions.measures.services import measures_reference_load

    measures_reference_load()
    login(client, make_role(R.NATIONAL_READER))
    html = client.get("/bilan/chapitre/I/", {"complet": "1"}).content.decode()
    assert "Fonds d’innovation pour la petite enfance" in html and "Lancement prévu en 2025 mais mis en pause" in html
    out = tmp_path / "fiche.html"
    call_command("bilan", format="html", out=str(out), region="75")
    text = out.read_text(encoding="utf-8")
    assert "Fiche Région Nouvelle-Aquitaine" in text and "Tableau de bord du Pacte" not in text  # a fiche: no chapter I
    national = tmp_path / "bilan.html"
    call_command("bilan", format="html", out=str(national))
    assert "Tableau de bord du Pacte des solidarités" in national.read_text(encoding="utf-8")


def test_the_bilan_offers_contract_campaigns_not_the_pacts_survey():
    from pilotactions.reports.forms import BilanFilterForm
    from tests.factories import make_campaign

    suivi = make_campaign()
    survey = make_campaign("enquete", types=())
    offered = set(BilanFilterForm().fields["campaign"].queryset)
    assert suivi in offered and survey not in offered


def test_a_chapter_page_comes_light_and_its_charts_and_tables_follow(client, data):
    """The page holds each figure's title, footer and downloads; its charts and tables come in one second
    request (htmx, out-of-band swaps into the placeholders), or inline with ?complet=1 (no JavaScript)."""
    from django.utils.html import escape

    login(client, make_role(R.NATIONAL_ADMIN))
    light = client.get("/bilan/chapitre/II/", {"region": "32"})
    html = light.content.decode()
    figures = [f for section in light.context["sections"] for f in section["figures"]]
    assert "<svg" not in html and "<table" not in html
    for figure in figures:
        assert f'<div id="corps-{figure["id"]}">' in html and escape(figure["footer"]) in html
    assert 'hx-get="/bilan/chapitre/II/graphiques/?region=32" hx-trigger="load" hx-swap="none"' in html
    assert 'href="?region=32&amp;complet=1#cls.budget.total"' in html
    bodies = client.get("/bilan/chapitre/II/graphiques/", {"region": "32"}).content.decode()
    for figure in figures:
        assert f'<div id="corps-{figure["id"]}" hx-swap-oob="true">' in bodies
    assert bodies.count("<table") == len(figures) and "<svg" in bodies
    full = client.get("/bilan/chapitre/II/", {"region": "32", "complet": "1"}).content.decode()
    assert full.count("<table") == len(figures) and "hx-trigger" not in full
    assert len(html.encode()) < len(full.encode()) / 3
    # The second request applies the same permissions as the page.
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    assert client.get("/bilan/chapitre/I/graphiques/").status_code == 403


@pytest.mark.parametrize(
    ("kind", "code", "regions", "departements"),
    [
        (R.AUTHORITY_REFERENT, "59", [], []),  # its région and département hold other authorities
        (R.DEPARTMENTAL_STATE, "59", [], ["59"]),
        (R.REGIONAL, "32", ["32"], ["02", "59", "60", "62", "80"]),  # every département of its région
    ],
)
def test_the_filters_offer_only_territories_the_role_reads(client, data, kind, code, regions, departements):
    login(client, make_role(kind, code))
    for chapter in ("II", "III"):
        form = client.get(f"/bilan/chapitre/{chapter}/").context["form"]
        assert [c for c, _ in form.fields["region"].choices if c] == regions
        assert [c for c, _ in form.fields["departement"].choices if c] == departements
        for region in regions:
            assert client.get(f"/bilan/chapitre/{chapter}/", {"region": region}).status_code == 200


def test_a_refused_filter_keeps_the_others(client, data):
    """« ?region=32&departement=zz »: the département is refused on the page, the région still applies."""
    login(client, make_role(R.NATIONAL_ADMIN))
    for chapter in ("II", "III"):
        response = client.get(f"/bilan/chapitre/{chapter}/", {"region": "32", "departement": "zz"})
        assert response.status_code == 200
        assert response.context["scope"].region == "32" and response.context["scope"].departement is None
        assert "departement" in response.context["form"].errors

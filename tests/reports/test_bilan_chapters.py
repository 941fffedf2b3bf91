"""The bilan's index and chapters: both reachable, each saying where its figures come from, tables that a keyboard
and a screen reader can use (no empty header, scrolling containers focusable and named)."""

from html.parser import HTMLParser

import pytest

from pilotactions.accounts.enums import RoleKind as R
from tests.factories import login, make_action, make_contract, make_role

pytestmark = pytest.mark.django_db


class Tables(HTMLParser):
    """The header cells (text, attributes) and the scrolling containers of a page."""

    def __init__(self, html):
        super().__init__()
        self.headers, self.containers, self.open = [], [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "th":
            self.open = {"attrs": attrs, "text": ""}
            self.headers.append(self.open)
        if "fr-table__container" in (attrs.get("class") or "").split():
            self.containers.append(attrs)

    def handle_endtag(self, tag):
        if tag == "th":
            self.open = None

    def handle_data(self, data):
        if self.open is not None:
            self.open["text"] += data


@pytest.fixture
def data():
    from pilotactions.measures.services import measures_reference_load

    measures_reference_load()
    make_action(make_contract("59"), title="Nord", lines=[(2024, "authority", "100")])


def test_the_index_links_every_chapter_its_role_reads(client, data):
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    html = client.get("/bilan/").content.decode()
    assert 'href="/bilan/chapitre/I/"' in html and 'href="/bilan/chapitre/II/"' in html
    assert "Chapitre I — Bilan des mesures nationales" in html
    assert "Chapitre II — Bilan des contrats locaux des solidarités" in html
    # An authority's agents read their contracts' chapter; the measures are the State's (as on /mesures/).
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    html = client.get("/bilan/").content.decode()
    assert 'href="/bilan/chapitre/II/"' in html and 'href="/bilan/chapitre/I/"' not in html
    response = client.get("/bilan/chapitre/I/")
    assert response.status_code == 403
    assert "réservé aux services de l’État" in response.content.decode()


def test_the_chapters_link_to_each_other_and_say_where_their_figures_come_from(client, data):
    login(client, make_role(R.NATIONAL_ADMIN))
    first = client.get("/bilan/chapitre/I/").content.decode()
    assert 'href="/bilan/chapitre/II/"' in first and 'href="/bilan/"' in first
    assert '<a class="fr-btn" aria-current="page" href="/bilan/chapitre/I/">' in first
    assert "tableau de bord des mesures nationales" in first and "saisies par les administrations pilotes" in first
    assert "calculée à partir des fiches-actions" not in first
    assert "Appliquer les filtres" not in first  # national whatever the territory: no filter that changes nothing
    second = client.get("/bilan/chapitre/II/").content.decode()
    assert 'href="/bilan/chapitre/I/"' in second
    assert '<a class="fr-btn" aria-current="page" href="/bilan/chapitre/II/">' in second
    assert "calculée à partir des fiches-actions" in second and "Appliquer les filtres" in second
    assert client.get("/bilan/chapitre/IV/").status_code == 404


@pytest.mark.parametrize("chapter", ["I", "II"])
def test_no_empty_table_header_and_scrolling_tables_reachable_with_the_keyboard(client, data, chapter):
    login(client, make_role(R.NATIONAL_ADMIN))
    page = Tables(client.get(f"/bilan/chapitre/{chapter}/", {"complet": "1"}).content.decode())
    assert page.headers and all(th["text"].strip() for th in page.headers), [
        th for th in page.headers if not th["text"].strip()
    ]
    assert page.containers
    for container in page.containers:
        assert container["tabindex"] == "0" and container["role"] == "region"
        assert container["aria-label"].endswith("— tableau des données")


def test_a_measure_with_several_objectives_heads_all_their_rows(client, data):
    """Measure 2 has four 2027 objectives: one row each, under one row header spanning the four."""
    from pilotactions.measures.models import Measure

    login(client, make_role(R.NATIONAL_READER))
    page = Tables(client.get("/bilan/chapitre/I/", {"complet": "1"}).content.decode())
    objectives = Measure.objects.get(number=2).objectives.count()
    assert objectives > 1
    header = next(th for th in page.headers if th["text"].strip().startswith("2. "))
    assert header["attrs"] == {"scope": "row", "class": "fr-cell--multiline", "rowspan": str(objectives)}
    single = next(th for th in page.headers if th["text"].strip().startswith("1. "))
    assert "rowspan" not in single["attrs"]
    assert [th["text"] for th in page.headers if th["attrs"].get("scope") == "col"][:4] == [
        "Mesure",
        "Objectifs 2027",
        "Taux de réalisation 2024",
        "Statut",
    ]


def test_the_accessibility_statement_follows_the_rgaa_model(client):
    html = client.get("/accessibilite/").content.decode()
    assert "partiellement conforme" in html and "non conforme" not in html
    for heading in [
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration d’accessibilité",
        "Retour d’information et contact",
        "Voies de recours",
    ]:
        assert f"<h2>{heading}</h2>" in html
    assert "axe-core" in html and "Défenseur des droits" in html and "ne sont pas balisés" in html
    assert ">Accessibilité : partiellement conforme</a>" in html  # the footer says it, on every page

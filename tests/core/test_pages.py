import pytest

pytestmark = pytest.mark.django_db

FOOTER_LINKS = ["Accessibilité : partiellement conforme", "Mentions légales", "Données personnelles", "Plan du site"]


def test_home_presents_the_service_with_dsfr_assets(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/dsfr/dist/dsfr/dsfr.min.css" in html
    assert "dsfr.module.min.js" in html
    assert "Piloter les contrats du Pacte des solidarités" in html
    assert "102 collectivités éligibles à l’échelle départementale" in html
    assert "23 collectivités éligibles à l’échelle intercommunale" in html
    for label in FOOTER_LINKS:
        assert label in html


@pytest.mark.parametrize("path", ["/accessibilite/", "/mentions-legales/", "/donnees-personnelles/", "/plan-du-site/"])
def test_legal_pages_render_in_french(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert 'lang="fr"' in response.content.decode()


def test_unknown_page_gets_the_french_404(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_dsfr_static_files_are_served(live_server):
    from urllib.request import urlopen

    with urlopen(f"{live_server.url}/static/dsfr/dist/dsfr/dsfr.min.css") as response:
        assert response.status == 200
        assert b".fr-header" in response.read()

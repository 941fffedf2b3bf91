"""Grid entry of a suivi dossier (issue 18): one row per action, each cell saved on its own through the
per-action form's rules and the service's token; the same permissions and dossier states as the per-action page."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns import services
from pilotactions.campaigns.models import Dossier
from pilotactions.contracts.models import ActionYear
from pilotactions.contracts.services import action_withdraw
from tests.factories import login, make_action, make_campaign, make_contract, make_role, option

pytestmark = pytest.mark.django_db


@pytest.fixture
def suivi():
    contract = make_contract("59")
    first = make_action(contract, title="Référents de parcours", lines=[(2024, "state", "100")])
    second = make_action(contract, title="Maraudes mixtes")  # no yearly record yet
    dossier = make_campaign("suivi").dossiers.get()
    return {"contract": contract, "actions": [first, second], "dossier": dossier}


def grid_url(dossier):
    return f"/dossiers/{dossier.pk}/grille/"


def cell_url(dossier, action, field):
    return f"/dossiers/{dossier.pk}/grille/{action.reference}/{field}/"


def token_of(action, year=2024):
    return services.execution_token(ActionYear.objects.filter(action=action, year=year).first())


def post_cell(client, dossier, action, field, value, token=None, **headers):
    prefix = f"a{action.pk}"
    data = {f"{prefix}-{field}": value, f"{prefix}-token": token_of(action) if token is None else token}
    return client.post(cell_url(dossier, action, field), data, headers={"HX-Request": "true", **headers})


def test_grid_lists_each_active_action_with_labelled_fields(client, suivi):
    dossier, (first, second) = suivi["dossier"], suivi["actions"]
    withdrawn = make_action(suivi["contract"], title="Action abandonnée")
    action_withdraw(
        action=withdrawn, role=make_role(R.NATIONAL_ADMIN), reason="Doublon", expected_version=withdrawn.version
    )
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    page = client.get(f"/dossiers/{dossier.pk}/").content.decode()
    assert f'href="{grid_url(dossier)}">Saisir en grille</a>' in page
    page = client.get(grid_url(dossier)).content.decode()
    assert "2 actions actives" in page
    assert f'<th scope="row" class="pa-grid__action">\n    {first.reference}<br>Référents de parcours' in page
    assert withdrawn.reference not in page
    assert '<th scope="col">Dépense réalisée — État (€)</th>' in page
    assert f'aria-label="Bénéficiaires touchés — {second.reference} Maraudes mixtes"' in page
    assert f'hx-post="{cell_url(dossier, first, "spent_state")}"' in page
    assert "Les valeurs des indicateurs se saisissent sur la fiche de suivi" in page
    assert f'href="/dossiers/{dossier.pk}/actions/{second.reference}/"' in page


def test_a_cell_saves_through_the_form_and_the_service(client, suivi):
    dossier, (first, second) = suivi["dossier"], suivi["actions"]
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    response = post_cell(client, dossier, first, "spent_authority", "12 500,50 €")
    assert response.status_code == 200
    html = response.content.decode()
    year = ActionYear.objects.get(action=first, year=2024)
    assert year.spent_authority == Decimal("12500.50") and year.planned_total == 100
    assert '<p class="fr-valid-text fr-mt-1v">Enregistré</p>' in html
    assert 'value="12500,50"' in html  # the saved value, in French
    # the row's new token, swapped out of band, and the announcement for screen readers
    assert f'value="{token_of(first)}" id="grille-a{first.pk}-jeton" hx-swap-oob="true"' in html
    assert "Enregistré : Dépense réalisée — collectivité (€) — action" in html
    # The token sent back is the stored row's: the next cell saves with it (« 80 » is stored as « 80.00 »).
    response = post_cell(client, dossier, first, "spent_state", "80")
    token = response.content.decode().split(f'id="grille-a{first.pk}-jeton"')[0].rsplit('value="', 1)[1][:16]
    assert post_cell(client, dossier, first, "spent_third_party", "5", token=token).status_code == 200
    # Only the changed cell is written: the other fields keep their values, the next cell uses the new token.
    status = option("etat_avancement_actions", "AV_EN_COURS")
    assert post_cell(client, dossier, first, "progress_status", status.pk).status_code == 200
    assert post_cell(client, dossier, first, "deployment_satisfactory", "false").status_code == 200
    year.refresh_from_db()
    assert (year.progress_status.code, year.deployment_satisfactory, year.spent_authority) == (
        "AV_EN_COURS",
        False,
        Decimal("12500.50"),
    )
    # An action without a yearly record gets one at its first cell; clearing a cell empties it.
    assert post_cell(client, dossier, second, "assessment", "Démarrage en septembre").status_code == 200
    assert ActionYear.objects.get(action=second, year=2024).assessment == "Démarrage en septembre"
    assert post_cell(client, dossier, first, "spent_authority", "").status_code == 200
    assert ActionYear.objects.get(action=first, year=2024).spent_authority is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("spent_state", "-3", "Le montant ne peut pas être négatif."),
        ("beneficiaries_reached", "-1", "Le nombre ne peut pas être négatif."),
        ("beneficiaries_reached", "beaucoup", "Saisissez un nombre entier."),
        ("deployment_satisfactory", "peut-être", "Sélectionnez un choix valide."),
        ("progress_status", "999999", "Sélectionnez un choix valide."),
    ],
)
def test_an_invalid_cell_says_why_in_french_and_saves_nothing(client, suivi, field, value, message):
    dossier, first = suivi["dossier"], suivi["actions"][0]
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    before = token_of(first)
    response = post_cell(client, dossier, first, field, value)
    html = response.content.decode()
    assert response.status_code == 422
    assert message in html and "Non enregistré" in html
    assert f'aria-describedby="id_a{first.pk}-{field}-erreur"' in html and 'aria-invalid="true"' in html
    assert f'value="{value}"' in html or "<select" in html  # what was typed stays in the cell
    assert token_of(first) == before  # nothing written


def test_a_stale_token_shows_the_current_row_and_overwrites_nothing(client, suivi):
    dossier, first = suivi["dossier"], suivi["actions"][0]
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    seen = token_of(first)
    # Someone else saves the row meanwhile (another cell).
    assert post_cell(client, dossier, first, "assessment", "Version de la collègue").status_code == 200
    response = post_cell(client, dossier, first, "spent_state", "80", token=seen)
    html = response.content.decode()
    assert response.status_code == 409
    assert response["HX-Retarget"] == f"#grille-a{first.pk}" and response["HX-Reswap"] == "outerHTML"
    assert "Quelqu’un a modifié cette action entre-temps" in html
    assert "Version de la collègue" in html  # the current values, with the new token
    assert f'value="{token_of(first)}"' in html
    year = ActionYear.objects.get(action=first, year=2024)
    assert year.spent_state is None and year.assessment == "Version de la collègue"
    # A missing token is treated the same way: nothing is written blind.
    assert post_cell(client, dossier, first, "spent_state", "80", token="").status_code == 409
    assert ActionYear.objects.get(action=first, year=2024).spent_state is None


def test_a_row_saves_without_javascript(client, suivi):
    dossier, first = suivi["dossier"], suivi["actions"][0]
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    prefix = f"a{first.pk}"
    data = {
        "ligne": first.reference,
        f"{prefix}-token": token_of(first),
        f"{prefix}-spent_state": "80",
        f"{prefix}-beneficiaries_reached": "42",
        f"{prefix}-deployment_satisfactory": "true",
        f"{prefix}-assessment": "Bon démarrage",
    }
    response = client.post(grid_url(dossier), data)
    assert response.status_code == 302 and response["Location"] == f"{grid_url(dossier)}#grille-{prefix}"
    year = ActionYear.objects.get(action=first, year=2024)
    assert (year.spent_state, year.beneficiaries_reached, year.deployment_satisfactory) == (Decimal(80), 42, True)
    stale = client.post(grid_url(dossier), {**data, f"{prefix}-assessment": "Autre version"})
    assert "Quelqu’un a modifié cette action entre-temps" in stale.content.decode()
    invalid = client.post(
        grid_url(dossier), {**data, f"{prefix}-token": token_of(first), f"{prefix}-spent_state": "-1"}
    )
    assert "Cette ligne n’a pas été enregistrée" in invalid.content.decode()
    assert "Le montant ne peut pas être négatif." in invalid.content.decode()
    assert ActionYear.objects.get(action=first, year=2024).assessment == "Bon démarrage"
    assert client.post(grid_url(dossier), {**data, "ligne": "INCONNUE"}).status_code == 404


@pytest.mark.parametrize(
    ("kind", "code", "read", "write"),
    [
        (R.AUTHORITY_EDITOR, "59", 200, 200),
        (R.AUTHORITY_REFERENT, "59", 200, 200),
        (R.DEPARTMENTAL_STATE, "59", 200, 200),
        (R.NATIONAL_ADMIN, None, 200, 200),
        (R.NATIONAL_READER, None, 200, 403),
        (R.REGIONAL, "32", 200, 403),
        (R.AUTHORITY_EDITOR, "33", 404, 404),  # another département's authority
        (R.DEPARTMENTAL_STATE, "33", 404, 404),  # another département's State service
    ],
)
def test_permission_matrix(client, suivi, kind, code, read, write):
    dossier, first = suivi["dossier"], suivi["actions"][0]
    login(client, make_role(kind, code))
    page = client.get(grid_url(dossier))
    assert page.status_code == read
    if read == 200:
        editable = write == 200
        assert ("hx-post" in page.content.decode()) is editable
        assert ("La grille est en lecture seule." in page.content.decode()) is not editable
    assert post_cell(client, dossier, first, "spent_state", "10").status_code == write
    saved = ActionYear.objects.get(action=first, year=2024).spent_state
    assert saved == (Decimal(10) if write == 200 else None)
    row = {"ligne": first.reference, f"a{first.pk}-token": token_of(first), f"a{first.pk}-spent_state": "20"}
    assert client.post(grid_url(dossier), row).status_code == {200: 302}.get(write, write)


@pytest.mark.parametrize("state", ["submitted", "validated"])
def test_a_submitted_or_validated_dossier_is_read_only(client, suivi, state):
    dossier, first = suivi["dossier"], suivi["actions"][0]
    Dossier.objects.filter(pk=dossier.pk).update(state=state)
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    assert "Saisir en grille" not in client.get(f"/dossiers/{dossier.pk}/").content.decode()
    page = client.get(grid_url(dossier)).content.decode()
    assert "hx-post" not in page and "il ne se modifie plus" in page and "La grille est en lecture seule." in page
    assert "100,00" not in page  # planned amounts are not follow-up values; the cells read « — »
    response = post_cell(client, dossier, first, "spent_state", "10")
    assert response.status_code == 403
    assert "il ne se modifie plus" in response.content.decode()  # the cell says why, read-only
    assert ActionYear.objects.get(action=first, year=2024).spent_state is None


def test_grid_of_a_programmation_dossier_or_an_unknown_field_is_not_found(client, suivi):
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    dossier, first = suivi["dossier"], suivi["actions"][0]
    assert post_cell(client, dossier, first, "planned_state", "10").status_code == 404
    assert client.get(cell_url(dossier, first, "spent_state")).status_code == 405
    programmation = make_campaign("programmation", name="Programmation").dossiers.get()
    assert client.get(grid_url(programmation)).status_code == 404


def test_read_only_cells_in_french_formats(client, suivi):
    dossier, first = suivi["dossier"], suivi["actions"][0]
    year = ActionYear.objects.get(action=first, year=2024)
    year.spent_state, year.beneficiaries_reached, year.deployment_satisfactory = Decimal("1234.5"), 1500, True
    year.save()
    login(client, make_role(R.NATIONAL_READER))
    page = client.get(grid_url(dossier)).content.decode()
    cells = page.split(f'id="grille-a{first.pk}-')[1:]
    assert [cell.split("</td>")[0].split(">", 1)[1].strip() for cell in cells] == [
        "—",
        "Oui",
        "1\u202f234,50\u202f€",
        "—",
        "—",
        "1\u202f500",
        "—",
        "—",
    ]


def test_grid_page_query_count_does_not_grow_with_the_actions(client, suivi):
    dossier, contract = suivi["dossier"], suivi["contract"]
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(grid_url(dossier)).status_code == 200
        return len(queries)

    small = count()
    for number in range(12):
        action = make_action(contract, title=f"Action {number}", lines=[(2024, "authority", "10")])
        services.execution_update(
            dossier=Dossier.objects.get(pk=dossier.pk),
            action=action,
            role=make_role(R.NATIONAL_ADMIN),
            values={"progress_status": option("etat_avancement_actions", "AV_EN_COURS"), "assessment": "ok"},
            indicator_values={},
            token=token_of(action),
        )
    assert count() == small <= 25

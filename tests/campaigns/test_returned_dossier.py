"""A returned dossier says why at the top, marks the action concerned, and a reopened one says « rouvert »."""

import pytest

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns.models import Dossier
from pilotactions.campaigns.services import (
    comment_add,
    dossier_reopen,
    dossier_return,
    dossier_submit,
    dossier_validate,
)
from pilotactions.contracts.models import Action
from tests.factories import login, make_action, make_campaign, make_contract, make_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted():
    referent = make_role(R.AUTHORITY_REFERENT, "59")
    contract = make_contract("59")
    make_action(contract, title="Accès aux droits", lines=[(2024, "state", "10"), (2024, "authority", "10")])
    dossier = make_campaign().dossiers.get()
    dossier_submit(dossier=dossier, role=referent)
    return referent, Dossier.objects.get(pk=dossier.pk)


def test_the_return_comment_is_at_the_top_and_points_at_its_action(client, submitted):
    referent, dossier = submitted
    action = Action.objects.get(title="Accès aux droits")
    dossier_return(
        dossier=dossier, role=make_role(R.DEPARTMENTAL_STATE, "59"), comment="Précisez les publics.", action=action
    )
    comment_add(dossier=Dossier.objects.get(pk=dossier.pk), role=referent, text="Nous corrigeons.")
    login(client, referent)
    page = client.get(f"/dossiers/{dossier.pk}/").content.decode()
    assert "Renvoyé pour correction le" in page and "« Précisez les publics. »" in page
    assert page.index("Précisez les publics.") < page.index("Actions du contrat")
    assert f'href="#action-{action.reference}"' in page and "Concernée par le renvoi" in page
    assert "Le dossier est complet : il peut être soumis" not in page


def test_a_reopened_dossier_is_shown_reopened_not_returned(client, submitted):
    _referent, dossier = submitted
    dossier_validate(dossier=dossier, role=make_role(R.DEPARTMENTAL_STATE, "59"))
    admin = make_role(R.NATIONAL_ADMIN)
    dossier_reopen(dossier=Dossier.objects.get(pk=dossier.pk), role=admin, reason="Erreur de saisie signalée")
    login(client, admin)
    page = client.get(f"/dossiers/{dossier.pk}/").content.decode()
    assert "Rouvert par la DIPLP le" in page and "« Erreur de saisie signalée »" in page
    assert ">Rouvert</span>" in page and ">Renvoyé</span>" not in page
    # The lists say it too: the cockpit's table and counts, the campaign list, the authority's home page.
    cockpit = client.get(f"/campagnes/{dossier.campaign_id}/").content.decode()
    assert ">Rouvert</span>" in cockpit and 'fr-tile__desc">rouvert<' in cockpit and ">Renvoyé</span>" not in cockpit
    login(client, _referent)
    assert ": rouvert</li>" in client.get("/campagnes/").content.decode()
    assert f"Dossier {dossier.contract.reference} rouvert par la DIPLP" in client.get("/").content.decode()


def test_a_refused_extension_keeps_the_typed_reason_and_says_what_is_wrong_next_to_the_date(client, submitted):
    _referent, dossier = submitted
    dossier_return(dossier=dossier, role=make_role(R.DEPARTMENTAL_STATE, "59"), comment="Précisez les publics.")
    login(client, make_role(R.NATIONAL_ADMIN))
    page = client.post(
        f"/dossiers/{dossier.pk}/prolonger/",
        {"prolongation-until": "2020-01-01T18:00", "prolongation-reason": "Congés de la référente"},
    )
    html = page.content.decode()
    assert page.status_code == 200 and "La prolongation doit dépasser la clôture actuelle" in html
    assert "Congés de la référente" in html and '<details class="fr-mt-2w" open>' in html
    assert Dossier.objects.get(pk=dossier.pk).extended_until is None

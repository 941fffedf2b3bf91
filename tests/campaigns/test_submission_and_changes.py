"""Submitting asks for a confirmation and gives an acknowledgement; a resubmission shows what changed, field by
field; a comment can point at an action's field."""

import io
from decimal import Decimal

import pytest
from django.core import mail
from pypdf import PdfReader

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns.acknowledgement import fingerprint
from pilotactions.campaigns.diff import dossier_diff, snapshot_diff
from pilotactions.campaigns.models import Dossier, DossierComment, DossierSnapshot
from pilotactions.campaigns.services import dossier_return, dossier_submit
from pilotactions.contracts.models import Action, ActionYear
from pilotactions.nomenclatures.models import Option
from tests.factories import login, make_action, make_campaign, make_contract, make_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier():
    contract = make_contract("59")
    make_action(contract, title="Accès aux droits", lines=[(2024, "state", "400"), (2024, "authority", "600")])
    return make_campaign().dossiers.get()


def test_submitting_asks_for_a_confirmation_then_acknowledges(client, dossier, django_capture_on_commit_callbacks):
    referent = login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    editor = make_role(R.AUTHORITY_EDITOR, "59")
    page = client.get(f"/dossiers/{dossier.pk}/").content.decode()
    assert f'href="/dossiers/{dossier.pk}/soumettre/"' in page  # a link to the confirmation, not a direct POST

    confirm = client.get(f"/dossiers/{dossier.pk}/soumettre/").content.decode()
    assert "Confirmer la soumission" in confirm and "Crédits de l’État prévus (2024)" in confirm
    assert "400,00\u202f€" in confirm and "1\u202f000,00\u202f€" in confirm
    assert Dossier.objects.get(pk=dossier.pk).state == "draft"  # looking is not submitting

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/dossiers/{dossier.pk}/soumettre/", follow=True).content.decode()
    snapshot = DossierSnapshot.objects.get(dossier=dossier)
    assert f"L’accusé de réception n° {snapshot.pk} vous est envoyé" in done
    assert f'href="/dossiers/{dossier.pk}/accuses/{snapshot.pk}.pdf"' in done

    receipt = next(m for m in mail.outbox if "accusé de réception" in m.subject)
    assert sorted(receipt.to) == sorted([referent.user.email, editor.user.email])
    assert "1 action" in receipt.body and "Crédits de l’État prévus (2024) : 400,00\u202f€" in receipt.body
    assert f"/dossiers/{dossier.pk}/accuses/{snapshot.pk}.pdf" in receipt.body

    pdf = client.get(f"/dossiers/{dossier.pk}/accuses/{snapshot.pk}.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf["Cache-Control"] == "no-store"
    pages = PdfReader(io.BytesIO(pdf.content)).pages
    assert len(pages) == 1  # a receipt fits its page, fingerprint included
    text = pages[0].extract_text()
    assert f"Accusé de réception n° {snapshot.pk}" in text and dossier.contract.reference in text
    assert fingerprint(snapshot) in text.replace("\n", "")


def test_the_confirmation_lists_what_blocks_and_offers_no_button(client):
    make_action(make_contract("59"), title="Sans sous-thématique")
    dossier = make_campaign(required=["subtheme"]).dossiers.get()
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    page = client.get(f"/dossiers/{dossier.pk}/soumettre/").content.decode()
    assert "ne peut pas encore être soumis : 1 point à régler" in page
    assert "Confirmer la soumission" not in page


@pytest.mark.parametrize(("kind", "code"), [(R.AUTHORITY_EDITOR, "59"), (R.AUTHORITY_REFERENT, "62")])
def test_who_may_not_submit_gets_no_confirmation(client, dossier, kind, code):
    make_contract("62")
    login(client, make_role(kind, code))
    assert client.get(f"/dossiers/{dossier.pk}/soumettre/").status_code in (403, 404)


def test_another_departements_agent_cannot_read_an_acknowledgement(client, dossier):
    snapshot = dossier_submit(dossier=dossier, role=make_role(R.AUTHORITY_REFERENT, "59"))
    login(client, make_role(R.DEPARTMENTAL_STATE, "33"))
    assert client.get(f"/dossiers/{dossier.pk}/accuses/{snapshot.pk}.pdf").status_code == 404
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    assert client.get(f"/dossiers/{dossier.pk}/accuses/{snapshot.pk}.pdf").status_code == 200


def resubmitted(dossier):
    """Submitted, returned, then changed (pilot, State amount, nature, a new action) and submitted again."""
    referent = make_role(R.AUTHORITY_REFERENT, "59")
    ddets = make_role(R.DEPARTMENTAL_STATE, "59")
    dossier_submit(dossier=dossier, role=referent)
    dossier_return(dossier=Dossier.objects.get(pk=dossier.pk), role=ddets, comment="Précisez le pilote.")
    action = Action.objects.get(title="Accès aux droits")
    nature = Option.objects.of_list("nature_action").order_by("order").first()
    Action.objects.filter(pk=action.pk).update(pilot_name="CCAS de Lille", nature=nature)
    ActionYear.objects.filter(action=action, year=2024).update(planned_state=Decimal("450"))
    make_action(dossier.contract, title="Nouvelle action", lines=[(2024, "authority", "100")])
    dossier_submit(dossier=Dossier.objects.get(pk=dossier.pk), role=referent)
    return action, nature, ddets


def test_a_resubmission_shows_what_changed_field_by_field(client, dossier):
    action, nature, ddets = resubmitted(dossier)
    changes = dossier_diff(dossier)
    changed = {c.label: (c.before, c.after) for a in changes.changed for c in a.changes}
    assert changed["Pilote"] == ("—", "CCAS de Lille")
    assert changed["Crédits de l’État (€)"] == ("400,00\u202f€", "450,00\u202f€")
    assert changed["Nature"] == ("—", nature.label)  # the label, not the code
    assert [a.title for a in changes.added] == ["Nouvelle action"] and changes.removed == []

    login(client, ddets)
    page = client.get(f"/dossiers/{dossier.pk}/").content.decode()
    assert "Ce qui a changé depuis la soumission précédente" in page
    assert "CCAS de Lille" in page and nature.label in page and "Actions ajoutées" in page
    assert f"?action={action.reference}&amp;champ=pilot_name#echanges" in page


def test_a_comment_can_point_at_a_field_of_an_action(client, dossier):
    action, _nature, ddets = resubmitted(dossier)
    login(client, ddets)
    prefilled = client.get(f"/dossiers/{dossier.pk}/", {"action": action.reference, "champ": "pilot_name"})
    form = prefilled.context["comment_form"]
    assert form.initial == {"action": action.pk, "field": "pilot_name"}
    client.post(
        f"/dossiers/{dossier.pk}/commentaires/",
        {
            "message-comment": "Le CCAS est-il bien le pilote ?",
            "message-action": action.pk,
            "message-field": "pilot_name",
        },
    )
    comment = DossierComment.objects.get(text="Le CCAS est-il bien le pilote ?")
    assert (comment.action, comment.field) == (action, "pilot_name")
    assert f"{action.reference}</a>, champ « Pilote »" in client.get(f"/dossiers/{dossier.pk}/").content.decode()


def test_a_field_without_its_action_is_refused_in_french_and_the_message_kept(client, dossier):
    dossier_submit(dossier=dossier, role=make_role(R.AUTHORITY_REFERENT, "59"))
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    page = client.post(
        f"/dossiers/{dossier.pk}/commentaires/", {"message-comment": "Quel pilote ?", "message-field": "pilot_name"}
    )
    html = page.content.decode()
    assert page.status_code == 200 and "Choisissez l’action dont le champ est concerné." in html
    assert "Quel pilote ?" in html and not DossierComment.objects.exists()


def test_an_identical_resubmission_and_an_old_snapshot_without_content():
    before = DossierSnapshot(data={"contract": {}, "actions": [{"action_id": "A-1", "title": "T", "pilot": "x"}]})
    same = snapshot_diff(before, before)
    assert same.is_empty and same.change_count == 0
    # The first snapshots held no `content`: their free texts are not compared (no « — → value » noise).
    after = DossierSnapshot(
        data={"contract": {}, "actions": [{"action_id": "A-1", "title": "T", "content": {"pilot_name": "CCAS"}}]}
    )
    assert snapshot_diff(before, after).is_empty
    removed = snapshot_diff(after, DossierSnapshot(data={"contract": {}, "actions": []}))
    assert [a.reference for a in removed.removed] == ["A-1"]

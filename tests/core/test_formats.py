"""French formats: agreement of counted nouns."""

import pytest


def test_counted_nouns_agree_in_french():
    from pilotactions.core.formats import counted

    assert counted(0, "actions CLS") == "0 action CLS"
    assert counted(1, "contrats") == "1 contrat"
    assert counted(17, "contrats") == "17 contrats"
    assert counted(1, "mesures nationales") == "1 mesure nationale"
    assert counted(2500, "collectivités") == "2\u202f500 collectivités"
    assert counted(1, "contrats locaux des solidarités", "contrat local des solidarités") == (
        "1 contrat local des solidarités"
    )


def test_the_cockpit_counts_states_in_french():
    from pilotactions.campaigns.enums import state_count_label

    assert [state_count_label(s, n) for s, n in [("submitted", 17), ("draft", 2), ("validated", 1)]] == [
        "soumis",
        "brouillons",
        "validé",
    ]


def test_the_counted_filter_agrees_where_django_pluralize_does_not():
    from django.template import Context, Template

    template = Template(
        '{% load pilotactions %}{{ n|counted:"invitations" }} · {{ n|counted:"contrats locaux|contrat local" }}'
    )
    assert template.render(Context({"n": 0})) == "0 invitation · 0 contrat local"
    assert template.render(Context({"n": 1})) == "1 invitation · 1 contrat local"
    assert template.render(Context({"n": 1200})) == "1\u202f200 invitations · 1\u202f200 contrats locaux"
    assert Template('{% load pilotactions %}[{{ n|counted:"actions" }}]').render(Context({"n": "x"})) == "[]"


@pytest.mark.django_db
def test_an_empty_invitation_list_says_0_invitation(client):
    from pilotactions.accounts.enums import RoleKind as R
    from tests.factories import login, make_role

    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    html = client.get("/accounts/invitations/").content.decode()
    assert "<caption>0 invitation</caption>" in html
    assert "0 invitations" not in html


def test_a_quantity_keeps_only_the_decimals_it_has():
    from decimal import Decimal

    from pilotactions.core.formats import quantity

    assert quantity(Decimal("5900.00")) == "5\u202f900"  # « Cible : 5900.00 » in the follow-up form
    assert quantity(Decimal("12.50")) == "12,5"
    assert quantity(Decimal("0.25")) == "0,25"
    assert quantity(None) == "" and quantity("abc") == "abc"


@pytest.mark.django_db
def test_an_empty_measures_dashboard_says_0_mesure(client):
    from pilotactions.accounts.enums import RoleKind as R
    from tests.factories import login, make_role

    login(client, make_role(R.NATIONAL_READER))
    html = client.get("/mesures/").content.decode()
    assert "0 mesure sur 0." in html and "0 mesures sur" not in html

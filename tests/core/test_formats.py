"""French formats: agreement of counted nouns."""


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

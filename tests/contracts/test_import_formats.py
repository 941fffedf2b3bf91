"""French formats the import reads (numbers, dates, oui/non, option labels or codes) and its suggestions."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilotactions.contracts.importing import (
    OptionIndex,
    looks_like_formula,
    normalize,
    parse_bool,
    parse_date,
    parse_decimal,
)

AMOUNTS = st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2, allow_nan=False, allow_infinity=False)
SPACES = st.sampled_from([" ", "\u00a0", "\u202f", ""])


def french(amount: Decimal, thousands: str, decimal_mark: str, euro: str) -> str:
    whole, _, cents = f"{amount:.2f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return thousands.join(groups) + decimal_mark + cents + euro


@given(AMOUNTS, SPACES, st.sampled_from([",", "."]), st.sampled_from(["", " €", "\u00a0€", "€"]))
def test_french_amounts_read_back(amount, thousands, decimal_mark, euro):
    assert parse_decimal(french(amount, thousands, decimal_mark, euro)) == amount


@given(AMOUNTS)
def test_dot_thousands_with_decimal_comma_and_the_reverse(amount):
    assert parse_decimal(french(amount, ".", ",", "")) == amount
    assert parse_decimal(french(amount, ",", ".", "")) == amount


@given(st.integers(min_value=0, max_value=10**9))
def test_integers_and_spreadsheet_numbers(value):
    assert parse_decimal(str(value)) == value
    assert parse_decimal(value) == value
    assert parse_decimal(float(value)) == value


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.sampled_from(["/", "-", "."]))
def test_french_and_iso_dates_read_back(day, separator):
    assert parse_date(f"{day.day:02d}{separator}{day.month:02d}{separator}{day.year}") == day
    assert parse_date(f"{day.day}{separator}{day.month}{separator}{day.year}") == day
    assert parse_date(day.isoformat()) == day
    assert parse_date(day) == day


@pytest.mark.parametrize("text", ["12,5,3", "douze", "1 2a", "€", "", "--1", "1e5", "1,2.3,4"])
def test_what_is_not_a_number(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


@pytest.mark.parametrize("text", ["31/02/2025", "03/02/25", "2025/02/03", "demain", "2025-2-3"])
def test_what_is_not_a_date(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(("text", "value"), [("oui", True), ("Non", False), ("OUI ", True), ("x", True), ("0", False)])
def test_oui_non(text, value):
    assert parse_bool(text) is value
    with pytest.raises(ValueError):
        parse_bool("peut-être")


def test_normalize_ignores_case_accents_apostrophes_and_spaces():
    assert normalize("  Crédits de l’État  (€) ") == normalize("credits de l'etat (€)")
    assert normalize("Mise en œuvre") == "mise en oeuvre"


@pytest.mark.parametrize(
    ("text", "formula"),
    [
        ("=1+1", True),
        ("@SUM(A1)", True),
        ("-A1", True),
        ("+cmd|' /C calc'!A0", True),
        ("- Accompagnement", False),
        ("+ de solidarité", False),
        ("Aide", False),
        ("\tx", True),
    ],
)
def test_what_looks_like_a_formula(text, formula):
    assert looks_like_formula(text) is formula


@pytest.mark.django_db
def test_options_by_code_or_label_whatever_the_case_and_accents_with_suggestions():
    index = OptionIndex()
    assert index.resolve("publics_cibles", "pub_parents").code == "PUB_PARENTS"
    assert index.resolve("publics_cibles", "PUBLIC JEUNE (18-30 ANS)").code == "AGE_JEUNE_18_30"
    assert index.resolve("etat_avancement_actions", "a peine lancee").code == "AV_A_PEINE_LANCEE"
    with pytest.raises(ValueError) as error:
        index.resolve("publics_cibles", "jeunes 18-30")
    assert str(error.value).startswith(
        "« jeunes 18-30 » n’est pas dans la liste ; vouliez-vous dire « public jeune (18-30 ans) »"
    )
    with pytest.raises(ValueError) as error:
        index.resolve("publics_cibles", "zzzz")
    assert "vouliez-vous" not in str(error.value)
    # « Autre » exists under every axis: the axis chosen decides.
    axis = index.resolve("axes_pacte", "AXE3")
    assert index.resolve("sous_thematiques_par_axe", "autre", parent=axis).parent_id == axis.pk

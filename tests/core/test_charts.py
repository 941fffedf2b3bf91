"""core.charts: pure functions data → SVG, the same for the screen and every report format."""

import xml.etree.ElementTree as ET
from decimal import Decimal
from itertools import pairwise

import pytest

from pilotactions.core.charts import (
    DEPARTEMENTS,
    REGIONS,
    bars,
    class_breaks,
    classify,
    departements_map,
    donut,
    map_table,
    regions_map,
    rounded_percents,
    stacked_bars,
    svg_to_png,
)
from pilotactions.core.charts.palette import (
    GREEN_MENTHE,
    NO_DATA,
    ORANGE_TERRE_BATTUE,
    PURPLE_GLYCINE,
    SEQUENTIAL_BLUE,
    contrast_ratio,
    sequential,
    text_color_on,
)
from pilotactions.core.charts.svg import text_width, wrap

NS = "{http://www.w3.org/2000/svg}"
EUROS = "1\u202f234\u202f567\u202f€"
OVERSEAS = ("971", "972", "973", "974", "976")
METRO_REGIONS = ("11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94")

# A hand-written set: 59 is the largest, 48 the smallest, 973 somewhere in between; 2A, 75 and 976 missing.
VALUES = {code: 100_000 for code in DEPARTEMENTS if code not in ("2A", "75", "976")}
VALUES.update({"59": 1_234_567, "62": 900_000, "13": 800_000, "33": 450_000, "973": 300_000, "48": 5_000})
BREAKS = [0, 50_000, 200_000, 500_000, 1_000_000, 1_500_000]

STATES = {
    "brouillon": ("Brouillon", "#cacafb"),
    "soumis": ("Soumis", ORANGE_TERRE_BATTUE),
    "valide": ("Validé", GREEN_MENTHE),
    "renvoye": ("Renvoyé", PURPLE_GLYCINE),
}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def shapes(root, attribute="data-code"):
    return {el.get(attribute): el for el in root.iter() if el.get(attribute) is not None}


def title_of(element) -> str:
    return element.find(f"{NS}title").text


def all_text(root) -> str:
    return " ".join(t for el in root.iter() for t in [el.text] if t)


def assert_accessible(root):
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox").startswith("0 0 ")
    assert "Marianne" in root.get("font-family")
    title_id, desc_id = root.get("aria-labelledby").split()
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
    assert title.text and desc.text
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))


def assert_self_contained(svg: str):
    assert "href" not in svg and "url(" not in svg and "<script" not in svg and "<style" not in svg


# --- map of the départements ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def numeric_map():
    return departements_map(VALUES, title="Crédits engagés", breaks=BREAKS, value_format="€", legend_title="Montant")


def test_every_departement_appears_exactly_once(numeric_map):
    root = parse(numeric_map)
    codes = [el.get("data-code") for el in root.iter() if el.get("data-code") is not None]
    assert len(DEPARTEMENTS) == 101
    for code in DEPARTEMENTS:
        assert codes.count(code) == 1, code
    assert sorted(set(codes) - set(DEPARTEMENTS)) == ["975", "978"]
    assert {"2A", "2B", "01", "95"} <= set(codes)


def test_overseas_insets_are_present_and_named(numeric_map):
    root = parse(numeric_map)
    insets = {el.get("data-inset"): el for el in root.iter() if el.get("data-inset")}
    assert set(insets) == {*OVERSEAS, "975", "978", "paris"}
    for code, name in [("971", "Guadeloupe"), ("972", "Martinique"), ("973", "Guyane"), ("974", "La Réunion")]:
        assert name in all_text(insets[code])
        assert any(el.get("data-code") == code for el in insets[code].iter())
    assert "Mayotte" in all_text(insets["976"])
    assert "Miquelon" in all_text(insets["975"])
    # the Paris zoom repeats 75, 92, 93, 94 without a second data-code
    zoom = {el.get("data-zoom-code") for el in insets["paris"].iter() if el.get("data-zoom-code")}
    assert zoom == {"75", "92", "93", "94"}


def test_fills_follow_the_classes(numeric_map):
    root = parse(numeric_map)
    by_code = shapes(root)
    palette = sequential(5)
    assert by_code["59"].get("fill") == palette[4]  # 1 234 567 → highest class
    assert by_code["62"].get("fill") == palette[3]
    assert by_code["13"].get("fill") == palette[3]
    assert by_code["33"].get("fill") == palette[2]
    assert by_code["973"].get("fill") == palette[2]
    assert by_code["01"].get("fill") == palette[1]
    assert by_code["48"].get("fill") == palette[0]
    assert by_code["59"].get("data-value") == "1234567"
    assert by_code["59"].get("data-class") == "4"
    assert title_of(by_code["59"]) == f"Nord (59)\u00a0: {EUROS}"
    assert title_of(by_code["973"]) == "Guyane (973)\u00a0: 300\u202f000\u202f€"


def test_missing_departement_is_grey_and_not_filled(numeric_map):
    by_code = shapes(parse(numeric_map))
    for code in ("2A", "75", "976", "975", "978"):
        assert by_code[code].get("fill") == NO_DATA
        assert by_code[code].get("data-value") == ""
        assert "non renseigné" in title_of(by_code[code])
    assert title_of(by_code["2A"]) == "Corse-du-Sud (2A)\u00a0: non renseigné"


def test_legend_and_attribution(numeric_map):
    text = all_text(parse(numeric_map))
    assert "Montant" in text
    assert "0\u202f€ à moins de 50\u202f000\u202f€" in text
    assert "1\u202f000\u202f000\u202f€ à 1\u202f500\u202f000\u202f€" in text
    assert "Non renseigné" in text
    assert "Fond de carte" in text


def test_map_is_accessible_deterministic_and_self_contained(numeric_map):
    root = parse(numeric_map)
    assert_accessible(root)
    assert_self_contained(numeric_map)
    assert root.find(f"{NS}title").text == "Crédits engagés"
    again = departements_map(VALUES, title="Crédits engagés", breaks=BREAKS, value_format="€", legend_title="Montant")
    assert again == numeric_map
    other = departements_map(VALUES, title="Crédits engagés", breaks=BREAKS, value_format="€", id_prefix="carte-2")
    assert 'id="carte-2-titre"' in other


def test_computed_breaks_put_the_largest_value_in_the_top_class():
    svg = departements_map(VALUES, title="Crédits", value_format="€")
    by_code = shapes(parse(svg))
    top = max(el.get("data-class") for el in by_code.values() if el.get("data-class") != "non-renseigne")
    assert by_code["59"].get("data-class") == top


def test_codes_are_normalised_and_unknown_codes_refused():
    svg = departements_map({1: 10, "2a": 20, "9": 30}, title="t", breaks=[0, 15, 40])
    by_code = shapes(parse(svg))
    assert by_code["01"].get("data-value") == "10"
    assert by_code["2A"].get("data-value") == "20"
    assert by_code["09"].get("data-value") == "30"
    with pytest.raises(ValueError):
        departements_map({"20": 1}, title="t")


def test_categorical_mode_colours_by_category():
    values = {"59": "valide", "62": "soumis", "13": "brouillon", "971": "renvoye", "975": "valide"}
    svg = departements_map(
        values, title="État des dossiers", categorical=STATES, legend_title="État", legend_counts=True
    )
    by_code = shapes(parse(svg))
    assert by_code["59"].get("fill") == GREEN_MENTHE
    assert by_code["975"].get("fill") == GREEN_MENTHE
    assert by_code["62"].get("fill") == ORANGE_TERRE_BATTUE
    assert by_code["13"].get("fill") == "#cacafb"
    assert by_code["971"].get("fill") == PURPLE_GLYCINE
    assert by_code["33"].get("fill") == NO_DATA
    assert by_code["59"].get("data-class") == "valide"
    assert title_of(by_code["59"]) == "Nord (59)\u00a0: Validé"
    text = all_text(parse(svg))
    assert "Validé (2)" in text and "Renvoyé (1)" in text
    with pytest.raises(ValueError):
        departements_map({"59": "inconnu"}, title="t", categorical=STATES)


def test_map_table_rows_sorted_by_code():
    rows = map_table(VALUES, value_format="€", breaks=BREAKS)
    codes = [row.code for row in rows]
    assert codes[:3] == ["01", "02", "03"]
    assert codes.index("19") < codes.index("2A") < codes.index("2B") < codes.index("21")
    assert codes[-8:] == ["95", "971", "972", "973", "974", "975", "976", "978"]
    assert len(rows) == 103
    nord = next(row for row in rows if row.code == "59")
    assert tuple(nord) == ("59", "Nord", EUROS, "1\u202f000\u202f000\u202f€ à 1\u202f500\u202f000\u202f€")
    corse = next(row for row in rows if row.code == "2A")
    assert corse.value == "non renseigné" and corse.class_label == "non renseigné"
    filled = map_table(VALUES, value_format="€", breaks=BREAKS, include_missing=False, collectivites_outre_mer=False)
    assert len(filled) == 98
    categories = map_table({"59": "valide"}, categorical=STATES, include_missing=False)
    assert categories == [("59", "Nord", "Validé", "Validé")]


# --- map of the régions ---------------------------------------------------------------------------


def test_regions_map_has_the_18_regions():
    values = {code: i * 10 for i, code in enumerate(REGIONS)}
    svg = regions_map(values, title="Taux par région", value_format="%", legend_title="Taux")
    root = parse(svg)
    assert_accessible(root)
    codes = [el.get("data-code") for el in root.iter() if el.get("data-code") is not None]
    assert len(REGIONS) == 18
    assert set(REGIONS) == {*METRO_REGIONS, "01", "02", "03", "04", "06"}
    for code in REGIONS:
        assert codes.count(code) == 1, code
    by_code = shapes(root)
    assert title_of(by_code["32"]) == "Hauts-de-France (32)\u00a0: 90\u202f%"
    assert title_of(by_code["04"]).startswith("La Réunion (04)")
    insets = {el.get("data-inset") for el in root.iter() if el.get("data-inset")}
    assert insets == {"01", "02", "03", "04", "06", "975", "978"}
    assert by_code["11"].get("fill") != NO_DATA
    assert by_code["975"].get("fill") == NO_DATA


# --- bars, stacked bars, donut ----------------------------------------------------------------------


def test_bars():
    rows = [("Nord & Pas-de-Calais <test>", 1234567), ("Gironde", Decimal("845000")), ("Lozère", None)]
    svg = bars(rows, title="Montant engagé", unit="€")
    root = parse(svg)
    assert_accessible(root)
    assert_self_contained(svg)
    text = all_text(root)
    assert EUROS in text and "845\u202f000\u202f€" in text and "non renseigné" in text
    assert "Nord &amp; Pas-de-Calais &lt;test&gt;" in svg
    assert "Nord & Pas-de-Calais <test>" in text
    assert root.find(f"{NS}title").text == "Montant engagé"
    assert svg == bars(rows, title="Montant engagé", unit="€")
    bar_widths = [float(rect.get("width")) for rect in root.iter(f"{NS}rect")]
    assert len(bar_widths) == 2 and bar_widths[0] > bar_widths[1]


def test_grouped_bars_have_a_legend_and_percentages():
    rows = [("Axe 1 : prévenir la pauvreté dès l'enfance et garantir l'égalité des chances", [12.5, 30, 18])]
    svg = bars(rows, title="Part par axe", unit="%", series=["Départements", "Métropoles", "Ensemble"])
    root = parse(svg)
    text = all_text(root)
    for expected in ("Départements", "Métropoles", "Ensemble", "12,5\u202f%", "30\u202f%", "18\u202f%"):
        assert expected in text
    label_lines = [el.text for el in root.iter(f"{NS}text") if el.get("text-anchor") == "end"]
    assert 2 <= len(label_lines) <= 3  # the long label is wrapped
    with pytest.raises(ValueError):
        bars([("a", [1, 2])], title="t", series=["x", "y", "z"])


def test_stacked_bars():
    rows = [("CLS départements", [60, 30, 10]), ("CLS métropoles <M>", [1, 1, 1]), ("Vide", [0, 0, 0])]
    series = ["Action nouvelle", "Action renforcée", "Action poursuivie"]
    svg = stacked_bars(rows, title="Nature des actions", series=series)
    root = parse(svg)
    assert_accessible(root)
    text = all_text(root)
    for expected in (*series, "60\u202f%", "30\u202f%", "10\u202f%", "aucune donnée", "CLS métropoles <M>"):
        assert expected in text
    assert svg == stacked_bars(rows, title="Nature des actions", series=series)
    # one third each: shares rounded to add up to 100
    tips = [title_of(rect) for rect in root.iter(f"{NS}rect") if rect.find(f"{NS}title") is not None]
    assert "CLS métropoles <M> — Action nouvelle\u00a0: 1 (34\u202f%)" in tips


def test_donut():
    parts = [("Axe 1 & enfance", 1234567), ("Axe 2", 765433), ("Axe 3", 0)]
    svg = donut(parts, title="Répartition", unit="€")
    root = parse(svg)
    assert_accessible(root)
    assert_self_contained(svg)
    text = all_text(root)
    assert f"{EUROS} (62\u202f%)" in text
    assert "2\u202f000\u202f000\u202f€" in text  # the total in the hole
    assert "Axe 1 &amp; enfance" in svg
    assert svg == donut(parts, title="Répartition", unit="€")
    assert len(list(root.iter(f"{NS}path"))) == 2
    single = parse(donut([("Tout", 5)], title="Un seul"))
    assert len(list(single.iter(f"{NS}path"))) == 1
    empty = parse(donut([("Rien", 0)], title="Vide"))
    assert "aucune donnée" in ET.tostring(empty, encoding="unicode")


# --- breaks, palette, text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        [5_000, 100_000, 300_000, 450_000, 800_000, 900_000, 1_234_567],
        [0.4, 12.5, 13.1, 48.2, 50, 77.7, 99.9],
        [3, 3, 3, 4, 10, 12, 40, 41, 42],
        [-12.5, -3, 0, 7, 8, 120],
        list(range(101)),
    ],
)
@pytest.mark.parametrize("method", ["jenks", "quantile"])
def test_class_breaks_are_monotonic_cover_the_range_and_are_round(values, method):
    breaks = class_breaks(values, 5, method=method)
    assert 2 <= len(breaks) <= 6
    assert all(a < b for a, b in pairwise(breaks))
    assert breaks[0] <= min(values) and breaks[-1] >= max(values)
    for bound in breaks:  # round: 1 200 000, 1 250 000 or 0.5, never 1 234 567
        assert len(Decimal(str(bound)).normalize().as_tuple().digits) <= 3, breaks
    assert classify(min(values), breaks) == 0
    assert classify(max(values), breaks) == len(breaks) - 2


def test_class_breaks_examples():
    assert class_breaks([5_000, 100_000, 300_000, 450_000, 800_000, 900_000, 1_234_567], 3) == [
        0,
        250_000,
        500_000,
        1_500_000,
    ]
    assert class_breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5) == [0, 3, 5, 7, 9, 10]  # integers stay integers
    assert class_breaks([]) == []
    assert class_breaks([None, 7, 7]) == [7, 7]
    assert classify(None, [0, 1]) is None


def test_palette_contrast():
    assert len(SEQUENTIAL_BLUE) >= 5
    for fill in [*sequential(5), *(colour for _, colour in STATES.values())]:
        assert contrast_ratio(fill, text_color_on(fill)) >= 4.2
    assert text_color_on("#000091") == "#ffffff"
    assert text_color_on("#e3e3fd") == "#161616"


def test_wrap_never_breaks_inside_a_number():
    lines = wrap("750 000 € à moins de 2\u202f000\u202f000\u202f€", 120, 14)
    assert "2\u202f000\u202f000\u202f€" in lines[-1]
    assert wrap("un deux trois quatre cinq six sept huit", 40, 14, max_lines=2)[-1].endswith("…")
    assert text_width("mmm", 10) > text_width("iii", 10)


def test_rounded_percents_add_up_to_100():
    assert rounded_percents([1, 1, 1]) == [34, 33, 33]
    assert sum(rounded_percents([3, 7, 11, 13])) == 100
    assert rounded_percents([0, 0]) == [0, 0]


# --- PNG ----------------------------------------------------------------------------------------------


def test_svg_to_png():
    png = svg_to_png(bars([("Nord", 1234567)], title="Montant", unit="€"), width_px=400)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    map_png = svg_to_png(departements_map(VALUES, title="Carte", breaks=BREAKS), width_px=600)
    assert map_png.startswith(b"\x89PNG\r\n\x1a\n") and len(map_png) > 10_000

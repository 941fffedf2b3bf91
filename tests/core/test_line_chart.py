"""core.charts.line: a trajectory (dated values, the target, a dashed projection) as an accessible SVG."""

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

from pilotactions.core.charts.line import date_label, line, nice_ticks

NS = "{http://www.w3.org/2000/svg}"
NNBSP = "\u202f"
POINTS = [(date(2023, 12, 31), 962), (date(2024, 12, 31), Decimal(1000), "2024")]
TARGET = (date(2027, 12, 31), 1944)
PROJECTION = [(date(2023, 12, 31), Decimal("962")), (date(2027, 12, 31), Decimal("1113.69"))]


def chart(**kwargs):
    return line(POINTS, title="Premières heures en chantier", target=TARGET, projection=PROJECTION, **kwargs)


def test_it_is_an_accessible_self_contained_svg():
    svg = chart()
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("viewBox").startswith("0 0 800 ")
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title.text == "Premières heures en chantier"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert desc.text == (
        f"Courbe d’évolution. Valeurs\u00a0: 2023\u00a0: 962 ; 2024\u00a0: 1{NNBSP}000. "
        f"Cible (2027)\u00a0: 1{NNBSP}944. Projection linéaire (2027)\u00a0: 1{NNBSP}113,7, la cible ne serait pas atteinte."
    )
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_same_input_same_output():
    assert chart() == chart()
    assert chart(id_prefix="a") != chart(id_prefix="b")


def test_values_target_and_projection_are_drawn():
    root = ET.fromstring(chart())
    values = [el for el in root.iter(f"{NS}circle") if el.get("data-role") == "valeur"]
    assert [el.get("data-value") for el in values] == ["962", "1000"]
    assert values[0].find(f"{NS}title").text == "2023\u00a0: 962"
    target = next(el for el in root.iter(f"{NS}path") if el.get("data-role") == "cible")
    assert target.get("data-value") == "1944"
    projection = next(el for el in root.iter(f"{NS}path") if el.get("data-role") == "projection")
    assert projection.get("stroke-dasharray") == "7 5"
    # The value line rises from left to right, the target sits above it on the time axis' last year.
    x0, x1 = (float(el.get("cx")) for el in values)
    y0, y1 = (float(el.get("cy")) for el in values)
    assert x0 < x1 and y1 < y0
    years = [el.text for el in root.iter(f"{NS}text") if el.text and el.text.isdigit() and len(el.text) == 4]
    assert years[:5] == ["2023", "2024", "2025", "2026", "2027"]


def test_a_reached_target_and_no_value_say_so():
    reached = line(
        [(date(2023, 12, 31), 1600), (date(2024, 12, 31), 2000)],
        title="TAPAJ",
        target=(date(2027, 12, 31), 2000),
        projection=[(date(2023, 12, 31), 1600), (date(2027, 12, 31), 3200)],
        unit="jeunes",
    )
    assert "la cible serait atteinte" in reached and f"2{NNBSP}000{NNBSP}jeunes" in reached
    empty = line([], title="Sans valeur", target=(date(2027, 12, 31), 100))
    assert "Aucune valeur chiffrée" in empty
    assert ET.fromstring(empty).find(f"{NS}desc").text.startswith("Courbe d’évolution. Aucune valeur chiffrée.")


def test_half_years_and_round_ticks():
    assert date_label(date(2025, 6, 30)) == "30 juin 2025" and date_label(date(2024, 12, 31)) == "2024"
    assert nice_ticks(0, 1944) == [0, 500, 1000, 1500, 2000]
    assert nice_ticks(0, 131) == [0, 50, 100, 150]
    assert nice_ticks(0, 0.8) == [0, 0.2, 0.4, 0.6, 0.8]

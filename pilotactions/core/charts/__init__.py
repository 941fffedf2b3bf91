"""Charts and maps as pure functions, data → SVG string: one renderer for the screen and every report format.

    bars(rows, title=…, unit="€")                       horizontal bars, grouped with `series`
    stacked_bars(rows, title=…, series=[…])             100 % stacked bars
    donut(parts, title=…)                               donut with legend and shares
    departements_map(values, title=…)                   choropleth of the 101 départements (+ 975, 978)
    regions_map(values, title=…)                        choropleth of the 18 régions
    map_table(values, value_format=…)                   the rows of the accessible table beside a map
    class_breaks(values, classes=5, method="jenks")     rounded class bounds for a numeric map
    svg_to_png(svg, width_px=1600)                      PNG bytes of any of them (DOCX)

Every SVG has role="img", a <title> and a <desc> named by aria-labelledby, a viewBox, the DSFR font
stack, no external resource and no random id: same input, same string. Pass `id_prefix` when the
same chart appears twice on a page. Text is French, numbers use pilotactions.core.formats.
"""

from pilotactions.core.charts.bars import bars, rounded_percents, stacked_bars
from pilotactions.core.charts.breaks import class_breaks, classify
from pilotactions.core.charts.donut import donut
from pilotactions.core.charts.maps import (
    DEPARTEMENTS,
    OVERSEAS_COLLECTIVITES,
    OVERSEAS_DEPARTEMENTS,
    REGIONS,
    MapTableRow,
    departement_name,
    departements_map,
    map_classes,
    map_table,
    region_name,
    regions_map,
)
from pilotactions.core.charts.png import svg_to_png

__all__ = [
    "DEPARTEMENTS",
    "OVERSEAS_COLLECTIVITES",
    "OVERSEAS_DEPARTEMENTS",
    "REGIONS",
    "MapTableRow",
    "bars",
    "class_breaks",
    "classify",
    "departement_name",
    "departements_map",
    "donut",
    "map_classes",
    "map_table",
    "region_name",
    "regions_map",
    "rounded_percents",
    "stacked_bars",
    "svg_to_png",
]

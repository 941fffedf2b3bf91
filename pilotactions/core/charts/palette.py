"""Colours of the Système de design de l'État (DSFR) for charts and maps, and contrast helpers.

Categorical maps get their colours from the caller, as a mapping ordered as the legend should be:

    DOSSIER_STATES = {
        "brouillon": ("Brouillon", BLUE_FRANCE_850),
        "soumis": ("Soumis", ORANGE_TERRE_BATTUE),
        "valide": ("Validé", GREEN_MENTHE),
        "renvoye": ("Renvoyé", PURPLE_GLYCINE),
    }
    departements_map({"59": "valide", "62": "soumis", …}, title=…, categorical=DOSSIER_STATES)

Pick categorical colours from `SERIES` (or the named constants below) and keep greys out of them:
a territory without a value is drawn in `NO_DATA` grey. Labels drawn on a fill choose their own
colour with `text_color_on`, so any fill stays legible.
"""

# blue-france (the State's colour)
BLUE_FRANCE = "#000091"  # blue-france-sun-113
BLUE_FRANCE_MAIN = "#6a6af4"  # blue-france-main-525
BLUE_FRANCE_625 = "#8585f6"
BLUE_FRANCE_850 = "#cacafb"
BLUE_FRANCE_925 = "#e3e3fd"
BLUE_FRANCE_950 = "#ececfe"

# illustrative colours (the "main" tone of each DSFR illustrative colour)
GREEN_MENTHE = "#009081"  # green-menthe-main-548
ORANGE_TERRE_BATTUE = "#e4794a"  # orange-terre-battue-main-645
PURPLE_GLYCINE = "#a558a0"  # purple-glycine-main-494
TILLEUL_VERVEINE = "#b7a73f"  # green-tilleul-verveine-main-707
BLUE_ECUME = "#465f9d"  # blue-ecume-main-400
PINK_MACARON = "#e18b76"  # pink-macaron-main-689
BROWN_CARAMEL = "#c08c65"  # brown-caramel-main-648
BLUE_CUMULUS = "#417dc4"  # blue-cumulus-main-526

GREY = "#929292"  # grey-625
GREY_LIGHT = "#e5e5e5"  # grey-925
GREY_LIGHTER = "#eeeeee"  # grey-950
NO_DATA = GREY_LIGHT  # départements without a value ("non renseigné")

# Up to 8 series, in the order to use them: neighbours contrast in hue and in lightness.
SERIES = (
    BLUE_FRANCE,
    ORANGE_TERRE_BATTUE,
    GREEN_MENTHE,
    PURPLE_GLYCINE,
    TILLEUL_VERVEINE,
    BLUE_ECUME,
    PINK_MACARON,
    BROWN_CARAMEL,
)

# Sequential blue-france ramp, light → dark, anchored on DSFR tokens (925, 850, main-525, sun-113) with
# two in-between tones so that 5 to 7 classes stay distinct from each other and from NO_DATA.
SEQUENTIAL_BLUE = ("#e3e3fd", "#c1c1fb", "#9898f8", "#6a6af4", "#3a3ad0", "#1b1bb0", "#000091")
SEQUENTIAL_GREEN = ("#dffdf7", "#a8e6d9", "#6fcdbc", "#34b3a0", "#009081", "#006a5f", "#00473f")


def series_colors(count: int, colors=None) -> list[str]:
    """`count` colours for series, cycling through `colors` (default `SERIES`)."""
    palette = list(colors or SERIES)
    return [palette[i % len(palette)] for i in range(count)]


def sequential(count: int, ramp=SEQUENTIAL_BLUE) -> list[str]:
    """`count` colours evenly spaced along a light → dark ramp, both ends included."""
    ramp = list(ramp)
    if count <= 0:
        return []
    if count == 1:
        return [ramp[len(ramp) // 2]]
    return [interpolate(ramp, i / (count - 1)) for i in range(count)]


def _rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    if len(color) == 3:
        color = "".join(c * 2 for c in color)
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def interpolate(ramp, t: float) -> str:
    """The colour at position t (0 → 1) along a ramp, interpolated in sRGB."""
    t = min(max(t, 0.0), 1.0)
    position = t * (len(ramp) - 1)
    i = min(int(position), len(ramp) - 2)
    local = position - i
    a, b = _rgb(ramp[i]), _rgb(ramp[i + 1])
    return "#" + "".join(f"{round(x + (y - x) * local):02x}" for x, y in zip(a, b, strict=True))


def luminance(color: str) -> float:
    """WCAG relative luminance."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_color_on(fill: str, dark: str = "#161616", light: str = "#ffffff") -> str:
    """Dark text on light fills, white on dark ones: whichever contrasts more."""
    return dark if contrast_ratio(fill, dark) >= contrast_ratio(fill, light) else light

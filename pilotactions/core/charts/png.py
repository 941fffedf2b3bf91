"""PNG from the same SVG, for formats that cannot hold SVG (DOCX): cairosvg (LGPL-3.0, on libcairo)."""

import shutil
import subprocess
from functools import lru_cache

from pilotactions.core.charts.svg import FONT_FAMILY

# Arial-metric families first: the charts measure their text with Arial widths.
FALLBACK_FAMILIES = ("Marianne", "Arial", "Liberation Sans", "Arimo", "Helvetica", "DejaVu Sans")


@lru_cache(maxsize=1)
def installed_font_family() -> str:
    """The first family of FALLBACK_FAMILIES that fontconfig knows, else "sans-serif".

    cairosvg only tries the first name of a `font-family` list, so the list is resolved here.
    """
    fc_match = shutil.which("fc-match")
    if not fc_match:
        return "sans-serif"
    for family in FALLBACK_FAMILIES:
        try:
            found = subprocess.run(
                [fc_match, "-f", "%{family}", family], capture_output=True, text=True, timeout=5, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return "sans-serif"
        if family.lower() in found.lower().split(","):
            return family
    return "sans-serif"


def svg_to_png(svg: str, width_px: int = 1600, *, background: str | None = "#ffffff") -> bytes:
    """Render a chart's SVG to PNG bytes, `width_px` wide (height follows the viewBox), on a white background."""
    import cairosvg  # imported here: only the report formats need cairo

    family = installed_font_family()
    if family != "Marianne":
        svg = svg.replace(f'font-family="{FONT_FAMILY}"', f'font-family="{family}, sans-serif"')
    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=int(width_px), background_color=background)

"""Derive pilotactions/core/charts/data/france.json, the map geometry of the départements and régions.

Usage (from the repository root):
    npm pack @gouvfr/dsfr-chart@2.0.4 && mkdir dsfr-chart && tar xzf gouvfr-dsfr-chart-2.0.4.tgz -C dsfr-chart
    npm pack world-atlas@2.0.2 && mkdir world-atlas && tar xzf world-atlas-2.0.2.tgz -C world-atlas
    python scripts/derive_map_geometry.py dsfr-chart/package world-atlas/package

Sources:
- @gouvfr/dsfr-chart 2.0.4 (MIT, DINUM): `dist/MapChart/MapChart.js` embeds SVG paths of the 96
  metropolitan départements (classes "FR-01"…"FR-95", "FR-2A", "FR-2B") and of the 13 metropolitan
  régions (classes "FR-ARA"…, "FR-20R" for Corse) in one 1010 × 1010 frame, and one SVG per overseas
  département ("FR-971"…"FR-976", each in its own small frame).
- world-atlas 2.0.2 (ISC, Natural Earth 1:10m data, public domain): Saint-Pierre-et-Miquelon and
  the French part of Saint-Martin, which dsfr-chart does not draw.

What the script changes: paths are parsed and rewritten as compact relative paths; the metropolitan
frame is cropped to the map's bounding box (integer coordinates kept as they are); each overseas shape
is rescaled to a height of 100 units and rounded to 0.1; the Natural Earth polygons are projected
(equirectangular, scaled by the cosine of the mean latitude) and rescaled the same way. Région codes
become INSEE codes. Every shape gets its bounding box. Nothing is simplified.
"""

import json
import math
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "pilotactions" / "core" / "charts" / "data" / "france.json"

REGION_CODES = {
    "ARA": "84",
    "BFC": "27",
    "BRE": "53",
    "CVL": "24",
    "GES": "44",
    "HDF": "32",
    "IDF": "11",
    "NAQ": "75",
    "NOR": "28",
    "OCC": "76",
    "PAC": "93",
    "PDL": "52",
    "20R": "94",
}
OVERSEAS = ("971", "972", "973", "974", "976")
NATURAL_EARTH = {"975": "666", "978": "663"}  # INSEE code → ISO 3166 numeric id in world-atlas
OVERSEAS_HEIGHT = 100.0

# --- SVG path parsing -----------------------------------------------------------------------------

_ARGS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _tokens(d):
    """Yield commands and numbers; arc flags may be written without separators ("a1 1 0 011 2")."""
    i, command, count = 0, None, 0
    while i < len(d):
        char = d[i]
        if char in " ,\t\n\r":
            i += 1
        elif char.isalpha():
            command, count = char, 0
            yield char
            i += 1
        else:
            if command and command in "aA" and count % 7 in (3, 4) and char in "01":
                yield float(char)
                i += 1
            else:
                match = _NUMBER.match(d, i)
                if not match:
                    raise ValueError(f"unexpected {char!r} at {i} in path")
                yield float(match.group())
                i = match.end()
            count += 1


def parse_path(d):
    """Return subpaths as lists of absolute segments: ("M", x, y), ("L", x, y), ("C", …6), ("A", …7), ("Z",)."""
    segments = []
    tokens = list(_tokens(d))
    i, x, y, start = 0, 0.0, 0.0, (0.0, 0.0)
    last_control, command = None, None
    while i < len(tokens):
        if isinstance(tokens[i], str):
            command = tokens[i]
            i += 1
            if command in "zZ":
                segments.append(("Z",))
                x, y = start
                last_control = None
                continue
        elif command is None:
            raise ValueError("path does not start with a command")
        upper = command.upper()
        relative = command.islower()
        args = tokens[i : i + _ARGS[upper]]
        i += _ARGS[upper]
        dx, dy = (x, y) if relative else (0.0, 0.0)
        if upper == "M":
            x, y = args[0] + dx, args[1] + dy
            start = (x, y)
            segments.append(("M", x, y))
            command = "l" if relative else "L"  # following pairs are line-tos
            last_control = None
        elif upper == "L":
            x, y = args[0] + dx, args[1] + dy
            segments.append(("L", x, y))
            last_control = None
        elif upper == "H":
            x = args[0] + dx
            segments.append(("L", x, y))
            last_control = None
        elif upper == "V":
            y = args[0] + (y if relative else 0.0)
            segments.append(("L", x, y))
            last_control = None
        elif upper in "CS":
            if upper == "C":
                x1, y1, x2, y2, ex, ey = args
                x1, y1 = x1 + dx, y1 + dy
            else:
                x2, y2, ex, ey = args
                x1, y1 = (2 * x - last_control[0], 2 * y - last_control[1]) if last_control else (x, y)
            x2, y2, ex, ey = x2 + dx, y2 + dy, ex + dx, ey + dy
            segments.append(("C", x1, y1, x2, y2, ex, ey))
            last_control = (x2, y2)
            x, y = ex, ey
        elif upper == "A":
            rx, ry, rotation, large, sweep, ex, ey = args
            x, y = ex + dx, ey + dy
            segments.append(("A", rx, ry, rotation, large, sweep, x, y))
            last_control = None
        else:
            raise ValueError(f"unsupported path command {command!r}")
    return segments


def transform(segments, scale, tx, ty):
    out = []
    for segment in segments:
        kind = segment[0]
        if kind == "Z":
            out.append(segment)
        elif kind == "A":
            rx, ry, rotation, large, sweep, x, y = segment[1:]
            out.append(("A", rx * scale, ry * scale, rotation, large, sweep, x * scale + tx, y * scale + ty))
        else:
            coords = segment[1:]
            out.append((kind, *[c * scale + (tx if n % 2 == 0 else ty) for n, c in enumerate(coords)]))
    return out


def bbox(segments):
    xs, ys = [], []
    for segment in segments:
        if segment[0] == "Z":
            continue
        points = segment[-2:] if segment[0] == "A" else segment[1:]
        xs.extend(points[0::2])
        ys.extend(points[1::2])
    return min(xs), min(ys), max(xs), max(ys)


def _num(value, decimals):
    text = f"{round(value, decimals):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("0."):
        text = text[1:]
    elif text.startswith("-0."):
        text = "-" + text[2:]
    return "0" if text in ("-0", "", "-") else text


def _join(tokens):
    """Join command letters and numbers with as few separators as SVG allows."""
    out, previous = [], None
    for token in tokens:
        if token[0].isalpha():
            out.append(token)
        else:
            glued = token.startswith("-") or (token.startswith(".") and "." in (previous or ""))
            if previous is not None and not previous[0].isalpha() and not glued:
                out.append(" ")
            out.append(token)
        previous = token
    return "".join(out)


def serialize(segments, decimals):
    """Relative path computed from rounded absolute points, so that rounding never drifts."""
    factor = 10**decimals

    def snap(value):
        return round(value * factor) / factor

    tokens, command = [], None
    cx, cy, start = 0.0, 0.0, (0.0, 0.0)

    def emit(letter, numbers):
        nonlocal command
        if letter != command or letter in "mz":
            tokens.append(letter)
        tokens.extend(numbers)
        command = letter

    for segment in segments:
        kind = segment[0]
        if kind == "Z":
            emit("z", [])
            cx, cy = start
            continue
        if kind == "A":
            rx, ry, rotation, large, sweep, x, y = segment[1:]
            x, y = snap(x), snap(y)
            numbers = [_num(rx, decimals), _num(ry, decimals), _num(rotation, 0), str(int(large)), str(int(sweep))]
            emit("a", [*numbers, _num(x - cx, decimals), _num(y - cy, decimals)])
            cx, cy = x, y
            continue
        points = [snap(v) for v in segment[1:]]
        x, y = points[-2], points[-1]
        if kind == "M":
            if tokens:
                emit("m", [_num(x - cx, decimals), _num(y - cy, decimals)])
            else:
                emit("M", [_num(x, decimals), _num(y, decimals)])
            start = (x, y)
        elif kind == "L":
            if x == cx and y == cy:
                continue
            if y == cy:
                emit("h", [_num(x - cx, decimals)])
            elif x == cx:
                emit("v", [_num(y - cy, decimals)])
            else:
                emit("l", [_num(x - cx, decimals), _num(y - cy, decimals)])
        elif kind == "C":
            emit("c", [_num(v - (cx if n % 2 == 0 else cy), decimals) for n, v in enumerate(points)])
        cx, cy = x, y
    return _join(tokens)


# --- sources --------------------------------------------------------------------------------------


def dsfr_chart_paths(package):
    source = (Path(package) / "dist" / "MapChart" / "MapChart.js").read_text(encoding="utf-8")
    pattern = re.compile(r'class: "FR-([0-9A-Z]+)",\s*(?:style: [^\n]*\n\s*)?d: "([^"]+)"')
    paths = {}
    for match in pattern.finditer(source):
        code, d = match.groups()
        if code in paths:
            raise SystemExit(f"FR-{code} drawn twice")
        paths[code] = d
    return paths


def natural_earth_polygons(package, iso_id):
    topology = json.loads((Path(package) / "countries-10m.json").read_text(encoding="utf-8"))
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for qx, qy in arc:
            x, y = x + qx, y + qy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)
    geometry = next(g for g in topology["objects"]["countries"]["geometries"] if g.get("id") == iso_id)
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    rings = []
    for polygon in polygons:
        for ring_arcs in polygon:
            ring = []
            for index in ring_arcs:
                points = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
                ring.extend(points[1:] if ring else points)
            rings.append(ring)
    return rings


def rings_to_segments(rings):
    latitude = sum(p[1] for ring in rings for p in ring) / sum(len(ring) for ring in rings)
    factor = math.cos(math.radians(latitude))
    segments = []
    for ring in rings:
        for n, (lon, lat) in enumerate(ring[:-1] if ring[0] == ring[-1] else ring):
            segments.append(("M" if n == 0 else "L", lon * factor, -lat))
        segments.append(("Z",))
    return segments


def normalised(segments, height, decimals):
    x0, y0, x1, y1 = bbox(segments)
    scale = height / (y1 - y0)
    moved = transform(segments, scale, -x0 * scale, -y0 * scale)
    return {
        "width": round((x1 - x0) * scale, decimals),
        "height": round(height, decimals),
        "d": serialize(moved, decimals),
    }


def main(dsfr_chart, world_atlas):
    paths = dsfr_chart_paths(dsfr_chart)
    metro_codes = sorted(c for c in paths if c not in OVERSEAS and c not in REGION_CODES)
    if len(metro_codes) != 96:
        raise SystemExit(f"expected 96 metropolitan départements, found {len(metro_codes)}")
    parsed = {code: parse_path(paths[code]) for code in paths}
    boxes = [bbox(parsed[code]) for code in [*metro_codes, *REGION_CODES]]
    margin = 2
    tx = -math.floor(min(b[0] for b in boxes)) + margin
    ty = -math.floor(min(b[1] for b in boxes)) + margin
    width = math.ceil(max(b[2] for b in boxes)) + tx + margin
    height = math.ceil(max(b[3] for b in boxes)) + ty + margin

    def metro_shape(code):
        segments = transform(parsed[code], 1, tx, ty)
        return {"d": serialize(segments, 1), "bbox": [round(v, 1) for v in bbox(segments)]}

    geometry = {
        "about": "Derived by scripts/derive_map_geometry.py, see README.md beside this file.",
        "sources": [
            "@gouvfr/dsfr-chart 2.0.4 (MIT, DINUM)",
            "world-atlas 2.0.2 (ISC), données Natural Earth (domaine public)",
        ],
        "metropole": {
            "width": width,
            "height": height,
            "departements": {code: metro_shape(code) for code in metro_codes},
            "regions": {REGION_CODES[key]: metro_shape(key) for key in sorted(REGION_CODES, key=REGION_CODES.get)},
        },
        "outre_mer": {code: normalised(parsed[code], OVERSEAS_HEIGHT, 1) for code in OVERSEAS},
    }
    for code, iso_id in NATURAL_EARTH.items():
        rings = natural_earth_polygons(world_atlas, iso_id)
        geometry["outre_mer"][code] = normalised(rings_to_segments(rings), OVERSEAS_HEIGHT, 1)
    geometry["outre_mer"] = dict(sorted(geometry["outre_mer"].items()))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(geometry, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT.name}: {len(metro_codes)} + {len(geometry['outre_mer'])} shapes, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])

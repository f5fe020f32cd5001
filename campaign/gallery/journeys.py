"""The journeys page: where storytellers come from and where they live now."""

import math
from dataclasses import dataclass

from flask import Blueprint, render_template

from campaign.gallery import listings
from campaign.gallery.worldmap import world_map
from campaign.i18n.countries import country_name
from campaign.publishing.pagecache import public_page

bp = Blueprint("journeys", __name__)

SHADES = 4
MAP_JOURNEYS = 10
TABLE_JOURNEYS = 20


@dataclass(frozen=True)
class MapCountry:
    code: str
    name: str
    path: str
    origin: int
    residence: int
    shade: str  # CSS class, "" for countries without stories


@dataclass(frozen=True)
class Arc:
    origin: str
    residence: str
    count: int
    path: str
    weight: int  # 1..SHADES


def _level(count: int, largest: int) -> int:
    return max(1, math.ceil(SHADES * count / largest)) if count else 0


def _arc(start, end) -> str:
    """A curve bowing to one side, so lines both ways between two countries stay apart."""
    (x0, y0), (x1, y1) = start, end
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    dx, dy = x1 - x0, y1 - y0
    bend = 0.2
    cx, cy = mx + dy * bend, my - dx * bend
    return f"M{x0:.0f} {y0:.0f}Q{cx:.0f} {cy:.0f} {x1:.0f} {y1:.0f}"


@public_page
def journeys_view():
    shapes = world_map()
    counts = listings.country_counts()
    largest = max((max(c["origin"], c["residence"]) for c in counts.values()), default=1)
    countries = []
    for code, shape in shapes.countries.items():
        numbers = counts.get(code, {"origin": 0, "residence": 0})
        shade = ""
        if numbers["origin"] or numbers["residence"]:
            kind = "from" if numbers["origin"] >= numbers["residence"] else "in"
            level = _level(max(numbers["origin"], numbers["residence"]), largest)
            shade = f"map-{kind}-{level}"
        countries.append(
            MapCountry(
                code, country_name(code), shape.path, numbers["origin"], numbers["residence"], shade
            )
        )
    journeys = listings.journey_counts(limit=TABLE_JOURNEYS)
    busiest = max((count for _o, _r, count in journeys), default=1)
    arcs = [
        Arc(
            origin,
            residence,
            count,
            _arc(shapes.countries[origin].centroid, shapes.countries[residence].centroid),
            _level(count, busiest),
        )
        for origin, residence, count in journeys[:MAP_JOURNEYS]
        if origin != residence and origin in shapes.countries and residence in shapes.countries
    ]
    table = sorted(
        ((code, country_name(code), n["origin"], n["residence"]) for code, n in counts.items()),
        key=lambda row: (-(row[2] + row[3]), row[1].casefold()),
    )
    return render_template(
        "journeys/journeys.html",
        view_box=shapes.view_box,
        countries=countries,
        arcs=arcs,
        table=table,
        journeys=journeys,
    )


bp.add_url_rule("/journeys", "journeys", journeys_view)

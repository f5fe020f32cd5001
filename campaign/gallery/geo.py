"""How far from home: great-circle distance between country centroids."""

import csv
import math
from functools import cache
from pathlib import Path

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
CENTROIDS_FILE = Path(__file__).parent / "data" / "country_centroids.csv"


@cache
def centroids() -> dict[str, tuple[float, float]]:
    """ISO 3166-1 alpha-2 code -> (latitude, longitude) of the country's centre."""
    with CENTROIDS_FILE.open(encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        return {
            row["code"]: (float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(lines)
        }


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def distance_km(origin: str, residence: str) -> int | None:
    """Rounded kilometres between two countries' centres; None if unknown or the same."""
    table = centroids()
    if origin == residence or origin not in table or residence not in table:
        return None
    return round(haversine_km(table[origin], table[residence]))

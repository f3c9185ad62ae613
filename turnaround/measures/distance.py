"""How far a child is placed from home, by postcode district, and in whose area.

SSDA903 records the home and placement postcodes only to the sector ('B11 1'). We place each
sector at the centre of its postcode district ('B11') from a small shipped table,
``data/postcode_districts.csv``: approximate centroids (to about a kilometre) from public maps,
and the local authority each district mostly lies in. Several districts straddle a boundary
(the table's ``note`` says which); a district is given to the council that holds most of it.
B99 is a non-geographic district and is left out. The table covers Birmingham's districts, its
neighbours' B districts, and the districts further afield that the synthetic city places
children in. A postcode outside it has no known distance, and the measures leave such children
out of both sides rather than guess.

Distances are great-circle (haversine) miles between district centres. Within a district the
distance is zero, which understates short moves but never makes a child look further away
than 20 miles when they are not.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pyarrow as pa

EARTH_RADIUS_MILES = 3958.8
FAR_MILES = 20.0


@dataclass(frozen=True)
class District:
    """One postcode district: its approximate centre and its local authority."""

    district: str
    lat: float
    lon: float
    la_code: str
    la_name: str


@cache
def districts() -> dict[str, District]:
    """The shipped postcode districts, keyed by district ('B11')."""
    text = (
        resources.files("turnaround.measures")
        .joinpath("data", "postcode_districts.csv")
        .read_text(encoding="utf-8")
    )
    found = {}
    for row in csv.DictReader(text.splitlines()):
        found[row["district"]] = District(
            row["district"], float(row["lat"]), float(row["lon"]), row["la_code"], row["la_name"]
        )
    return found


def district_of(postcode: str | None) -> str | None:
    """The district of a postcode or sector: 'B11 1AA' and 'b11 1' both give 'B11'."""
    if not postcode:
        return None
    parts = postcode.upper().split()
    return parts[0] if parts else None


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))


def distance_miles(home: str | None, placement: str | None) -> float | None:
    """Miles between the districts of two postcodes, or None when either is unknown."""
    a, b = districts().get(district_of(home) or ""), districts().get(district_of(placement) or "")
    if a is None or b is None:
        return None
    return haversine_miles(a.lat, a.lon, b.lat, b.lon)


def district_miles_table() -> pa.Table:
    """Miles between every pair of known districts, for SQL: (from_district, to_district, miles)."""
    rows = list(districts().values())
    pairs = [(a, b) for a in rows for b in rows]
    return pa.table(
        {
            "from_district": [a.district for a, _ in pairs],
            "to_district": [b.district for _, b in pairs],
            "miles": [haversine_miles(a.lat, a.lon, b.lat, b.lon) for a, b in pairs],
        }
    )


def districts_table() -> pa.Table:
    """The districts as an Arrow table, for the measures' SQL to join to."""
    rows = list(districts().values())
    return pa.table(
        {
            "district": [d.district for d in rows],
            "lat": [d.lat for d in rows],
            "lon": [d.lon for d in rows],
            "la_code": [d.la_code for d in rows],
        }
    )

"""Where things are: geocoding through the ``geocode`` hook, grid cells, bounding boxes.

The radius pre-filter must use an index on SQLite and PostgreSQL alike, without
PostGIS or SpatiaLite. Each located offer carries a grid cell number: rows of
``CELL_DEGREES`` latitude, columns of ``CELL_DEGREES`` longitude, numbered row by
row. The cells of one row inside a bounding box are consecutive numbers, so a radius
search is a handful of ``geo_cell BETWEEN a AND b`` ranges on a B-tree index; the
exact great-circle distance is computed afterwards for the few candidates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core import ValidationError, check_postcode_fits_place, current_host, gazetteer

CELL_DEGREES = 0.1
_COLUMNS = int(360 / CELL_DEGREES)
KM_PER_DEGREE_LAT = 111.2
MAX_RADIUS_KM = 200


@dataclass(frozen=True)
class Point:
    """A geocoded location with the label and PLZ it stands for."""

    lat: float
    lon: float
    label: str
    plz: str | None


def geocode(query: str, *, field: str = "plz") -> Point:
    """Coordinates for a PLZ or place name through the ``geocode`` hook.

    :raises ValidationError: nothing matched (the message names the input), or a
        postcode came with the name of another place.
    """
    text = (query or "").strip()
    if not text:
        raise ValidationError(
            "enter a postcode (PLZ) or a place", field=field, code="engagement.place.required"
        )
    hook = current_host().hook
    found = hook.geocode(query=text)
    if found is None:
        check_postcode_fits_place(text, field)
        raise ValidationError(
            "%(text)r is not a known German postcode or place",
            field=field,
            code="postcode.unknown",
            text=text,
        )
    return Point(found.lat, found.lon, found.label, found.plz)


def cell_of(lat: float, lon: float) -> int:
    """The grid cell number of a point."""
    row = int(math.floor((lat + 90.0) / CELL_DEGREES))
    column = int(math.floor((lon + 180.0) / CELL_DEGREES))
    return row * _COLUMNS + column


@dataclass(frozen=True)
class BoundingBox:
    """The box around a circle, in degrees."""

    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    def cell_ranges(self) -> list[tuple[int, int]]:
        """Consecutive cell numbers covering the box: one (first, last) per grid row."""
        first_row = int(math.floor((self.min_lat + 90.0) / CELL_DEGREES))
        last_row = int(math.floor((self.max_lat + 90.0) / CELL_DEGREES))
        first_col = int(math.floor((self.min_lon + 180.0) / CELL_DEGREES))
        last_col = int(math.floor((self.max_lon + 180.0) / CELL_DEGREES))
        return [
            (row * _COLUMNS + first_col, row * _COLUMNS + last_col)
            for row in range(first_row, last_row + 1)
        ]


def bounding_box(lat: float, lon: float, radius_km: float) -> BoundingBox:
    """The smallest latitude/longitude box containing the circle (away from the poles)."""
    dlat = radius_km / KM_PER_DEGREE_LAT
    dlon = radius_km / (KM_PER_DEGREE_LAT * max(0.01, math.cos(math.radians(lat))))
    return BoundingBox(lat - dlat, lat + dlat, lon - dlon, lon + dlon)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (core's gazetteer formula)."""
    return gazetteer.distance_km(lat1, lon1, lat2, lon2)


def validate_radius(radius_km: float | int | None, field: str = "radius_km") -> int:
    """A radius in whole km between 1 and ``MAX_RADIUS_KM``."""
    if radius_km is None:
        return 25
    if not 1 <= radius_km <= MAX_RADIUS_KM:
        raise ValidationError(
            "must be between 1 and %(max_radius_km)s km",
            field=field,
            code="engagement.radius.out_of_range",
            max_radius_km=MAX_RADIUS_KM,
        )
    return int(radius_km)

"""Map geometry sent once: the boundaries of a build are written once to a static file that the
browser fetches (and keeps) by URL, so a rerun of the map page sends only colours and labels.

Streamlit serves dashboard/static/ at app/static/ (`server.enableStaticServing`). The file name
carries a hash of its content, so a rebuilt warehouse with new boundaries gets a new URL. Where
static serving is off or the folder is read-only, the geometry goes inline as before.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from dashboard import queries
from dashboard.db import current_build

STATIC = Path(__file__).with_name("static")
FOLDER = "kart"


@dataclass(frozen=True)
class Geometry:
    kommuner: str | dict | None  # URL of the FeatureCollection, or the collection itself
    fylker: str | dict | None
    index: dict[str, int]  # kommunenummer -> position in the collection (properties.i)
    bounds: dict[str, tuple[float, float, float, float]]  # kommunenummer -> (west, south, east, north)
    areas: dict[str, float]  # kommunenummer -> area on the map (Web Mercator px² at zoom 0)
    shapes: dict[str, dict]  # kommunenummer -> its geometry (to outline a chosen municipality)


def _coordinates(geometry: dict):
    rings = geometry["coordinates"] if geometry["type"] == "Polygon" else [  # ikke-tekst
        r for poly in geometry["coordinates"] for r in poly]
    for ring in rings:
        yield from ring


def _bounds(geometry: dict) -> tuple[float, float, float, float]:
    xs, ys = zip(*((p[0], p[1]) for p in _coordinates(geometry)))
    return min(xs), min(ys), max(xs), max(ys)


def _area(geometry: dict) -> float:
    """Area of the outer rings on the map (shoelace over Web Mercator px at zoom 0): what a
    reader sees as large, so the far north counts larger than in km²."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]  # ikke-tekst
    total = 0.0
    for polygon in polygons:
        ring = [_mercator(lon, lat) for lon, lat, *_ in polygon[0]]
        total += abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))) / 2
    return total


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    rad = math.radians(lat)
    return (lon + 180) / 360 * 512, (1 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2 * 512


def _publish(kind: str, collection: dict) -> str | dict:
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
    name = f"{kind}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.geojson"
    if not st.get_option("server.enableStaticServing"):
        return collection
    try:
        folder = STATIC / FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        if not target.exists():
            tmp = target.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(target)
    except OSError:
        return collection
    return f"app/static/{FOLDER}/{name}"


@st.cache_resource(max_entries=2, show_spinner=False)
def _geometry(build: str) -> Geometry:
    kommuner = queries.municipality_boundaries()
    if kommuner.is_empty():
        return Geometry(None, None, {}, {}, {}, {})
    features, index, bounds, areas, shapes = [], {}, {}, {}, {}
    for i, row in enumerate(kommuner.iter_rows(named=True)):
        geometry = json.loads(row["geometri"])
        index[row["kommunenummer"]] = i
        bounds[row["kommunenummer"]] = _bounds(geometry)
        areas[row["kommunenummer"]] = _area(geometry)
        shapes[row["kommunenummer"]] = geometry
        features.append({"type": "Feature", "geometry": geometry, "properties": {  # ikke-tekst
            "i": i, "kommunenummer": row["kommunenummer"], "kommunenavn": row["kommunenavn"],
            "fylke": row["fylkesnavn"], "samarbeid": row["samarbeid"] or "–",
        }})
    fylker = queries.county_boundaries()
    counties = {"type": "FeatureCollection", "features": [  # ikke-tekst
        {"type": "Feature", "geometry": json.loads(g), "properties": {"fylkesnummer": c}}  # ikke-tekst
        for c, g in zip(fylker["fylkesnummer"], fylker["geometri"])
    ]} if not fylker.is_empty() else None
    return Geometry(
        _publish("kommuner", {"type": "FeatureCollection", "features": features}),  # ikke-tekst
        _publish("fylker", counties) if counties else None, index, bounds, areas, shapes,
    )


def geometry() -> Geometry:
    """Boundaries of the current build, written once per build (shared, read-only)."""
    return _geometry(current_build())


def fit(bounds: list[tuple[float, float, float, float]], width: int = 900, height: int = 660,
        max_zoom: float = 9.0, margin: int | None = None) -> tuple[float, float, float]:
    """latitude, longitude and zoom that show all the boxes in a width × height px view (Web
    Mercator with deck.gl's 512 px world), `margin` px free on every side (7.5 % if not given)."""
    if not bounds:
        return 64.6, 15.5, 3.7
    west = min(b[0] for b in bounds)
    south = min(b[1] for b in bounds)
    east = max(b[2] for b in bounds)
    north = max(b[3] for b in bounds)

    def y(lat: float) -> float:
        rad = math.radians(lat)
        return (1 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2 * 512

    dx = max((east - west) / 360 * 512, 1e-6)
    dy = max(y(south) - y(north), 1e-6)
    free_x, free_y = (width * 0.85, height * 0.85) if margin is None else (width - 2 * margin, height - 2 * margin)
    zoom = min(math.log2(free_x / dx), math.log2(free_y / dy), max_zoom)
    middle_y = (y(north) + y(south)) / 2
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * middle_y / 512))))
    return lat, (west + east) / 2, zoom

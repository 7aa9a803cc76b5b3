"""Municipalities and counties of 2024, older codes mapped to them, and optional boundaries."""

from __future__ import annotations

import hashlib
import json
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from etl import config
from etl.errors import Collector, InputError, Problem

GEO_DIR = config.DATA_DIR / "geo"
KOMMUNER_CSV = GEO_DIR / "kommuner_2024.csv"
FYLKER_CSV = GEO_DIR / "fylker_2024.csv"
HISTORIKK_CSV = GEO_DIR / "kommunenummer_historikk.csv"

_CODE = pl.Utf8


def _read_csv(path: Path, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    try:
        frame = pl.read_csv(path, schema_overrides=schema, infer_schema_length=0)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputError([Problem(str(path), None, None, exc, "lesbar CSV-fil")]) from exc
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise InputError(
            [Problem(str(path), 1, c, "(mangler)", "kolonnen i overskriftsraden") for c in missing]
        )
    return frame.select(list(schema)).cast(schema)


def read_kommuner() -> pl.DataFrame:
    return _read_csv(
        KOMMUNER_CSV,
        {
            "kommunenummer": _CODE,
            "kommunenavn": pl.Utf8,
            "kommunenavn_kort": pl.Utf8,
            "fylkesnummer": _CODE,
            "lat": pl.Float64,
            "lon": pl.Float64,
        },
    )


def read_fylker() -> pl.DataFrame:
    return _read_csv(
        FYLKER_CSV,
        {
            "fylkesnummer": _CODE,
            "fylkesnavn": pl.Utf8,
            "fylkesnavn_kort": pl.Utf8,
            "lat": pl.Float64,
            "lon": pl.Float64,
        },
    )


def read_historikk() -> pl.DataFrame:
    return _read_csv(
        HISTORIKK_CSV,
        {
            "kommunenummer_gammel": _CODE,
            "kommunenavn_gammel": pl.Utf8,
            "gyldig_fra": pl.Int32,
            "gyldig_til": pl.Int32,
            "kommunenummer_2024": _CODE,
            "kilde": pl.Utf8,
            "merknad": pl.Utf8,
        },
    )


# --- boundaries -------------------------------------------------------------------------------


@dataclass
class Boundaries:
    """Simplified boundary geometries as GeoJSON strings, keyed by code."""

    kommuner: pl.DataFrame  # kommunenummer, geometri
    fylker: pl.DataFrame  # fylkesnummer, geometri
    kilde: str


def _fetch(source: str, explicit: bool, what: str = "kommunegrenser") -> tuple[bytes, str] | None:
    """Read a path or URL; downloads are cached. Returns None when a default URL is unreachable."""
    if not source.startswith(("http://", "https://")):
        path = Path(source)
        try:
            return path.read_bytes(), str(path)
        except OSError as exc:
            raise InputError([Problem(source, None, None, exc.strerror, "en lesbar GeoJSON-fil")])
    cached = config.cache_dir() / (hashlib.sha256(source.encode()).hexdigest()[:16] + ".geojson")
    if cached.exists():
        return cached.read_bytes(), source
    try:
        with urllib.request.urlopen(source, timeout=8) as response:
            data = response.read()
    except OSError as exc:
        if explicit:
            raise InputError([Problem(source, None, None, exc, "en nåbar adresse")]) from exc
        print(
            f"Advarsel: fikk ikke hentet {what} fra {source} ({exc}). "
            + ("Lageret bygges uten grenser; kartet viser punkter." if what == "kommunegrenser"
               else "Kartet viser kommunene uten fylkesgrenser."),
            file=sys.stderr,
        )
        return None
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(cached)
    return data, source


def _rounded(geometry: dict) -> dict:
    """Coordinates to 4 decimals (about 10 m): plenty for a simplified map, a third of the bytes."""

    def walk(value):
        if isinstance(value, list):
            return [walk(v) for v in value]
        return round(value, 4) if isinstance(value, float) else value

    return {"type": geometry["type"], "coordinates": walk(geometry.get("coordinates", []))}


def _parse(data: bytes, name: str, key: str, valid: set[str]) -> pl.DataFrame:
    errors = Collector()
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError([Problem(name, line, None, exc, "gyldig GeoJSON (JSON)")]) from exc
    if not isinstance(doc, dict):
        raise InputError([Problem(name, None, "type", type(doc).__name__, "et GeoJSON-objekt (FeatureCollection)")])
    features = doc.get("features")
    if doc.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise InputError([Problem(name, None, "type", doc.get("type"), "FeatureCollection")])
    rows: dict[str, str] = {}
    for i, feature in enumerate(features, start=1):
        where = f"objekt {i}"
        props = (feature or {}).get("properties") or {}
        code = props.get(key)
        code = f"{int(code):0{len(next(iter(valid)))}d}" if isinstance(code, int) else code
        geometry = (feature or {}).get("geometry") or {}
        if code not in valid:
            errors.add(name, where, key, code, "en gyldig kode fra 2024")
            continue
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            errors.add(name, where, "geometry.type", geometry.get("type"), "Polygon/MultiPolygon")
            continue
        rows[code] = json.dumps(_rounded(geometry), separators=(",", ":"))
    errors.raise_if_any()
    if not rows:
        raise InputError([Problem(name, None, "features", "ingen objekter", "minst ett område")])
    return pl.DataFrame(
        {key: list(rows), "geometri": list(rows.values())}, schema={key: pl.Utf8, "geometri": pl.Utf8}
    ).sort(key)


def load_boundaries(
    kommune_source: str | None,
    fylke_source: str | None,
    kommunenumre: set[str],
    fylkesnumre: set[str],
) -> Boundaries | None:
    """Boundaries from the given sources, or from the public default (None when unreachable)."""
    explicit = kommune_source is not None
    fetched = _fetch(kommune_source or config.DEFAULT_KOMMUNE_GEOJSON, explicit)
    if fetched is None:
        return None
    kommuner = _parse(fetched[0], fetched[1], "kommunenummer", kommunenumre)
    fylker = pl.DataFrame(schema={"fylkesnummer": pl.Utf8, "geometri": pl.Utf8})
    fylke_fetched = _fetch(
        fylke_source or config.DEFAULT_FYLKE_GEOJSON, fylke_source is not None, "fylkesgrenser"
    )
    if fylke_fetched is not None:
        fylker = _parse(fylke_fetched[0], fylke_fetched[1], "fylkesnummer", fylkesnumre)
    return Boundaries(kommuner=kommuner, fylker=fylker, kilde=fetched[1])

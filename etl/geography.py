"""Municipalities and counties of 2024, older codes mapped to them, and optional boundaries."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from etl import config
from etl.errors import Collector, Described, InputError, Problem
from etl.meldinger import explain

GEO_DIR = config.DATA_DIR / "geo"
KOMMUNER_CSV = GEO_DIR / "kommuner_2024.csv"
FYLKER_CSV = GEO_DIR / "fylker_2024.csv"
HISTORIKK_CSV = GEO_DIR / "kommunenummer_historikk.csv"

_CODE = pl.Utf8


def _read_csv(path: Path, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    try:
        frame = pl.read_csv(path, schema_overrides=schema, infer_schema_length=0)
    except (OSError, pl.exceptions.PolarsError) as exc:
        found = exc if isinstance(exc, OSError) else Described("tekst som ikke kan leses som CSV")
        raise InputError([Problem(str(path), None, None, found, "lesbar CSV-fil")]) from exc
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
            "andel": pl.Utf8,
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


DOWNLOAD_TIMEOUT = 8  # seconds; offline the build goes on without boundaries


def cache_path(url: str) -> Path:
    """Where a downloaded boundary file is kept (KL_CACHE_DIR)."""
    return config.cache_dir() / (hashlib.sha256(url.encode()).hexdigest()[:16] + ".geojson")


def clean_cache() -> None:
    """Remove half-written downloads left by a killed build (the caller holds the writer lock)."""
    folder = config.cache_dir()
    if folder.is_dir():
        for stale in folder.glob("*.part"):
            stale.unlink(missing_ok=True)


def available_offline(source: str | None) -> bool:
    """Whether a boundary source can be read without the network (a local file or a cached copy)."""
    source = source or config.DEFAULT_KOMMUNE_GEOJSON
    if source.startswith(("http://", "https://")):
        return cache_path(source).is_file()
    return Path(source).is_file()


def _checked(data: bytes, source: str, key: str, valid: set[str]) -> pl.DataFrame:
    """Parse and check a download before it is used or cached: the pinned checksum, GeoJSON,
    and for the pinned default every one of the 2024 codes."""
    pinned = config.PINNED_SHA256.get(source)
    if pinned is not None:
        actual = hashlib.sha256(data).hexdigest()
        if actual != pinned:
            raise InputError([Problem(
                source, None, None, Described(f"en fil med SHA-256 {actual[:16]}…"),
                f"den låste versjonen med SHA-256 {pinned[:16]}… (se etl/config.py)",
            )])
    frame = _parse(data, source, key, valid)
    if pinned is not None and frame.height != len(valid):
        raise InputError([Problem(source, None, "features", Described(f"{frame.height} områder"), f"alle {len(valid)}")])
    return frame


def _warn(what: str, source: str, why: str) -> None:
    fallback = (
        "Lageret bygges uten grenser, og kartet viser kommunene som punkter."
        if what == "kommunegrenser" else "Kartet viser kommunene uten fylkesgrenser."
    )
    print(
        f"Advarsel: fikk ikke brukbare {what} fra {source} ({why}). {fallback} Gi en lokal fil med "
        "--geojson/--fylke-geojson (KL_GEOJSON/KL_FYLKE_GEOJSON), eller bygg på nytt når nettet virker.",
        file=sys.stderr,
    )


def _load(
    source: str, explicit: bool, key: str, valid: set[str], what: str = "kommunegrenser"
) -> pl.DataFrame | None:
    """Boundaries from a path or URL. A download is checked before it is cached, a cached copy
    is checked again before it is used (and replaced if bad). None when a default is unusable."""
    if not source.startswith(("http://", "https://")):
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise InputError([Problem(source, None, None, exc, "en lesbar GeoJSON-fil")]) from exc
        return _parse(data, source, key, valid)
    cached = cache_path(source)
    if cached.is_file():
        try:
            return _checked(cached.read_bytes(), source, key, valid)
        except (OSError, InputError) as exc:
            print(
                f"Advarsel: den lagrede kopien av {source} i {cached} er ødelagt eller feil "
                f"({_reason(exc)}); den slettes og hentes på nytt.",
                file=sys.stderr,
            )
            cached.unlink(missing_ok=True)
    try:
        with urllib.request.urlopen(source, timeout=DOWNLOAD_TIMEOUT) as response:
            data = response.read()
        frame = _checked(data, source, key, valid)
    except (OSError, ValueError, InputError) as exc:
        if explicit:
            if isinstance(exc, InputError):
                raise
            raise InputError([Problem(source, None, None, Described(_reason(exc)), "en nåbar adresse")]) from exc
        _warn(what, source, _reason(exc))
        return None
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f"{cached.name}.{os.getpid()}.part")
        tmp.write_bytes(data)
        tmp.replace(cached)
    except OSError as exc:
        print(f"Advarsel: kunne ikke lagre {what} i {cached.parent} ({explain(exc)}); de hentes på nytt neste gang.",
              file=sys.stderr)
    return frame


def _reason(exc: BaseException) -> str:
    """Why a download failed, in Norwegian."""
    if isinstance(exc, InputError):
        return "; ".join(str(p).split(": ", 1)[-1] for p in exc.problems[:3])
    if isinstance(exc, urllib.error.HTTPError):
        return f"serveren svarte {exc.code}"
    if isinstance(exc, (urllib.error.URLError, TimeoutError)):
        return "adressen kunne ikke nås"
    if isinstance(exc, ValueError):
        return "ugyldig adresse"
    return explain(exc)


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
        found = Described("tekst som ikke er JSON" + (" (en nettside?)" if data.lstrip()[:1] == b"<" else ""))
        raise InputError([Problem(name, line, None, found, "gyldig GeoJSON (JSON)")]) from exc
    if not isinstance(doc, dict):
        raise InputError([Problem(name, None, "type", doc, "et GeoJSON-objekt (FeatureCollection)")])
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
        raise InputError([Problem(name, None, "features", Described("ingen objekter"), "minst ett område")])
    return pl.DataFrame(
        {key: list(rows), "geometri": list(rows.values())}, schema={key: pl.Utf8, "geometri": pl.Utf8}
    ).sort(key)


def load_boundaries(
    kommune_source: str | None,
    fylke_source: str | None,
    kommunenumre: set[str],
    fylkesnumre: set[str],
) -> Boundaries | None:
    """Boundaries from the given sources, or from the public default (None when unusable)."""
    kommune = kommune_source or config.DEFAULT_KOMMUNE_GEOJSON
    kommuner = _load(kommune, kommune_source is not None, "kommunenummer", kommunenumre)
    if kommuner is None:
        return None
    fylker = _load(
        fylke_source or config.DEFAULT_FYLKE_GEOJSON, fylke_source is not None,
        "fylkesnummer", fylkesnumre, "fylkesgrenser",
    )
    if fylker is None:
        fylker = pl.DataFrame(schema={"fylkesnummer": pl.Utf8, "geometri": pl.Utf8})
    return Boundaries(kommuner=kommuner, fylker=fylker, kilde=kommune)

"""Paths and settings shared by the ETL and the dashboard, read from the environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
SQL_DIR = PROJECT_ROOT / "sql"

DEFAULT_WAREHOUSE = DATA_DIR / "warehouse.duckdb"
# Public copies of Kartverket's boundaries (CC BY 4.0), simplified by robhop/fylker-og-kommuner,
# pinned to a commit and checked against a SHA-256 before they are used or cached (docs/drift.md).
DEFAULT_KOMMUNE_GEOJSON = (
    "https://raw.githubusercontent.com/robhop/fylker-og-kommuner/"
    "77f1e665a1037e171154bd7d5a8d62284c6c9219/Kommuner-S.geojson"
)
DEFAULT_FYLKE_GEOJSON = (
    "https://raw.githubusercontent.com/robhop/fylker-og-kommuner/"
    "22834b17dd4049ef5b4a8599dc3489ae5464c381/Fylker-S.geojson"
)
PINNED_SHA256 = {
    DEFAULT_KOMMUNE_GEOJSON: "20cb3b1216f0af2f4ff429fc0c1a147fdc672e03d2e34dde5cd666c52adbf84d",
    DEFAULT_FYLKE_GEOJSON: "3f5c0219f5813e064eb937d11477f27b91107dc2969ac724ce0728522f7f3af5",
}
DEFAULT_MIN_SVAR = 10
# Below this the privacy of small groups is not protected; only an explicit override allows it.
MIN_SVAR_FLOOR = 5
MIN_SVAR_OVERRIDE = "KL_MIN_SVAR_OVERRIDE"


class SettingError(ValueError):
    """An environment setting has a value the product refuses (message in Norwegian)."""


def warehouse_path() -> Path:
    return Path(os.environ.get("KL_WAREHOUSE") or DEFAULT_WAREHOUSE)


_warned: set[int] = set()


def min_svar() -> int:
    """Suppression threshold K (KL_MIN_SVAR): groups with fewer respondents are never shown.

    An integer of at least 5. Lower values (never below 1) need KL_MIN_SVAR_OVERRIDE=1 and are
    announced on standard error every time a process uses them."""
    raw = (os.environ.get("KL_MIN_SVAR") or "").strip()
    if not raw:
        return DEFAULT_MIN_SVAR
    try:
        k = int(raw)
    except ValueError:
        raise SettingError(
            f"KL_MIN_SVAR: fant «{raw}», forventet et heltall på minst {MIN_SVAR_FLOOR} "
            f"(standard {DEFAULT_MIN_SVAR})"
        ) from None
    if k >= MIN_SVAR_FLOOR:
        return k
    if not min_svar_overridden() or k < 1:
        raise SettingError(
            f"KL_MIN_SVAR: fant «{raw}», forventet et heltall på minst {MIN_SVAR_FLOOR} "
            f"(standard {DEFAULT_MIN_SVAR}). En lavere grense kan vise grupper så små at enkeltpersoner "
            f"kan kjennes igjen; vil du det likevel (for eksempel i en test), sett også "
            f"{MIN_SVAR_OVERRIDE}=1. Grensen kan aldri være under 1."
        )
    if k not in _warned:
        _warned.add(k)
        print(
            f"ADVARSEL: personverngrensen er satt ned til KL_MIN_SVAR={k} med {MIN_SVAR_OVERRIDE}=1. "
            f"Grupper med bare {k} svar kan vises. Bruk aldri dette for data som skal vises eller deles.",
            file=sys.stderr,
            flush=True,
        )
    return k


def min_svar_overridden() -> bool:
    return (os.environ.get(MIN_SVAR_OVERRIDE) or "").strip() == "1"


def memory_gb() -> int:
    """DuckDB's memory limit for a build, in GB (KL_MINNE_GB, default 4): beyond it, it spills."""
    raw = os.environ.get("KL_MINNE_GB") or "4"
    return int(raw) if raw.isdigit() and int(raw) > 0 else 4


def cache_dir() -> Path:
    """Where downloaded boundary files are kept (KL_CACHE_DIR, default data/cache)."""
    return Path(os.environ.get("KL_CACHE_DIR") or DATA_DIR / "cache")


def demo_dir() -> Path:
    """Where `python -m etl demo` writes synthetic data (KL_DEMO_DIR, default data/demo)."""
    return Path(os.environ.get("KL_DEMO_DIR") or DATA_DIR / "demo")


def import_dir() -> Path:
    """Kept imports, the real data (KL_IMPORT_DIR, default data/imports)."""
    return Path(os.environ.get("KL_IMPORT_DIR") or DATA_DIR / "imports")

"""Paths and settings shared by the ETL and the dashboard, read from the environment."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
SQL_DIR = PROJECT_ROOT / "sql"

DEFAULT_WAREHOUSE = DATA_DIR / "warehouse.duckdb"
# Public copies of Kartverket's boundaries (CC BY 4.0), simplified; see ../shared/geo/README.md.
DEFAULT_KOMMUNE_GEOJSON = (
    "https://raw.githubusercontent.com/robhop/fylker-og-kommuner/main/Kommuner-S.geojson"
)
DEFAULT_FYLKE_GEOJSON = (
    "https://raw.githubusercontent.com/robhop/fylker-og-kommuner/main/Fylker-S.geojson"
)
DEFAULT_MIN_SVAR = 10


def warehouse_path() -> Path:
    return Path(os.environ.get("KL_WAREHOUSE") or DEFAULT_WAREHOUSE)


def min_svar() -> int:
    """Suppression threshold K: groups with fewer respondents are never shown."""
    return int(os.environ.get("KL_MIN_SVAR") or DEFAULT_MIN_SVAR)


def cache_dir() -> Path:
    """Where downloaded boundary files are kept (KL_CACHE_DIR, default data/cache)."""
    return Path(os.environ.get("KL_CACHE_DIR") or DATA_DIR / "cache")


def demo_dir() -> Path:
    """Where `python -m etl demo` writes synthetic data (KL_DEMO_DIR, default data/demo)."""
    return Path(os.environ.get("KL_DEMO_DIR") or DATA_DIR / "demo")

"""The dashboard's only door to the warehouse: a read-only connection and cached named queries.

SQL lives in sql/queries/<name>.sql with named parameters ($name); values are always bound.
The cache key includes the resolved build file, so a rebuilt warehouse is picked up at once.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from etl import config

QUERY_DIR = config.SQL_DIR / "queries"


class WarehouseMissing(RuntimeError):
    pass


def current_build() -> str:
    """The file the warehouse path points to now; changes with every build."""
    path = config.warehouse_path()
    if not path.exists():
        raise WarehouseMissing(str(path))
    return str(path.resolve())


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(build: str) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(build, read_only=True)


@cache
def _sql(name: str) -> str:
    return (QUERY_DIR / f"{name}.sql").read_text(encoding="utf-8")


@st.cache_data(ttl=3600, max_entries=512, show_spinner=False)
def _run(build: str, name: str, params: tuple[tuple[str, object], ...]) -> pl.DataFrame:
    cursor = _connection(build).cursor()
    try:
        values = {k: list(v) if isinstance(v, tuple) else v for k, v in params}
        return cursor.sql(_sql(name), params=values).pl()
    finally:
        cursor.close()


def query(name: str, **params: object) -> pl.DataFrame:
    """Run sql/queries/<name>.sql with bound parameters (lists as tuples for hashing)."""
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    result = _run(current_build(), name, frozen)
    return result


def query_names() -> list[str]:
    return sorted(p.stem for p in Path(QUERY_DIR).glob("*.sql"))

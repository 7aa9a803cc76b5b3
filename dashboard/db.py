"""The dashboard's only door to the warehouse: a read-only connection and cached named queries.

SQL lives in sql/queries/<name>.sql with named parameters ($name); values are always bound.

One build per script run: the entrypoint calls `pin_build()` first, which resolves the warehouse
link once and keeps the file in the session; every query of that run reads that file, so a page
never mixes two builds even when a rebuild swaps the link in the middle of the run. The next run
pins the new build, so a rebuilt warehouse is picked up on the next interaction. The builds a
run actually read are recorded (`builds_read()`), which is how the reader-under-rebuild test
and benchmark count mixed reads.

One scope per script run, likewise: the entrypoint calls `pin_scope()` with the viewer's scope
(dashboard/tilgang.py), and every query of the run sets it as the DuckDB variable `omfang` on its
own cursor before it reads; the views in sql/marts/omfang.sql show unit-level rows only inside it.
The scope is part of every cache key, so a cached result never reaches a viewer with a narrower
scope. A run that has not pinned a scope reads with none (no unit at all); outside a script run
(benchmarks, the command line) the operator reads everything.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from etl import config
from etl.tilgang import ALLE, INGEN, Omfang

QUERY_DIR = config.SQL_DIR / "queries"
_PINNED = "_kl_bygg"
_READ = "_kl_bygg_lest"
_SCOPE = "_kl_omfang"


class WarehouseMissing(RuntimeError):
    pass


def _resolve() -> str:
    """The file the warehouse path points to now; changes with every build."""
    path = config.warehouse_path()
    if not path.exists():
        raise WarehouseMissing(str(path))
    return str(path.resolve())


def _in_script_run() -> bool:
    return get_script_run_ctx(suppress_warning=True) is not None


def pin_build() -> str:
    """Resolve the warehouse once for this script run (call first, from the entrypoint)."""
    build = _resolve()
    if _in_script_run():
        st.session_state[_PINNED] = build
        st.session_state[_READ] = []
        st.session_state[_SCOPE] = INGEN  # until the entrypoint pins this run's viewer
    return build


def current_build() -> str:
    """The build this script run reads (pinned), or the current one outside a run."""
    if _in_script_run():
        pinned = st.session_state.get(_PINNED)
        if pinned is not None:
            return pinned
    return _resolve()


def pin_scope(omfang: Omfang) -> None:
    """The viewer's scope for this script run (call from the entrypoint, after pin_build)."""
    if _in_script_run():
        st.session_state[_SCOPE] = omfang


def current_scope() -> Omfang:
    """The scope this script run reads with: none until pinned; everything outside a run."""
    if _in_script_run():
        scope = st.session_state.get(_SCOPE)
        return scope if isinstance(scope, Omfang) else INGEN
    return ALLE


def builds_read() -> list[str]:
    """The distinct builds the queries of the current script run read (one, or none)."""
    return list(dict.fromkeys(st.session_state.get(_READ, []))) if _in_script_run() else []


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(build: str) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(build, read_only=True)


@cache
def _sql(name: str) -> str:
    return (QUERY_DIR / f"{name}.sql").read_text(encoding="utf-8")


# Results by reference, in a plain LRU: a rerun with the same filters gets the same frame back at
# the cost of a dict lookup (st.cache_data pickled a copy on every hit, and Streamlit's caches hash
# every argument and inspect the signature on every call). Pages never change a frame in place
# (polars returns new frames). The key holds the build, so a new build misses at once, and the
# scope, so a result is only ever shared between viewers of the same scope; `clear()` is for
# benchmarks that measure a cold start.
@lru_cache(maxsize=512)
def _run(build: str, scope: tuple[str, ...], name: str, params: tuple[tuple[str, object], ...]) -> pl.DataFrame:
    cursor = _connection(build).cursor()
    try:
        # a variable of this cursor only: other sessions' cursors keep their own scope
        cursor.execute("set variable omfang = $omfang::varchar[]", {"omfang": list(scope)})  # ikke-tekst
        values = {k: list(v) if isinstance(v, tuple) else v for k, v in params}
        return cursor.sql(_sql(name), params=values).pl()
    finally:
        cursor.close()


def query(name: str, **params: object) -> pl.DataFrame:
    """Run sql/queries/<name>.sql with bound parameters (lists as tuples for hashing)."""
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    build = current_build()
    if _in_script_run():
        st.session_state.setdefault(_READ, []).append(build)
    return _run(build, current_scope().verdi(), name, frozen)


def clear() -> None:
    """Forget every cached result and connection (as after a restart)."""
    _run.cache_clear()
    _connection.clear()


def query_names() -> list[str]:
    return sorted(p.stem for p in Path(QUERY_DIR).glob("*.sql"))

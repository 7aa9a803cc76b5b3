"""Read-only access to the public warehouse outside Streamlit: the same named queries in
sql/queries/ as the dashboard, with bound parameters (for the command line's reports)."""

from __future__ import annotations

from pathlib import Path
from typing import Self

import duckdb
import polars as pl

from etl import config

QUERY_DIR = config.SQL_DIR / "queries"


class Lager:
    """One read-only connection to the build the warehouse link points to now."""

    def __init__(self, path: Path | None = None):
        link = Path(path or config.warehouse_path())
        if not link.exists():
            raise FileNotFoundError(str(link))
        self.fil = link.resolve()
        self._conn = duckdb.connect(str(self.fil), read_only=True)
        self._sql: dict[str, str] = {}

    def query(self, name: str, **params: object) -> pl.DataFrame:
        if name not in self._sql:
            self._sql[name] = (QUERY_DIR / f"{name}.sql").read_text(encoding="utf-8")
        cursor = self._conn.cursor()
        try:
            # the command line is the operator: every unit (sql/marts/omfang.sql)
            cursor.execute("set variable omfang = ['*']")  # ikke-tekst
            return cursor.sql(self._sql[name], params=params).pl()
        finally:
            cursor.close()

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

"""Run the data tests of sql/contracts.yaml against a warehouse connection."""

from __future__ import annotations

import duckdb
import yaml

from etl import config

CONTRACTS_YAML = config.SQL_DIR / "contracts.yaml"


def load_contracts() -> dict:
    return yaml.safe_load(CONTRACTS_YAML.read_text(encoding="utf-8"))


def _ident(name: str) -> str:
    # Identifiers come from our own contracts file; quote them anyway.
    return '"' + name.replace('"', '""') + '"'


def check(con: duckdb.DuckDBPyConnection, contracts: dict | None = None) -> list[str]:
    """Return one Norwegian message per failed test; an empty list means all passed."""
    failures: list[str] = []
    existing = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    for table, rules in (contracts or load_contracts()).items():
        if table not in existing:
            continue  # a table of a later stage (e.g. surveys) that this build does not have
        t = _ident(table)
        key = rules.get("primary_key")
        if key:
            cols = ", ".join(map(_ident, key))
            dupes = con.execute(f"select count(*) from (select {cols} from {t} group by all having count(*) > 1)").fetchone()[0]
            if dupes:
                failures.append(f"{table}: {dupes} duplikat(er) av nøkkelen ({', '.join(key)})")
        for col in (key or []) + rules.get("not_null", []):
            nulls = con.execute(f"select count(*) from {t} where {_ident(col)} is null").fetchone()[0]
            if nulls:
                failures.append(f"{table}.{col}: {nulls} tomme verdier")
        for col, target in (rules.get("relationships") or {}).items():
            other, other_col = target.split(".")
            orphans = con.execute(
                f"select count(*) from {t} where {_ident(col)} is not null and {_ident(col)} not in "
                f"(select {_ident(other_col)} from {_ident(other)})"
            ).fetchone()[0]
            if orphans:
                failures.append(f"{table}.{col}: {orphans} verdier finnes ikke i {target}")
        for col, allowed in (rules.get("accepted_values") or {}).items():
            bad = con.execute(
                f"select distinct {_ident(col)}::varchar from {t} where {_ident(col)} is not null "
                f"and {_ident(col)}::varchar not in (select unnest($allowed))",
                {"allowed": [str(a) for a in allowed]},
            ).fetchall()
            if bad:
                failures.append(f"{table}.{col}: ukjente verdier {sorted(b[0] for b in bad)}")
        if "row_count" in rules:
            n = con.execute(f"select count(*) from {t}").fetchone()[0]
            if n != rules["row_count"]:
                failures.append(f"{table}: {n} rader, forventet {rules['row_count']}")
    return failures

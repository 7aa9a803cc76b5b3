"""Run the data tests of sql/contracts.yaml against a warehouse connection."""

from __future__ import annotations

import duckdb
import yaml

from etl import config

CONTRACTS_YAML = config.SQL_DIR / "contracts.yaml"


def load_contracts() -> dict:
    return yaml.safe_load(CONTRACTS_YAML.read_text(encoding="utf-8"))


def _ident(name: str) -> str:
    # Identifiers come from our own contracts file; quote them anyway ("schema.table" allowed).
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


def _set_threshold(con: duckdb.DuckDBPyConnection) -> None:
    """The privacy rules compare with K; take the value the warehouse was built with."""
    if con.execute("select getvariable('min_svar')").fetchone()[0] is not None:
        return
    k = config.min_svar()
    if con.execute("select count(*) from information_schema.tables where table_name = 'bygg_info'").fetchone()[0]:
        row = con.execute("select verdi from bygg_info where nokkel = 'min_svar'").fetchone()
        k = int(row[0]) if row else k
    con.execute(f"set variable min_svar = {int(k)}")


def check(con: duckdb.DuckDBPyConnection, contracts: dict | None = None) -> list[str]:
    """Return one Norwegian message per failed test; an empty list means all passed."""
    failures: list[str] = []
    _set_threshold(con)
    existing = {
        (f"{schema}.{name}" if schema != "main" else name)
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database()"
        ).fetchall()
    }
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
        # every column's empty values and every forbidden condition in one pass over the table
        columns = list(dict.fromkeys((key or []) + rules.get("not_null", [])))
        conditions = rules.get("no_rows_where", [])
        tests = [f"{_ident(c)} is null" for c in columns] + [f"({c})" for c in conditions]
        counts = con.execute(
            f"select {', '.join(f'count(*) filter (where {x})' for x in tests)} from {t}"
        ).fetchone() if tests else ()
        for col, nulls in zip(columns, counts):
            if nulls:
                failures.append(f"{table}.{col}: {nulls} tomme verdier")
        for condition, n in zip(conditions, counts[len(columns):]):
            if n:
                failures.append(f"{table}: {n} rader der {condition}")
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

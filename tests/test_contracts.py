"""The data tests of sql/contracts.yaml: the built warehouse passes them, violations are caught,
and the SQL files, the build order and the contracts agree with each other."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import PROJECT_ROOT, connect_ro

from etl import contracts

SQL_DIR = PROJECT_ROOT / "sql"


def contract_file() -> dict:
    return yaml.safe_load((SQL_DIR / "contracts.yaml").read_text(encoding="utf-8"))


def build_order() -> list[str]:
    """The SQL files of sql/build_order.txt (its Python steps and `publish` are not files)."""
    lines = (SQL_DIR / "build_order.txt").read_text(encoding="utf-8").splitlines()
    return [
        ln.strip()
        for ln in lines
        if ln.strip() and not ln.strip().startswith(("#", "python ")) and ln.strip() != "publish"
    ]


# --- the built warehouse passes ---------------------------------------------------------------


def test_built_warehouse_passes_every_contract(built_warehouse: Path):
    with connect_ro(built_warehouse) as con:
        assert contracts.check(con) == []


def test_every_contract_table_and_column_exists_in_the_build(built_warehouse: Path):
    """check() skips tables a build does not have (later stages); those it has must match."""
    with connect_ro(built_warehouse) as con:
        columns: dict[str, set[str]] = {}
        for table, column in con.execute("select table_name, column_name from information_schema.columns").fetchall():
            columns.setdefault(table, set()).add(column)
    wrong = []
    for table, rules in contract_file().items():
        if table not in columns:
            continue
        named = set(rules.get("primary_key") or []) | set(rules.get("not_null") or [])
        named |= set(rules.get("relationships") or {}) | set(rules.get("accepted_values") or {})
        wrong += [f"{table}.{c}" for c in sorted(named - columns[table])]
        for target in (rules.get("relationships") or {}).values():
            other, other_col = target.split(".")
            if other_col not in columns.get(other, set()):
                wrong.append(f"{table} -> {target}")
    assert not wrong, f"contracts name columns the build does not have: {wrong}"


# --- violations are detected ------------------------------------------------------------------

VIOLATIONS = {
    "duplicate-key": (
        ("insert into mart_partnerskap select * from mart_partnerskap "
         "where partnerskap_id = (select min(partnerskap_id) from mart_partnerskap)"),
        r"^mart_partnerskap: 1 duplikat",
    ),
    "orphan-kommunenummer": (
        ("insert into mart_partnerskap_kommune select * replace ('9999' as kommunenummer) "
         "from mart_partnerskap_kommune limit 1"),
        r"^mart_partnerskap_kommune\.kommunenummer: 1 verdier finnes ikke i mart_kommune\.kommunenummer",
    ),
    "orphan-partnerskap": (
        ("delete from stg_partnerskap where partnerskap_id = "
         "(select min(partnerskap_id) from stg_partnerskap_kommune)"),
        r"^stg_partnerskap_kommune\.partnerskap_id: \d+ verdier finnes ikke i stg_partnerskap",
    ),
    "null-value": (
        "update stg_kommune set kommunenavn = null where kommunenummer = '0301'",
        r"^stg_kommune\.kommunenavn: 1 tomme verdier",
    ),
    "null-key": (
        "update mart_kommune set kommunenummer = null where kommunenummer = '0301'",
        r"^mart_kommune\.kommunenummer: 1 tomme verdier",
    ),
    "unknown-value": (
        ("update stg_partnerskap set omfang = 'fylke' "
         "where partnerskap_id = (select min(partnerskap_id) from stg_partnerskap)"),
        r"^stg_partnerskap\.omfang: ukjente verdier \['fylke'\]",
    ),
    "row-count": (
        "delete from stg_eierplan_moment where nr = (select max(nr) from stg_eierplan_moment)",
        r"^stg_eierplan_moment: 11 rader, forventet 12",
    ),
}


@pytest.mark.parametrize("case", list(VIOLATIONS))
def test_contract_violation_is_detected(case: str, built_warehouse: Path, tmp_path: Path):
    sql, expected = VIOLATIONS[case]
    copy = tmp_path / "broken.duckdb"
    shutil.copyfile(built_warehouse.resolve(), copy)
    con = duckdb.connect(str(copy))
    try:
        assert contracts.check(con) == [], "the unchanged copy must pass"
        con.execute(sql)
        failures = contracts.check(con)
    finally:
        con.close()
    assert any(re.search(expected, f) for f in failures), f"{case}: {failures}"


# --- files, build order and contracts agree ---------------------------------------------------


def test_every_sql_file_is_in_the_build_order_and_vice_versa():
    on_disk = {
        p.relative_to(SQL_DIR).as_posix()
        for p in SQL_DIR.rglob("*.sql")
        if p.relative_to(SQL_DIR).parts[0] != "queries"
    }
    listed = build_order()
    assert len(listed) == len(set(listed)), f"listed twice: {sorted({f for f in listed if listed.count(f) > 1})}"
    assert sorted(on_disk - set(listed)) == [], "SQL files the build never runs"
    assert sorted(set(listed) - on_disk) == [], "build_order.txt names files that do not exist"


def test_every_mart_table_in_the_build_has_a_contract(built_warehouse: Path):
    with connect_ro(built_warehouse) as con:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and starts_with(table_name, 'mart_') order by 1"
        ).fetchall()]
    assert tables
    missing = [t for t in tables if t not in contract_file()]
    assert not missing, f"tables without an entry in sql/contracts.yaml: {missing}"


def test_every_mart_table_created_in_sql_has_a_contract():
    created = set()
    for path in (SQL_DIR / "marts").glob("*.sql"):
        created |= set(re.findall(
            r"create\s+(?:or\s+replace\s+)?table\s+(mart_\w+)", path.read_text(encoding="utf-8"), re.IGNORECASE
        ))
    assert created
    missing = sorted(created - set(contract_file()))
    assert not missing, f"mart tables without an entry in sql/contracts.yaml: {missing}"


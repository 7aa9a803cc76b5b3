"""The command line (`python -m etl`): help texts and the CSV exports, run as a subprocess."""

from __future__ import annotations

import io
import re
from pathlib import Path

import polars as pl
import pytest
from conftest import PROJECT_ROOT, connect_ro, describe, etl_env, run_cli

COMMANDS = ("build", "export")
# Columns a script reading `export partnerships` relies on.
PARTNERSHIP_COLUMNS = (
    "partnerskap_id",
    "partnerskap_navn",
    "start_ar",
    "slutt_ar",
    "kommunenummer",
    "kommunenavn",
    "fylkesnummer",
)


def env_variables_read_by_etl() -> set[str]:
    """Every KL_* variable named in the ETL package's source (what the package reads)."""
    names: set[str] = set()
    for path in (PROJECT_ROOT / "etl").glob("*.py"):
        names |= set(re.findall(r"[\"'](KL_[A-Z0-9_]+)[\"']", path.read_text(encoding="utf-8")))
    return names


def export_names(warehouse: Path) -> list[str]:
    with connect_ro(warehouse) as con:
        rows = con.execute(
            "select view_name from duckdb_views() where view_name like 'export_%' order by 1"
        ).fetchall()
    return [r[0].removeprefix("export_") for r in rows]


def read_csv(data: bytes) -> pl.DataFrame:
    # Codes are text with leading zeros: read every column as text.
    return pl.read_csv(io.BytesIO(data), infer_schema_length=0)


# --- help -------------------------------------------------------------------------------------


def test_help_names_every_command_and_environment_variable():
    proc = run_cli(["--help"])
    assert proc.returncode == 0, describe(proc)
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\b", proc.stdout, re.MULTILINE), f"--help does not list `{command}`"
    expected = {"KL_WAREHOUSE", "KL_GEOJSON", "KL_FYLKE_GEOJSON", "KL_MIN_SVAR"} | env_variables_read_by_etl()
    missing = sorted(v for v in expected if v not in proc.stdout)
    assert not missing, f"--help does not document environment variable(s) {missing}:\n{proc.stdout}"


def test_build_help_names_its_options():
    proc = run_cli(["build", "--help"])
    assert proc.returncode == 0, describe(proc)
    for option in ("--warehouse", "--geojson", "--fylke-geojson", "--quiet"):
        assert option in proc.stdout
    assert "KL_GEOJSON" in proc.stdout and "KL_FYLKE_GEOJSON" in proc.stdout


def test_export_help_names_its_options_and_tables():
    proc = run_cli(["export", "--help"])
    assert proc.returncode == 0, describe(proc)
    for word in ("--warehouse", "--out", "NAVN", "partnerships", "municipalities"):
        assert word in proc.stdout


def test_no_command_is_a_usage_error():
    proc = run_cli([])
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("bruk: python -m etl"), proc.stderr
    assert "mangler påkrevd" in proc.stderr and "Traceback" not in proc.stderr


# --- export partnerships ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def partnerships_csv(built_warehouse: Path) -> bytes:
    proc = run_cli(["export", "partnerships"], env=etl_env(built_warehouse), text=False)
    assert proc.returncode == 0, describe(proc)
    return proc.stdout


def test_export_partnerships_header(partnerships_csv: bytes):
    header = partnerships_csv.split(b"\n", 1)[0].decode("utf-8").split(",")
    missing = [c for c in PARTNERSHIP_COLUMNS if c not in header]
    assert not missing, f"header lacks {missing}: {header}"


def test_export_partnerships_is_utf8(partnerships_csv: bytes):
    text = partnerships_csv.decode("utf-8")  # strict: raises on anything else
    assert "Båtsfjord" in text and "Kompetanseløftet" in text
    assert not text.startswith("\ufeff")


def test_export_partnerships_one_row_per_partnership_and_municipality(
    partnerships_csv: bytes, built_warehouse: Path
):
    frame = read_csv(partnerships_csv)
    with connect_ro(built_warehouse) as con:
        expected = con.sql(
            "select partnerskap_id, kommunenummer from mart_partnerskap_kommune order by all"
        ).pl()
        ids = {r[0] for r in con.execute("select partnerskap_id from mart_partnerskap").fetchall()}
        names = dict(con.execute("select kommunenummer, kommunenavn from mart_kommune").fetchall())
    pairs = frame.select("partnerskap_id", "kommunenummer")
    assert pairs.height == expected.height
    assert pairs.is_duplicated().sum() == 0, "a partnership-municipality pair appears twice"
    assert sorted(pairs.rows()) == sorted(expected.rows())
    assert set(frame["partnerskap_id"]) <= ids
    # codes keep their leading zeros and every row names its municipality and county
    assert all(re.fullmatch(r"\d{4}", k) for k in frame["kommunenummer"])
    assert all(re.fullmatch(r"\d{2}", f) for f in frame["fylkesnummer"])
    assert all(k[:2] == f for k, f in frame.select("kommunenummer", "fylkesnummer").rows())
    assert all(names[k] == n for k, n in frame.select("kommunenummer", "kommunenavn").rows())


def test_export_partnerships_to_file_writes_the_same(partnerships_csv: bytes, built_warehouse: Path, tmp_path):
    out = tmp_path / "partnerskap.csv"
    proc = run_cli(["export", "partnerships", "--out", str(out)], env=etl_env(built_warehouse), text=False)
    assert proc.returncode == 0, describe(proc)
    assert proc.stdout == b"", "with --out nothing goes to standard out"
    assert out.read_bytes() == partnerships_csv
    assert sorted(p.name for p in tmp_path.iterdir()) == ["partnerskap.csv"], "leftover temporary file"


def test_export_warehouse_option_overrides_environment(partnerships_csv: bytes, built_warehouse: Path, tmp_path):
    env = etl_env(tmp_path / "missing.duckdb")
    proc = run_cli(["export", "--warehouse", str(built_warehouse), "partnerships"], env=env, text=False)
    assert proc.returncode == 0, describe(proc)
    assert proc.stdout == partnerships_csv


def test_export_municipalities_has_every_2024_municipality(built_warehouse: Path):
    proc = run_cli(["export", "municipalities"], env=etl_env(built_warehouse), text=False)
    assert proc.returncode == 0, describe(proc)
    frame = read_csv(proc.stdout)
    assert frame.height == 357
    assert frame["kommunenummer"].n_unique() == 357
    assert "0301" in set(frame["kommunenummer"])


# --- export errors ----------------------------------------------------------------------------


def test_export_unknown_name_fails_in_norwegian_and_lists_valid_names(built_warehouse: Path):
    proc = run_cli(["export", "kommuner-og-sånt"], env=etl_env(built_warehouse))
    assert proc.returncode != 0
    assert proc.stdout == "", "nothing may go to standard out on failure"
    assert "Traceback" not in proc.stderr
    assert "fant" in proc.stderr and "forventet" in proc.stderr, proc.stderr
    assert "kommuner-og-sånt" in proc.stderr
    names = export_names(built_warehouse)
    assert {"partnerships", "municipalities"} <= set(names)
    for name in names:
        assert name in proc.stderr, f"valid export name {name!r} not listed: {proc.stderr}"


def test_export_unknown_name_with_out_writes_no_file(built_warehouse: Path, tmp_path: Path):
    out = tmp_path / "x.csv"
    proc = run_cli(["export", "nope", "--out", str(out)], env=etl_env(built_warehouse))
    assert proc.returncode != 0
    assert list(tmp_path.iterdir()) == []


def test_export_missing_warehouse_fails_in_norwegian(tmp_path: Path):
    missing = tmp_path / "finnes-ikke.duckdb"
    proc = run_cli(["export", "partnerships"], env=etl_env(missing))
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert "fant ikke" in proc.stderr, proc.stderr
    assert str(missing) in proc.stderr, "the message should name the missing warehouse"
    assert "build" in proc.stderr, "the message should say how to build the warehouse"
    assert not missing.exists(), "a failed export must not create a warehouse"


def test_export_names_in_help_match_the_export_views():
    """The names `export --help` lists are exactly the views in sql/exports/ (docs cannot drift)."""
    from etl import cli, config

    views = {p.stem.removeprefix("export_") for p in (config.SQL_DIR / "exports").glob("export_*.sql")}
    assert set(cli.EXPORT_NAMES) == views


# --- prepare: what `make run` runs ----------------------------------------------------------------


def test_prepare_builds_demo_data_once_and_then_only_on_changes(tmp_path: Path, geo_args):
    warehouse = tmp_path / "wh.duckdb"
    env = etl_env(warehouse, tmp_path / "cache", KL_DEMO_DIR=str(tmp_path / "demo"),
                  KL_GEOJSON=geo_args[1], KL_FYLKE_GEOJSON=geo_args[3])
    first = run_cli(["prepare", "--scale", "0.05"], env=env)
    assert first.returncode == 0, describe(first)
    assert "lager demodata" in first.stderr and "Lageret er bygget" in first.stderr
    built = warehouse.resolve()
    demo = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "demo").glob("*.parquet")}
    assert sorted(demo) == ["answers.parquet", "mapping.parquet", "units.parquet"]

    again = run_cli(["prepare", "--scale", "0.05"], env=env)
    assert again.returncode == 0, describe(again)
    assert "uendret" in again.stderr and "Lageret er oppdatert" in again.stderr, again.stderr
    assert warehouse.resolve() == built, "nothing changed, yet the warehouse was rebuilt"
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "demo").glob("*.parquet")} == demo

    changed = run_cli(["prepare", "--scale", "0.05"], env=env | {"KL_MIN_SVAR": "11"})
    assert changed.returncode == 0, describe(changed)
    assert "kildene er endret" in changed.stderr and warehouse.resolve() != built


def test_prepare_uses_real_data_and_makes_no_demo_data(tmp_path: Path, geo_args):
    warehouse = tmp_path / "wh.duckdb"
    env = etl_env(warehouse, tmp_path / "cache", KL_DEMO_DIR=str(tmp_path / "demo"),
                  KL_IMPORT_DIR=str(tmp_path / "imports"), KL_GEOJSON=geo_args[1], KL_FYLKE_GEOJSON=geo_args[3])
    imported = run_cli(["import", "units", str(PROJECT_ROOT / "data" / "examples" / "enheter.csv")], env=env)
    assert imported.returncode == 0, describe(imported)
    proc = run_cli(["prepare", "--scale", "0.05"], env=env)
    assert proc.returncode == 0, describe(proc)
    assert "Ekte data: 1 importerte filer" in proc.stderr, proc.stderr
    assert not (tmp_path / "demo").exists(), "demo data were made although real data exist"

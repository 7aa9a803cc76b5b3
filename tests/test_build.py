"""`python -m etl build`: the atomic swap, the tables, reproducibility, boundaries and pruning."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest
import yaml
from conftest import (
    FYLKE_GEOJSON,
    KOMMUNE_GEOJSON,
    ProjectCopy,
    connect_ro,
    describe,
    etl_env,
    run_cli,
    snapshot,
)

from etl import config

KEEP_BUILDS = 3


def builds_dir(warehouse: Path) -> Path:
    return warehouse.parent / (warehouse.name + ".builds")


def content_fingerprint(warehouse: Path) -> dict[str, str]:
    """Every table's and view's schema and full content (ordered), hashed per object."""
    result: dict[str, str] = {}
    with connect_ro(warehouse) as con:
        objects = con.execute(
            "select table_name, table_type from information_schema.tables order by 1"
        ).fetchall()
        for name, kind in objects:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_name = ? order by ordinal_position",
                [name],
            ).fetchall()
            rows = con.execute(f'select * from "{name}" order by all').fetchall()
            digest = hashlib.sha256(repr((kind, columns, rows)).encode("utf-8")).hexdigest()
            result[name] = digest
        macros = con.execute(
            "select function_name, macro_definition from duckdb_functions() "
            "where function_type like '%macro%' and not internal order by all"
        ).fetchall()
        result["<macros>"] = hashlib.sha256(repr(macros).encode("utf-8")).hexdigest()
    return result


def count(warehouse: Path, sql: str) -> int:
    with connect_ro(warehouse) as con:
        return con.execute(sql).fetchone()[0]


# --- the built warehouse ----------------------------------------------------------------------


def test_warehouse_is_a_symlink_into_its_builds_folder(built_warehouse: Path):
    assert built_warehouse.is_symlink(), "the warehouse path must be a symlink"
    target = built_warehouse.resolve()
    assert target.is_file()
    assert target.parent == builds_dir(built_warehouse).resolve()
    assert target.suffix == ".duckdb"
    # relative, so the folder can be moved or copied as a whole
    assert not os.path.isabs(os.readlink(built_warehouse))
    assert not list(builds_dir(built_warehouse).glob("*.tmp*")), "temporary files left behind"


@pytest.mark.parametrize(
    ("table", "rows"),
    [
        ("stg_kommune", 357),
        ("stg_fylke", 15),
        ("mart_kommune", 357),
        ("mart_kommune_partnerskap", 357),
        ("stg_kommune_grense", 357),
        ("stg_fylke_grense", 15),
        ("stg_eierplan_moment", 12),
        ("stg_ordning", 4),
    ],
)
def test_table_row_counts(built_warehouse: Path, table: str, rows: int):
    assert count(built_warehouse, f'select count(*) from "{table}"') == rows


def test_partnership_tables_are_filled(built_warehouse: Path):
    for table in ("mart_partnerskap", "mart_partnerskap_kommune", "mart_datakvalitet", "mart_kilde_dokument"):
        assert count(built_warehouse, f"select count(*) from {table}") > 0, table
    assert count(built_warehouse, "select count(*) from mart_partnerskap") == count(
        built_warehouse, "select count(*) from stg_partnerskap"
    )


def test_boundaries_are_loaded_and_valid_geojson(built_warehouse: Path):
    assert count(built_warehouse, "select count(*) from mart_kommune where not har_grense") == 0
    with connect_ro(built_warehouse) as con:
        kinds = {
            json.loads(g)["type"]
            for (g,) in con.execute(
                "select geometri from stg_kommune_grense union all select geometri from stg_fylke_grense"
            ).fetchall()
        }
        info = dict(con.execute("select nokkel, verdi from bygg_info").fetchall())
    assert kinds <= {"Polygon", "MultiPolygon"}
    assert info["grenser"].endswith(KOMMUNE_GEOJSON)


def test_build_reports_success_on_stderr_not_stdout(warehouse_copy: Path, geo_args):
    proc = run_cli(["build", *geo_args], env=etl_env(warehouse_copy, warehouse_copy.parent / "cache"))
    assert proc.returncode == 0, describe(proc)
    assert proc.stdout == ""
    assert "Lageret er bygget" in proc.stderr


# --- reproducibility --------------------------------------------------------------------------


def test_rebuild_gives_identical_content(warehouse_copy: Path, geo_args):
    before = warehouse_copy.resolve()
    first = content_fingerprint(warehouse_copy)
    proc = run_cli(["build", "--quiet", *geo_args], env=etl_env(warehouse_copy, warehouse_copy.parent / "cache"))
    assert proc.returncode == 0, describe(proc)
    after = warehouse_copy.resolve()
    assert after != before, "a rebuild must write a new file, not rewrite the old one"
    assert before.exists(), "the previous build is kept for readers that still use it"
    second = content_fingerprint(warehouse_copy)
    assert "bygg_info" in second
    assert sorted(first) == sorted(second), "the two builds have different tables"
    differ = sorted(name for name in first if first[name] != second[name])
    assert not differ, f"content differs between two builds of the same inputs: {differ}"


# --- boundaries -------------------------------------------------------------------------------


def test_build_without_boundaries_falls_back_to_points(tmp_path: Path):
    """No --geojson and no KL_GEOJSON: the default URL is tried; unreachable, the build goes on."""
    warehouse = tmp_path / "warehouse.duckdb"
    proc = run_cli(["build", "--quiet"], env=etl_env(warehouse, tmp_path / "cache"))
    assert proc.returncode == 0, describe(proc)
    assert "Advarsel" in proc.stderr and "punkter" in proc.stderr, proc.stderr
    assert config.DEFAULT_KOMMUNE_GEOJSON in proc.stderr, "the warning should name the address tried"
    assert count(warehouse, "select count(*) from stg_kommune_grense") == 0
    assert count(warehouse, "select count(*) from stg_fylke_grense") == 0
    assert count(warehouse, "select count(*) from mart_kommune where har_grense") == 0
    assert count(warehouse, "select count(*) from mart_kommune") == 357
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def _bad_json(geo_dir: Path, tmp: Path) -> tuple[Path, tuple[str, ...]]:
    path = tmp / "kommuner-ugyldig.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    return path, ("GeoJSON",)


def _unknown_code(geo_dir: Path, tmp: Path) -> tuple[Path, tuple[str, ...]]:
    doc = json.loads((geo_dir / KOMMUNE_GEOJSON).read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["kommunenummer"] = "9999"
    path = tmp / "kommuner-ukjent-kode.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path, ("«9999»", "kommunenummer", "2024")


def _missing(geo_dir: Path, tmp: Path) -> tuple[Path, tuple[str, ...]]:
    return tmp / "finnes-ikke.geojson", ("GeoJSON",)


def _not_an_object(geo_dir: Path, tmp: Path) -> tuple[Path, tuple[str, ...]]:
    path = tmp / "kommuner-liste.geojson"
    path.write_text("[]", encoding="utf-8")
    return path, ("FeatureCollection",)


def _no_polygon(geo_dir: Path, tmp: Path) -> tuple[Path, tuple[str, ...]]:
    doc = json.loads((geo_dir / KOMMUNE_GEOJSON).read_text(encoding="utf-8"))
    doc["features"][0]["geometry"] = {"type": "Point", "coordinates": [10.0, 60.0]}
    path = tmp / "kommuner-punkt.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path, ("Point", "Polygon")


@pytest.mark.parametrize(
    "make_file",
    [_bad_json, _unknown_code, _missing, _not_an_object, _no_polygon],
    ids=["invalid-json", "unknown-kommunenummer", "missing-file", "json-array", "point-geometry"],
)
def test_broken_kommune_geojson_fails_and_keeps_old_warehouse(
    make_file, warehouse_copy: Path, geo_dir: Path, tmp_path: Path
):
    bad, expected = make_file(geo_dir, tmp_path)
    before = snapshot(warehouse_copy)
    proc = run_cli(
        ["build", "--quiet", "--geojson", str(bad), "--fylke-geojson", str(geo_dir / FYLKE_GEOJSON)],
        env=etl_env(warehouse_copy, tmp_path / "cache"),
    )
    assert proc.returncode != 0, describe(proc)
    assert "Traceback" not in proc.stderr, describe(proc)
    assert bad.name in proc.stderr, f"the message should name the file:\n{proc.stderr}"
    assert "fant" in proc.stderr and "forventet" in proc.stderr, proc.stderr
    for word in expected:
        assert word in proc.stderr, f"{word!r} missing in:\n{proc.stderr}"
    assert snapshot(warehouse_copy) == before, "a failed build changed the warehouse"


def test_broken_fylke_geojson_fails_and_keeps_old_warehouse(warehouse_copy: Path, geo_dir: Path, tmp_path: Path):
    doc = json.loads((geo_dir / FYLKE_GEOJSON).read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["fylkesnummer"] = "99"
    bad = tmp_path / "fylker-ukjent.geojson"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    before = snapshot(warehouse_copy)
    proc = run_cli(
        ["build", "--quiet", "--geojson", str(geo_dir / KOMMUNE_GEOJSON), "--fylke-geojson", str(bad)],
        env=etl_env(warehouse_copy, tmp_path / "cache"),
    )
    assert proc.returncode != 0, describe(proc)
    assert "Traceback" not in proc.stderr
    assert bad.name in proc.stderr and "«99»" in proc.stderr and "fylkesnummer" in proc.stderr
    assert snapshot(warehouse_copy) == before


def test_geojson_from_environment_is_used(tmp_path: Path, geo_dir: Path):
    warehouse = tmp_path / "warehouse.duckdb"
    env = etl_env(
        warehouse,
        tmp_path / "cache",
        KL_GEOJSON=str(geo_dir / KOMMUNE_GEOJSON),
        KL_FYLKE_GEOJSON=str(geo_dir / FYLKE_GEOJSON),
    )
    proc = run_cli(["build", "--quiet"], env=env)
    assert proc.returncode == 0, describe(proc)
    assert count(warehouse, "select count(*) from stg_kommune_grense") == 357
    assert count(warehouse, "select count(*) from stg_fylke_grense") == 15


# --- failing data tests -----------------------------------------------------------------------


def test_failed_data_test_keeps_old_warehouse(built_project_copy: ProjectCopy, geo_args):
    """A build whose contracts fail is not swapped in, and leaves no temporary file."""
    path = built_project_copy.root / "sql" / "contracts.yaml"
    contracts = yaml.safe_load(path.read_text(encoding="utf-8"))
    contracts["mart_kommune"]["row_count"] = 358
    path.write_text(yaml.safe_dump(contracts, allow_unicode=True), encoding="utf-8")
    before = snapshot(built_project_copy.warehouse)
    proc = built_project_copy.run("build", "--quiet", *geo_args)
    assert proc.returncode != 0, describe(proc)
    assert "Traceback" not in proc.stderr
    assert "mart_kommune" in proc.stderr and "358" in proc.stderr, proc.stderr
    assert snapshot(built_project_copy.warehouse) == before


# --- pruning ----------------------------------------------------------------------------------


def test_old_builds_are_pruned(warehouse_copy: Path, geo_args):
    """With several older builds present, a build keeps at most 3: the new one and the newest old."""
    folder = builds_dir(warehouse_copy)
    private = warehouse_copy.parent / (warehouse_copy.name + ".privat")
    current = warehouse_copy.resolve()
    now = time.time()
    old = []
    for age in range(5, 0, -1):  # oldest first: 5 hours ... 1 hour ago
        fake = folder / f"warehouse-2020010{age}T000000-1.duckdb"
        fake.write_bytes(current.read_bytes())
        (private / fake.name).write_bytes(b"private twin")
        os.utime(fake, (now - age * 3600, now - age * 3600))
        old.append(fake)
    os.utime(current, (now - 600, now - 600))  # the current build is the newest old one
    proc = run_cli(["build", "--quiet", *geo_args], env=etl_env(warehouse_copy, warehouse_copy.parent / "cache"))
    assert proc.returncode == 0, describe(proc)
    kept = sorted(p.name for p in folder.glob("*.duckdb"))
    assert len(kept) <= KEEP_BUILDS, kept
    new = warehouse_copy.resolve()
    assert new.name in kept
    assert current.name in kept, "the build readers used until now must survive the swap"
    assert old[-1].name in kept, "the newest older build should be kept"
    assert not old[0].exists(), "the oldest build should be pruned"
    assert sorted(p.name for p in private.glob("*.duckdb")) == kept, "a private file outlived its public twin"

"""Builds and imports that never lose an update, and inputs that cannot weaken the product.

Everything runs through the CLI (`python -m etl`) as a subprocess against warehouses in pytest's
tmp folders: the single-writer lock (a paused build and an import, a killed holder, a busy
warehouse), clean-up after killed builds, KL_MIN_SVAR, downloads checked before they are cached
(a real HTTP server on loopback), formula cells in `etl export`, and read-only folders, a full
disk and a locked file ending in a Norwegian message.
"""

from __future__ import annotations

import csv
import hashlib
import http.server
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from conftest import (
    FYLKE_GEOJSON,
    KOMMUNE_GEOJSON,
    PROJECT_ROOT,
    ProjectCopy,
    connect_ro,
    describe,
    etl_env,
    run_cli,
    snapshot,
)

from etl import config, geography
from etl.lock import writer_lock

EXAMPLE_UNITS = PROJECT_ROOT / "data" / "examples" / "enheter.csv"
WAIT_FOR = 180.0  # seconds a test waits for a subprocess to reach a point; never asserted on
ENGLISH = re.compile(
    r"Traceback|Error\b|error:|Exception|NoneType|No such file|Permission denied|No space left|"
    r"Read-only|could not|invalid|usage:|\x1b\[",
)


def norwegian_only(text: str) -> None:
    """No traceback, no English library text, no Python name, no raw escape in what the user sees."""
    found = ENGLISH.search(text)
    assert found is None, f"English/technical text {found.group(0)!r} reached the user:\n{text}"


def popen_cli(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "etl", *args], cwd=PROJECT_ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
    )


def read_until(proc: subprocess.Popen, pattern: str) -> list[str]:
    """Lines of a running CLI's stderr up to and including the first matching one."""
    seen = []
    deadline = time.monotonic() + WAIT_FOR
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            raise AssertionError(f"ended before {pattern!r}:\n{''.join(seen)}")
        seen.append(line)
        if re.search(pattern, line):
            return seen
    raise AssertionError(f"no {pattern!r} within {WAIT_FOR} s:\n{''.join(seen)}")


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_FOR
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT_FOR} s for {what}")
        time.sleep(0.05)


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=WAIT_FOR)
    return proc.returncode, out, err


@pytest.fixture
def env(tmp_path: Path, geo_dir: Path) -> dict[str, str]:
    """A warehouse, imports and cache in tmp; boundaries from the environment, as `make run` has."""
    return etl_env(
        tmp_path / "warehouse.duckdb", tmp_path / "cache",
        KL_IMPORT_DIR=str(tmp_path / "imports"), KL_DEMO_DIR=str(tmp_path / "ingen-demo"),
        KL_GEOJSON=str(geo_dir / KOMMUNE_GEOJSON), KL_FYLKE_GEOJSON=str(geo_dir / FYLKE_GEOJSON),
    )


def warehouse_of(env: dict[str, str]) -> Path:
    return Path(env["KL_WAREHOUSE"])


def leftovers(warehouse: Path) -> list[str]:
    """Temporary files of builds: tmp databases, write-ahead logs, half-made links."""
    names = [p.name for p in warehouse.parent.glob(f".{warehouse.name}.*.link")]
    builds = warehouse.parent / (warehouse.name + ".builds")
    if builds.is_dir():
        names += [p.name for p in builds.iterdir() if p.suffix in (".tmp", ".wal")]
    return sorted(names)


def build(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    proc = run_cli(["build", "--quiet", *args], env=env)
    assert proc.returncode == 0, describe(proc)
    return proc


# --- the writer lock ----------------------------------------------------------------------------


def test_paused_build_then_import_the_import_survives(env: dict[str, str]):
    """The lost update of issue 14: a build that read its inputs before an import was kept must
    not publish over the import. With the lock the import waits for the build and then rebuilds."""
    warehouse = warehouse_of(env)
    build(env)
    builder = popen_cli(["build"], env)
    read_until(builder, r"Leser undersøkelser og kartlegging")  # inputs read, not yet published
    builder.send_signal(signal.SIGSTOP)
    try:
        importer = popen_cli(["import", "units", str(EXAMPLE_UNITS)], env)
        waited = read_until(importer, r"^Venter: ")
        assert f"pid {builder.pid}" in waited[-1], waited
    finally:
        builder.send_signal(signal.SIGCONT)
    code, _, err = finish(builder)
    assert code == 0, err
    code, _, err = finish(importer)
    assert code == 0, err
    norwegian_only(err)
    with connect_ro(warehouse) as con:
        kept = con.execute("select count(*) from stg_enhet where enhet_id like 'EKS-%'").fetchone()[0]
    assert kept == 5, "the import's units are not in the published warehouse (lost update)"
    assert leftovers(warehouse) == []


def test_killed_holder_leaves_a_stale_lock_that_the_next_build_takes(env: dict[str, str]):
    """kill -9 while building: the next build neither waits nor finds temporary files after it."""
    warehouse = warehouse_of(env)
    build(env)
    before = warehouse.resolve()
    builds = warehouse.parent / (warehouse.name + ".builds")
    victim = popen_cli(["build", "--quiet"], env)
    wait_for(lambda: any(builds.glob("*.duckdb.tmp")), "the killed build's temporary file")
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=WAIT_FOR)
    lock = warehouse.with_name(warehouse.name + ".lock")
    assert f"pid={victim.pid}" in lock.read_text(encoding="utf-8"), "the lock file names its holder"
    assert leftovers(warehouse), "the kill left nothing to clean up: the test proves nothing"
    assert warehouse.resolve() == before, "a killed build changed the warehouse"

    proc = run_cli(["build", "--quiet"], env=env | {"KL_LAS_VENT": "0"})
    assert proc.returncode == 0, describe(proc)
    assert "Venter" not in proc.stderr, "a lock whose holder is dead must not make anyone wait"
    assert leftovers(warehouse) == [], "temporary files of the killed build are still there"
    assert warehouse.resolve() != before


def test_busy_warehouse_is_refused_in_norwegian_and_left_alone(env: dict[str, str]):
    warehouse = warehouse_of(env)
    build(env)
    before = snapshot(warehouse)
    with writer_lock(warehouse, "import"):
        for command in (["build"], ["demo", "--scale", "0.05"], ["import", "units", str(EXAMPLE_UNITS)]):
            proc = run_cli(command, env=env | {"KL_LAS_VENT": "0"})
            assert proc.returncode == 75, describe(proc)
            assert "Lageret er opptatt" in proc.stderr and f"pid {os.getpid()}" in proc.stderr, proc.stderr
            assert "import" in proc.stderr, "the message says what holds the lock"
            norwegian_only(proc.stderr)
    assert snapshot(warehouse) == before
    assert not (Path(env["KL_IMPORT_DIR"]) / "units").exists() or not any(
        (Path(env["KL_IMPORT_DIR"]) / "units").iterdir()
    ), "a refused import kept its file"
    assert not Path(env["KL_DEMO_DIR"]).exists(), "a refused demo wrote its files"


def test_export_does_not_wait_for_the_lock(env: dict[str, str], tmp_path: Path):
    """Readers never take the writer lock: exports and the dashboard run during a build."""
    build(env)
    with writer_lock(warehouse_of(env), "bygg"):
        proc = run_cli(["export", "municipalities", "--out", str(tmp_path / "k.csv")], env=env | {"KL_LAS_VENT": "0"})
    assert proc.returncode == 0, describe(proc)


@pytest.mark.parametrize("value", ["abc", "-1"])
def test_bad_lock_wait_setting_is_a_norwegian_error(env: dict[str, str], value: str):
    proc = run_cli(["build", "--quiet"], env=env | {"KL_LAS_VENT": value})
    assert proc.returncode == 2, describe(proc)
    assert "KL_LAS_VENT" in proc.stderr and f"«{value}»" in proc.stderr
    norwegian_only(proc.stderr)

"""Builds and imports that never lose an update, and inputs that cannot weaken the product.

Everything runs through the CLI (`python -m etl`) as a subprocess against warehouses in pytest's
tmp folders: the single-writer lock (a paused build and an import, a killed holder, a busy
warehouse), clean-up after killed builds, KL_MIN_SVAR, downloads checked before they are cached
(a real HTTP server on loopback), formula cells in `etl export`, and read-only folders, a full
disk and a locked file ending in a Norwegian message.
"""

from __future__ import annotations

import csv
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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import duckdb
import pytest
from conftest import (
    FIXTURES,
    FYLKE_GEOJSON,
    KOMMUNE_GEOJSON,
    PROJECT_ROOT,
    SHARED_GEO,
    ProjectCopy,
    connect_ro,
    describe,
    etl_env,
    needs_shared,
    run_cli,
    snapshot,
)

from etl import config, geography
from etl.lock import writer_lock

EXAMPLE_UNITS = PROJECT_ROOT / "data" / "examples" / "enheter.csv"
FIXTURES_GEO = FIXTURES / "geo"


def geo_dir_shared() -> Path:
    return SHARED_GEO
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
    """Temporary files of builds, public and private: tmp databases, write-ahead logs, half-made
    links, and private files without their public twin."""
    names = [p.name for p in warehouse.parent.glob(f".{warehouse.name}.*.link")]
    builds, private = builds_folder(warehouse), private_folder(warehouse)
    for folder in (builds, private):
        if folder.is_dir():
            names += [f"{folder.name}/{p.name}" for p in folder.iterdir() if p.suffix in (".tmp", ".wal")]
    if private.is_dir():
        names += [f"{private.name}/{p.name}" for p in private.glob("*.duckdb") if not (builds / p.name).exists()]
    return sorted(names)


def builds_folder(warehouse: Path) -> Path:
    return warehouse.parent / (warehouse.name + ".builds")


def private_folder(warehouse: Path) -> Path:
    """Where each build's private twin (raw answers, unsuppressed cells) lives."""
    return warehouse.parent / (warehouse.name + ".privat")


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
    victim = popen_cli(["build", "--quiet"], env)
    wait_for(lambda: any(private_folder(warehouse).glob("*.duckdb.tmp")), "the killed build's temporary file")
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


# --- clean-up of what killed builds leave -------------------------------------------------------


def test_stale_temporary_files_are_removed_by_the_next_build(env: dict[str, str]):
    warehouse = warehouse_of(env)
    build(env)
    builds, private = builds_folder(warehouse), private_folder(warehouse)
    planted = [
        builds / "warehouse-20200101T000000-1.duckdb.tmp",
        builds / "warehouse-20200101T000000-1.duckdb.tmp.wal",
        builds / "warehouse-20200101T000000-2.duckdb.wal",  # a log without its database
        private / "warehouse-20200101T000000-1.duckdb.tmp",
        private / "warehouse-20200101T000000-1.duckdb.tmp.wal",
        private / "warehouse-20200101T000000-3.duckdb",  # killed before its public twin was moved in
        warehouse.parent / f".{warehouse.name}.12345.link",
        Path(env["KL_CACHE_DIR"]) / "abc.geojson.999.part",
    ]
    for path in planted:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 1000)
    build(env)
    assert [p.name for p in planted if p.exists()] == []
    assert warehouse.resolve().exists()


# --- KL_MIN_SVAR --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "0", "4", "-5", "3.5", "10 svar"])
def test_bad_min_svar_is_refused_before_anything_is_written(env: dict[str, str], value: str):
    warehouse = warehouse_of(env)
    for command in (["build"], ["demo", "--scale", "0.05"], ["prepare"]):
        proc = run_cli(command, env=env | {"KL_MIN_SVAR": value})
        assert proc.returncode == 2, describe(proc)
        assert "KL_MIN_SVAR" in proc.stderr and f"«{value}»" in proc.stderr and "minst 5" in proc.stderr
        norwegian_only(proc.stderr)
    assert sorted(p.name for p in warehouse.parent.iterdir()) == [], "a refused command wrote files"


def test_min_svar_below_five_needs_the_override_and_is_announced(env: dict[str, str], monkeypatch):
    warehouse = warehouse_of(env)
    never = run_cli(["build", "--quiet"], env=env | {"KL_MIN_SVAR": "0", "KL_MIN_SVAR_OVERRIDE": "1"})
    assert never.returncode == 2 and "under 1" in never.stderr, describe(never)
    proc = run_cli(["build", "--quiet"], env=env | {"KL_MIN_SVAR": "4", "KL_MIN_SVAR_OVERRIDE": "1"})
    assert proc.returncode == 0, describe(proc)
    assert "ADVARSEL" in proc.stderr and "KL_MIN_SVAR=4" in proc.stderr
    with connect_ro(warehouse) as con:
        info = dict(con.execute("select nokkel, verdi from bygg_info").fetchall())
    assert info["min_svar"] == "4" and info["min_svar_overstyrt"] == "ja"

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("KL_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert any("Personverngrensen er satt ned til 4" in e.value for e in at.error), [e.value for e in at.error]

    monkeypatch.setenv("KL_MIN_SVAR", "abc")
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert not at.exception
    [error] = at.error
    shown = error.value.replace("\\", "")  # the Markdown source escapes the setting's text
    assert "KL_MIN_SVAR" in shown and "«abc»" in shown
    norwegian_only(error.value)


# --- downloads are checked before they are cached ----------------------------------------------


class _Files(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, bytes]] = {}

    def do_GET(self):
        body = self.routes.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[str, dict[str, bytes]]]:
    """A real HTTP server on loopback; tests put paths and bodies into the returned dict."""
    routes: dict[str, bytes] = {}
    handler = type("Handler", (_Files,), {"routes": routes})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", routes
    finally:
        server.shutdown()
        server.server_close()


CAPTIVE_PORTAL = b"<!DOCTYPE html><html><body>Logg inn for \xc3\xa5 bruke nettet</body></html>"


def _loopback(env: dict[str, str]) -> dict[str, str]:
    return env | {"NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}


def _cached(env: dict[str, str], url: str, monkeypatch) -> Path:
    monkeypatch.setenv("KL_CACHE_DIR", env["KL_CACHE_DIR"])
    return geography.cache_path(url)


def test_bad_cached_download_is_replaced_not_reused(env, geo_dir, http_server, monkeypatch):
    base, routes = http_server
    good = (geo_dir / KOMMUNE_GEOJSON).read_bytes()
    routes["/kommuner.geojson"] = good
    routes["/fylker.geojson"] = (geo_dir / FYLKE_GEOJSON).read_bytes()
    env = _loopback(env) | {"KL_GEOJSON": base + "/kommuner.geojson", "KL_FYLKE_GEOJSON": base + "/fylker.geojson"}
    cached = _cached(env, base + "/kommuner.geojson", monkeypatch)
    cached.parent.mkdir(parents=True)
    cached.write_bytes(CAPTIVE_PORTAL)  # what an earlier build through a captive portal got

    proc = run_cli(["build"], env=env)
    assert proc.returncode == 0, describe(proc)
    assert "ødelagt" in proc.stderr and "hentes på nytt" in proc.stderr, proc.stderr
    norwegian_only(proc.stderr)
    assert cached.read_bytes() == good, "the bad cache entry was not replaced by the download"
    with connect_ro(warehouse_of(env)) as con:
        assert con.execute("select count(*) from stg_kommune_grense").fetchone()[0] == 357


def test_captive_portal_answer_is_refused_and_never_cached(env, geo_dir, http_server, monkeypatch):
    base, routes = http_server
    routes["/kommuner.geojson"] = CAPTIVE_PORTAL
    env = _loopback(env) | {"KL_GEOJSON": base + "/kommuner.geojson"}
    build(env | {"KL_GEOJSON": str(geo_dir / KOMMUNE_GEOJSON)})
    before = snapshot(warehouse_of(env))
    proc = run_cli(["build", "--quiet"], env=env)
    assert proc.returncode == 2, describe(proc)
    assert "nettside" in proc.stderr and "GeoJSON" in proc.stderr, proc.stderr
    norwegian_only(proc.stderr)
    assert not _cached(env, base + "/kommuner.geojson", monkeypatch).exists(), "a bad download was cached"
    assert snapshot(warehouse_of(env)) == before


def test_default_address_only_accepts_the_pinned_file(env, geo_dir, monkeypatch):
    """The default URL is pinned to a commit and a SHA-256: a cached copy with other bytes (here a
    valid GeoJSON of the same municipalities) is not used, and is deleted."""
    env = {k: v for k, v in env.items() if k not in ("KL_GEOJSON", "KL_FYLKE_GEOJSON")}
    assert "/main/" not in config.DEFAULT_KOMMUNE_GEOJSON and re.search(r"/[0-9a-f]{40}/", config.DEFAULT_KOMMUNE_GEOJSON)
    cached = _cached(env, config.DEFAULT_KOMMUNE_GEOJSON, monkeypatch)
    cached.parent.mkdir(parents=True)
    impostor = (FIXTURES_GEO / "kommuner-2024-forenklet.geojson").read_bytes()
    cached.write_bytes(impostor)
    proc = run_cli(["build"], env=env)
    assert proc.returncode == 0, describe(proc)
    assert "SHA-256" in proc.stderr and "punkter" in proc.stderr, proc.stderr
    assert "✓ Henter kommune- og fylkesgrenser" not in proc.stderr, "a check mark after a failed download"
    assert "! Henter kommune- og fylkesgrenser" in proc.stderr
    norwegian_only(proc.stderr)
    assert not cached.exists()
    with connect_ro(warehouse_of(env)) as con:
        assert con.execute("select count(*) from stg_kommune_grense").fetchone()[0] == 0


@needs_shared
def test_the_pinned_checksum_is_the_shared_copy_of_the_public_file(env, monkeypatch):
    """../shared/geo holds the public files; cached, they pass the pin and give every boundary."""
    env = {k: v for k, v in env.items() if k not in ("KL_GEOJSON", "KL_FYLKE_GEOJSON")}
    for url, name in ((config.DEFAULT_KOMMUNE_GEOJSON, KOMMUNE_GEOJSON), (config.DEFAULT_FYLKE_GEOJSON, FYLKE_GEOJSON)):
        cached = _cached(env, url, monkeypatch)
        cached.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(geo_dir_shared() / name, cached)
    proc = run_cli(["build"], env=env)
    assert proc.returncode == 0, describe(proc)
    assert "Advarsel" not in proc.stderr, proc.stderr
    with connect_ro(warehouse_of(env)) as con:
        assert con.execute("select count(*) from stg_kommune_grense").fetchone()[0] == 357
        assert con.execute("select count(*) from stg_fylke_grense").fetchone()[0] == 15


# --- every CSV neutralises formula cells --------------------------------------------------------

FORMULAS = {
    "navn": '=HYPERLINK("http://example.invalid","klikk")',
    "region": "+cmd|' /C calc'!A0",
    "kortnavn": "@SUM(1+1)",
}


def test_cli_export_neutralises_formula_cells(built_project_copy: ProjectCopy, geo_args):
    copy = built_project_copy
    copy.edit(YAML, 'navn: "Kompetanseløftet for inkluderende praksis i barnehage og skole (KL) - Bodø kommune"',
              f"navn: '{FORMULAS['navn']}'")
    copy.edit(YAML, 'region: "Bodø kommune"', 'region: "-2+3"')
    copy.edit(YAML, 'region: "Eidsvoll kommune"', f'region: "{FORMULAS["region"]}"')
    proc = copy.run("build", "--quiet", *geo_args)
    assert proc.returncode == 0, describe(proc)
    cells = []
    for name in ("partnerships", "municipalities", "indicators", "mapping"):
        out = copy.root / f"{name}.csv"
        proc = copy.run("export", name, "--out", str(out))
        assert proc.returncode == 0, describe(proc)
        rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
        cells += [c for row in rows for c in row]
    dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert dangerous == [], f"formula cells left in the CLI exports: {dangerous[:5]}"
    assert "'" + FORMULAS["navn"] in cells and "'" + FORMULAS["region"] in cells and "'-2+3" in cells


def test_cli_and_dashboard_share_one_neutralising_function():
    from dashboard import csvexport
    from etl import csvsafe, export

    assert csvexport.neutralise is csvsafe.neutralise and csvexport.safe_frame is csvsafe.safe_frame
    assert export.safe_frame is csvsafe.safe_frame


# --- YAML: duplicate and unknown keys -----------------------------------------------------------

YAML = "data/partnerships.yaml"


def test_duplicate_and_unknown_yaml_keys_are_refused_with_lines(built_project_copy: ProjectCopy, geo_args):
    copy = built_project_copy
    first = copy.edit(YAML, '    kortnavn: "Bodø"\n', '    kortnavn: "Bodø"\n    kortnavn: "Bodø by"\n')
    top = (copy.root / YAML).read_text(encoding="utf-8").count("\n") + 1
    with open(copy.root / YAML, "a", encoding="utf-8") as f:
        f.write("ekstra_liste: [1, 2]\n")
    before = snapshot(copy.warehouse)
    proc = copy.run("build", "--quiet", *geo_args)
    assert proc.returncode == 2, describe(proc)
    norwegian_only(proc.stderr)
    assert f"{YAML}, rad {first + 1}, kolonne «kortnavn»" in proc.stderr and f"linje {first}" in proc.stderr, proc.stderr
    assert f"rad {top}, kolonne «ekstra_liste»" in proc.stderr, proc.stderr

    kilder = copy.edit("data/kilder.yaml", "kilder:\n", "kilde_versjon: 2\nkilder:\n")
    proc = copy.run("build", "--quiet", *geo_args)
    assert proc.returncode == 2, describe(proc)
    assert f"kilder.yaml, rad {kilder}, kolonne «kilde_versjon»" in proc.stderr, proc.stderr
    assert snapshot(copy.warehouse) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("partnerskap:\n\t- id: x\n", "tabulator"),
        ("partnerskap: !!python/object/apply:os.system [ls]\n", "merkelapp"),
        ('partnerskap:\n  - navn: "uten slutt\n', "anførselstegn"),
        ("partnerskap:\n  - id: a\n   navn: b\n", "innrykk"),
    ],
    ids=["tab", "python-tag", "open-quote", "indent"],
)
def test_yaml_syntax_errors_are_norwegian(project_copy: ProjectCopy, geo_args, text: str, expected: str):
    (project_copy.root / YAML).write_text(text, encoding="utf-8")
    proc = project_copy.run("build", "--quiet", *geo_args)
    assert proc.returncode == 2, describe(proc)
    assert expected in proc.stderr and "rad " in proc.stderr, proc.stderr
    norwegian_only(proc.stderr)


# --- read-only folders, a full disk, a locked file ----------------------------------------------


@pytest.fixture
def small_filesystem(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """mount(size, read_only) -> a fresh tmpfs (needs root with CAP_SYS_ADMIN, as in CI)."""
    mounted: list[Path] = []

    def mount(size: str = "64m") -> Path:
        point = tmp_path / f"fs{len(mounted)}"
        point.mkdir()
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.strip()}); needs root with CAP_SYS_ADMIN")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def _read_only(point: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)


def test_read_only_warehouse_folder_is_a_norwegian_message(env, small_filesystem):
    folder = small_filesystem()
    warehouse = folder / "warehouse.duckdb"
    build(env | {"KL_WAREHOUSE": str(warehouse)})
    before = snapshot(warehouse)
    _read_only(folder)
    for command in (["build"], ["import", "units", str(EXAMPLE_UNITS)]):
        proc = run_cli(command, env=env | {"KL_WAREHOUSE": str(warehouse)})
        assert proc.returncode == 1, describe(proc)
        assert "skrivebeskyttet" in proc.stderr and str(folder) in proc.stderr, proc.stderr
        assert "Lageret er ikke endret" in proc.stderr
        norwegian_only(proc.stderr)
    assert snapshot(warehouse) == before


def test_read_only_cache_folder_still_builds(env, small_filesystem, http_server, geo_dir):
    base, routes = http_server
    routes["/k.geojson"] = (geo_dir / KOMMUNE_GEOJSON).read_bytes()
    cache = small_filesystem()
    _read_only(cache)
    env = _loopback(env) | {"KL_CACHE_DIR": str(cache), "KL_GEOJSON": base + "/k.geojson"}
    proc = run_cli(["build"], env=env)
    assert proc.returncode == 0, describe(proc)
    assert "kunne ikke lagre kommunegrenser" in proc.stderr and "skrivebeskyttet" in proc.stderr, proc.stderr
    norwegian_only(proc.stderr)


def test_full_disk_is_a_norwegian_message_and_leaves_nothing(env, small_filesystem):
    folder = small_filesystem("3m")  # room for the lock, not for a warehouse
    warehouse = folder / "warehouse.duckdb"
    proc = run_cli(["build", "--quiet"], env=env | {"KL_WAREHOUSE": str(warehouse)})
    assert proc.returncode == 1, describe(proc)
    assert "Disken er full" in proc.stderr, proc.stderr
    assert "Ingen lager ble laget" in proc.stderr
    norwegian_only(proc.stderr)
    assert not warehouse.exists()
    assert leftovers(warehouse) == []
    for kept in (builds_folder(warehouse), private_folder(warehouse)):
        assert not kept.exists() or list(kept.iterdir()) == [], list(kept.iterdir())


def test_export_to_a_full_disk_is_a_norwegian_message(env):
    build(env)
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "etl", "export", "partnerships"], cwd=PROJECT_ROOT,
                              env=env, stdout=full, stderr=subprocess.PIPE, text=True, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "Disken er full" in proc.stderr, proc.stderr
    norwegian_only(proc.stderr)


def test_locked_warehouse_file_is_a_norwegian_message(env):
    build(env)
    writer = duckdb.connect(str(warehouse_of(env).resolve()))  # another program holds the file
    try:
        proc = run_cli(["export", "partnerships"], env=env)
    finally:
        writer.close()
    assert proc.returncode == 1, describe(proc)
    assert "låst" in proc.stderr and warehouse_of(env).resolve().name in proc.stderr, proc.stderr
    norwegian_only(proc.stderr)


# --- the dashboard reads one build per script run -----------------------------------------------


def test_pages_never_mix_two_builds_under_rebuilds(env: dict[str, str]):
    from benchmarks.readers import measure

    proc = run_cli(["demo", "--scale", "0.05"], env=env | {"KL_DEMO_DIR": str(Path(env["KL_WAREHOUSE"]).parent / "demo")})
    assert proc.returncode == 0, describe(proc)
    env = env | {"KL_DEMO_DIR": str(Path(env["KL_WAREHOUSE"]).parent / "demo")}
    result = measure(env, rebuilds=2)
    assert result.rebuild_failures == []
    assert result.errors == [], result.errors
    assert result.mixed == 0, result.summary()
    assert result.loops > 0 and len(result.builds_seen) >= 2, f"the readers never saw a rebuild: {result.summary()}"

"""Shared fixtures for the foundation tests: the ETL CLI run as a subprocess, built warehouses,
and throw-away copies of the project for tests that break input files.

Every build writes into pytest's tmp folders (KL_WAREHOUSE, KL_CACHE_DIR); nothing is ever
written into the project's own data/ folder, so the tests can run in parallel (pytest -n 2).

Boundary files come from KL_TEST_GEO (relative paths are taken from the project root), falling
back to <project>/../shared/geo. CI always has them: a missing folder fails loudly, it never skips.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KOMMUNE_GEOJSON = "kommuner-2024-S.geojson"
FYLKE_GEOJSON = "fylker-2024-S.geojson"
# A port nothing listens on: every HTTP(S) request of a build fails at once, so no test depends
# on (or uses) the network, whether or not the machine has internet.
DEAD_PROXY = "http://127.0.0.1:9"
SUBPROCESS_TIMEOUT = 900  # a loaded 2-core machine; a hang still ends the test


# --- locating the shared folder --------------------------------------------------------------


def _shared_geo() -> Path:
    raw = os.environ.get("KL_TEST_GEO")
    path = Path(raw) if raw else PROJECT_ROOT.parent / "shared" / "geo"
    if not path.is_absolute():
        path = PROJECT_ROOT / path
    return path


@pytest.fixture(scope="session")
def geo_dir() -> Path:
    """The folder with the 2024 boundary files (KL_TEST_GEO or <project>/../shared/geo)."""
    path = _shared_geo()
    missing = [name for name in (KOMMUNE_GEOJSON, FYLKE_GEOJSON) if not (path / name).is_file()]
    if missing:
        pytest.fail(
            f"Boundary files not found: {', '.join(missing)} in {path}. Set KL_TEST_GEO to the "
            "folder with kommuner-2024-S.geojson and fylker-2024-S.geojson (default: "
            "<project>/../shared/geo, as `make test` and CI use).",
            pytrace=False,
        )
    return path.resolve()


@pytest.fixture(scope="session")
def seeds_dir(geo_dir: Path) -> Path:
    """The source documents: <shared>/seeds beside the geo folder, or <project>/../shared/seeds."""
    for candidate in (geo_dir.parent / "seeds", PROJECT_ROOT.parent / "shared" / "seeds"):
        if candidate.is_dir() and any(candidate.glob("*.txt")):
            return candidate.resolve()
    pytest.fail(
        f"Source documents not found in {geo_dir.parent / 'seeds'} or "
        f"{PROJECT_ROOT.parent / 'shared' / 'seeds'}.",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def geo_args(geo_dir: Path) -> list[str]:
    """`build` arguments that load the shared 2024 boundaries (absolute paths)."""
    return ["--geojson", str(geo_dir / KOMMUNE_GEOJSON), "--fylke-geojson", str(geo_dir / FYLKE_GEOJSON)]


# --- running the CLI --------------------------------------------------------------------------


def etl_env(warehouse: Path | None = None, cache_dir: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment of a CLI run: no inherited KL_* settings, no PYTHONPATH, no network."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KL_") and k not in ("PYTHONPATH", "NO_PROXY", "no_proxy")
    }
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        env[name] = DEAD_PROXY
    if warehouse is not None:
        env["KL_WAREHOUSE"] = str(warehouse)
        # Build from the committed inputs only: locally generated demo data and kept imports
        # (data/demo/, data/imports/, both git-ignored) would make the tests depend on the machine.
        env["KL_DEMO_DIR"] = str(Path(warehouse).parent / "ingen-demo")
        env["KL_IMPORT_DIR"] = str(Path(warehouse).parent / "ingen-import")
    if cache_dir is not None:
        env["KL_CACHE_DIR"] = str(cache_dir)
    env.update(extra)
    return env


def run_cli(
    args: Sequence[str], cwd: Path = PROJECT_ROOT, env: dict[str, str] | None = None, text: bool = True
) -> subprocess.CompletedProcess:
    """`python -m etl ARGS` in cwd; output is decoded as strict UTF-8 when text is true."""
    return subprocess.run(
        [sys.executable, "-m", "etl", *args],
        cwd=cwd,
        env=env if env is not None else etl_env(),
        capture_output=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
        **({"encoding": "utf-8", "errors": "strict"} if text else {}),
    )


def describe(proc: subprocess.CompletedProcess) -> str:
    """A failed run's exit code and output, for assertion messages."""
    return f"exit code {proc.returncode}\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"


@pytest.fixture
def run_etl() -> Callable[..., subprocess.CompletedProcess]:
    """run_etl(args, cwd=<project root>, env=etl_env(...)) -> CompletedProcess."""
    return run_cli


# --- reading a warehouse ----------------------------------------------------------------------


def connect_ro(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the file a warehouse path (symlink) points to."""
    return duckdb.connect(str(Path(path).resolve()), read_only=True)


@pytest.fixture(name="connect_ro")
def connect_ro_fixture() -> Callable[[Path], duckdb.DuckDBPyConnection]:
    return connect_ro


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass(frozen=True)
class Snapshot:
    """What must not change when a build fails: the link, the file it points to, the builds."""

    link_target: str
    file_sha256: str
    builds: tuple[str, ...]


def snapshot(warehouse: Path) -> Snapshot:
    builds = warehouse.parent / (warehouse.name + ".builds")
    target = warehouse.resolve()
    return Snapshot(
        link_target=os.readlink(warehouse),
        file_sha256=sha256(target) if target.is_file() else f"<missing: {target}>",
        builds=tuple(sorted(p.name for p in builds.iterdir())),
    )


# --- built warehouses -------------------------------------------------------------------------


def build_into(
    warehouse: Path, args: Sequence[str], cwd: Path = PROJECT_ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Build (quietly) into warehouse; fail the test with the CLI's output if the build fails."""
    env = env if env is not None else etl_env(warehouse, warehouse.parent / "cache")
    proc = run_cli(["build", "--quiet", *args], cwd=cwd, env=env)
    if proc.returncode != 0:
        pytest.fail(f"build of {warehouse} failed:\n{describe(proc)}", pytrace=False)
    return proc


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory, geo_args: list[str]) -> Path:
    """One warehouse built from the project with the shared 2024 boundaries (do not modify)."""
    warehouse = tmp_path_factory.mktemp("built") / "warehouse.duckdb"
    build_into(warehouse, geo_args)
    return warehouse


@pytest.fixture
def warehouse_copy(built_warehouse: Path, tmp_path: Path) -> Path:
    """A private copy of the built warehouse (link + builds folder), for tests that rebuild."""
    target = tmp_path / "wh"
    shutil.copytree(built_warehouse.parent, target, symlinks=True, ignore=shutil.ignore_patterns("cache"))
    return target / built_warehouse.name


# --- copies of the project --------------------------------------------------------------------

_PROJECT_PARTS = ("etl", "sql", "data")
_IGNORE_ANYWHERE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.duckdb", "*.duckdb.*", "*.duckdb.builds")
# generated or downloaded, never committed (see .gitignore)
_IGNORE_IN_DATA = {"cache", "demo", "imports"}


def _ignore(folder: str, names: list[str]) -> set[str]:
    ignored = set(_IGNORE_ANYWHERE(folder, names))
    if Path(folder) == PROJECT_ROOT / "data":
        ignored |= _IGNORE_IN_DATA & set(names)
    return ignored


def copy_project(dest: Path) -> Path:
    """etl/, sql/ and data/ (without warehouse files, downloads or generated data) into dest."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in _PROJECT_PARTS:
        shutil.copytree(PROJECT_ROOT / part, dest / part, ignore=_ignore)
    return dest


@dataclass
class ProjectCopy:
    """A copy of the project in tmp; the ETL run there resolves every input inside the copy."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def warehouse(self) -> Path:
        return self.data / "warehouse.duckdb"

    def env(self) -> dict[str, str]:
        return etl_env(self.warehouse, self.root / "cache")

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return run_cli(list(args), cwd=self.root, env=self.env())

    def edit(self, relpath: str, old: str, new: str, count: int = 1) -> int:
        """Replace text in a file of the copy; return the 1-based line where the edit starts."""
        path = self.root / relpath
        text = path.read_text(encoding="utf-8")
        assert text.count(old) >= count, f"{old!r} not found in {relpath}: the fixture data changed"
        line = text[: text.index(old)].count("\n") + 1
        path.write_text(text.replace(old, new, count), encoding="utf-8")
        return line


@pytest.fixture
def project_copy(tmp_path: Path) -> ProjectCopy:
    """A fresh copy of etl/, sql/ and data/ (no warehouse yet)."""
    return ProjectCopy(copy_project(tmp_path / "project"))


@pytest.fixture(scope="session")
def _built_project_template(tmp_path_factory: pytest.TempPathFactory, geo_args: list[str]) -> Path:
    root = copy_project(tmp_path_factory.mktemp("template") / "project")
    copy = ProjectCopy(root)
    # The copy must run its own package, not the one of the project (editable install).
    probe = subprocess.run(
        [sys.executable, "-c", "import etl.config as c; print(c.PROJECT_ROOT)"],
        cwd=root, env=copy.env(), capture_output=True, text=True, check=True,
    )
    assert Path(probe.stdout.strip()) == root.resolve(), probe.stdout
    build_into(copy.warehouse, geo_args, cwd=root, env=copy.env())
    return root


@pytest.fixture
def built_project_copy(_built_project_template: Path, tmp_path: Path) -> Iterator[ProjectCopy]:
    """A copy of the project with a warehouse already built in its data/ folder."""
    root = tmp_path / "project"
    shutil.copytree(_built_project_template, root, symlinks=True)
    yield ProjectCopy(root)


# --- shared, expensive set-ups ------------------------------------------------------------------


def shared_once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder made once per test session, also across xdist workers (file lock)."""
    base = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    target = base / name
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".ferdig").exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            make(target)
            (target / ".ferdig").touch()
    return target

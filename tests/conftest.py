"""Shared fixtures for the foundation tests: the ETL CLI run as a subprocess, built warehouses,
and throw-away copies of the project for tests that break input files.

Every build writes into pytest's tmp folders (KL_WAREHOUSE, KL_CACHE_DIR); nothing is ever
written into the project's own data/ folder, so the tests can run in parallel (pytest -n 2).

Boundary files and source documents come from the shared folder (KL_TEST_GEO, relative paths
taken from the project root; default <project>/../shared/geo, with the documents in
../shared/seeds). A clean clone without it uses the small fixtures in tests/fixtures/: heavily
simplified boundaries of all 357 municipalities and 15 counties, and verbatim excerpts of the
source documents (origins in tests/fixtures/*/README.md). CI (CI=true) must have the shared
folder: there a missing folder fails the run instead of falling back.
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
from hypothesis import settings
from streamlit import config as streamlit_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# A port nothing listens on: every HTTP(S) request of a build fails at once, so no test depends
# on (or uses) the network, whether or not the machine has internet.
DEAD_PROXY = "http://127.0.0.1:9"
SUBPROCESS_TIMEOUT = 900  # a loaded 2-core machine; a hang still ends the test

# No test may depend on timing: hypothesis never fails an example for being slow (a loaded CI
# machine). Set here once for every @given test.
settings.register_profile("kl", deadline=None, print_blob=True)
settings.load_profile("kl")

# AppTest runs the pages in this process as `make run`'s local operator sees them: Streamlit
# listening on loopback only (dashboard/tilgang.py). tests/test_tilgang.py changes it for the
# network case and puts it back.
streamlit_config.set_option("server.address", "127.0.0.1")


# --- locating the shared folder --------------------------------------------------------------


def _shared_geo() -> Path:
    raw = os.environ.get("KL_TEST_GEO")
    path = Path(raw) if raw else PROJECT_ROOT.parent / "shared" / "geo"
    if not path.is_absolute():
        path = PROJECT_ROOT / path
    return path


SHARED_KOMMUNE_GEOJSON = "kommuner-2024-S.geojson"
SHARED_FYLKE_GEOJSON = "fylker-2024-S.geojson"
SHARED_GEO = _shared_geo()
HAS_SHARED_GEO = all((SHARED_GEO / n).is_file() for n in (SHARED_KOMMUNE_GEOJSON, SHARED_FYLKE_GEOJSON))
SHARED_SEEDS = next(
    (p for p in (SHARED_GEO.parent / "seeds", PROJECT_ROOT.parent / "shared" / "seeds")
     if p.is_dir() and any(p.glob("*.txt"))),
    None,
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# The file names tests join to geo_dir: the shared originals, or the simplified fixtures.
if HAS_SHARED_GEO:
    GEO_DIR, KOMMUNE_GEOJSON, FYLKE_GEOJSON = SHARED_GEO, SHARED_KOMMUNE_GEOJSON, SHARED_FYLKE_GEOJSON
else:
    GEO_DIR = FIXTURES / "geo"
    KOMMUNE_GEOJSON, FYLKE_GEOJSON = "kommuner-2024-forenklet.geojson", "fylker-2024-forenklet.geojson"
SEEDS_DIR = SHARED_SEEDS or FIXTURES / "kilder"

needs_shared = pytest.mark.skipif(
    not (HAS_SHARED_GEO and SHARED_SEEDS),
    reason=f"needs the full shared files ({SHARED_GEO} and ../shared/seeds), which are not in the "
    "repository; this clone runs the simplified fixtures in tests/fixtures/ instead. CI has them.",
)


def pytest_sessionstart(session: pytest.Session) -> None:
    if IN_CI and not (HAS_SHARED_GEO and SHARED_SEEDS):
        pytest.exit(
            f"CI must run every test with the shared files, but {SHARED_GEO} (boundaries) or "
            "../shared/seeds (source documents) is missing. Put the shared folder beside the "
            "project or set KL_TEST_GEO.",
            returncode=3,
        )


def pytest_report_header(config: pytest.Config) -> list[str]:
    geo = f"shared {SHARED_GEO}" if HAS_SHARED_GEO else f"simplified fixtures {GEO_DIR} (no ../shared/geo)"
    seeds = f"shared {SHARED_SEEDS}" if SHARED_SEEDS else f"excerpts {SEEDS_DIR} (no ../shared/seeds)"
    return [f"boundaries: {geo}", f"source documents: {seeds}"]


@pytest.fixture(scope="session")
def geo_dir() -> Path:
    """The folder with the 2024 boundary files named KOMMUNE_GEOJSON and FYLKE_GEOJSON."""
    return GEO_DIR.resolve()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The source documents (../shared/seeds), or verbatim excerpts of them (tests/fixtures/kilder)."""
    return SEEDS_DIR.resolve()


@pytest.fixture(scope="session")
def geo_args(geo_dir: Path) -> list[str]:
    """`build` arguments that load the 2024 boundaries (absolute paths)."""
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

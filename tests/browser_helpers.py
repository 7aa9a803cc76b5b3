"""Helpers for the page tests (AppTest) and the browser tests (Playwright + Debian's Chromium).

* Two demo warehouses, built once per test process with the real CLI (`python -m etl demo`):
  A with the shared 2024 boundary files, B without boundaries (the default URL is unreachable:
  every HTTP(S) request goes to a dead proxy and the cache folder is empty, so the map falls
  back to points).
* A real Streamlit server in a subprocess, and a Chromium context that blocks and records every
  request to a host other than the loopback interface.

Nothing here writes into the project's data/ folder.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import FYLKE_GEOJSON, KOMMUNE_GEOJSON, PROJECT_ROOT, describe, etl_env, run_cli

APP = PROJECT_ROOT / "dashboard" / "app.py"
DEMO_SCALE = "0.2"  # small: the whole suite runs on two cores
DEMO_MERKE = "Demodata (syntetiske tall)"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--use-gl=swiftshader", "--enable-unsafe-swiftshader",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
SERVER_START_TIMEOUT = 60.0
APP_READY_TIMEOUT = 60.0


# --- the pages, as the entrypoint registers them ------------------------------------------------


def page_paths() -> dict[str, str]:
    """{'oversikt': 'sider/oversikt.py', ...} read from the st.Page(...) calls of dashboard/app.py,
    so the tests follow the entrypoint if the page folder is renamed."""
    found = re.findall(r"""st\.Page\(\s*["']([^"']+\.py)["']""", APP.read_text(encoding="utf-8"))
    assert found, "no st.Page('<file>.py') calls found in dashboard/app.py"
    return {Path(p).stem: p for p in found}


PAGE_NAMES = ["oversikt", "kart", "tidslinje", "indikatorer", "sammenligning", "kartlegging", "data", "om",
              "presentasjon"]
URL_PATHS = {name: "/" if name == "oversikt" else f"/{name}" for name in PAGE_NAMES}


# --- demo warehouses ----------------------------------------------------------------------------

_built: dict[tuple[str, str], Path] = {}


def build_demo_warehouse(root: Path, geo_dir: Path | None) -> Path:
    """`python -m etl demo` into root/ (with boundaries from geo_dir, or none); returns the link."""
    root.mkdir(parents=True, exist_ok=True)
    warehouse = root / "warehouse.duckdb"
    extra = {
        "KL_DEMO_DIR": str(root / "demo"),
        "KL_IMPORT_DIR": str(root / "imports"),
    }
    if geo_dir is not None:
        extra["KL_GEOJSON"] = str(geo_dir / KOMMUNE_GEOJSON)
        extra["KL_FYLKE_GEOJSON"] = str(geo_dir / FYLKE_GEOJSON)
    # an empty cache folder: no boundary file downloaded earlier can sneak into build B
    env = etl_env(warehouse, root / "empty-cache", **extra)
    proc = run_cli(
        ["demo", "--scale", DEMO_SCALE, "--out", str(root / "demo"), "--warehouse", str(warehouse)],
        env=env,
    )
    if proc.returncode != 0 or not warehouse.exists():
        pytest.fail(f"demo build into {root} failed:\n{describe(proc)}", pytrace=False)
    return warehouse


def _cached_build(kind: str, factory: pytest.TempPathFactory, geo_dir: Path | None) -> Path:
    key = (kind, str(factory.getbasetemp()))
    if key not in _built:
        _built[key] = build_demo_warehouse(factory.mktemp(f"demo-{kind}"), geo_dir)
    return _built[key]


@pytest.fixture(scope="session")
def demo_warehouse_a(tmp_path_factory: pytest.TempPathFactory, geo_dir: Path) -> Path:
    """Warehouse A: demo data with the shared 2024 municipality and county boundaries."""
    return _cached_build("a", tmp_path_factory, geo_dir)


@pytest.fixture(scope="session")
def demo_warehouse_b(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Warehouse B: demo data, no boundaries (KL_GEOJSON unset, network dead, empty cache)."""
    return _cached_build("b", tmp_path_factory, None)


# --- a real Streamlit server --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return "<no log>"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_server(warehouse: Path, log_dir: Path, address: str = "127.0.0.1",
                 extra_env: dict[str, str] | None = None) -> Server:
    """`streamlit run dashboard/app.py` on a free port; returns once /_stcore/health says ok.

    On loopback by default, as `make run` does (the local operator sees every unit); another
    address is the dashboard on the network (dashboard/tilgang.py)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KL_")}
    env["KL_WAREHOUSE"] = str(warehouse)
    env.update(extra_env or {})
    log = log_dir / f"streamlit-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
             "--server.port", str(port), "--server.address", address, "--server.headless", "true"],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    server = Server(process, port, log)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{server.log_tail()}", pytrace=False)
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return server
        except OSError:
            pass
        time.sleep(0.25)
    server.stop()
    pytest.fail(f"streamlit did not answer /_stcore/health within {SERVER_START_TIMEOUT:.0f} s:\n"
                f"{server.log_tail()}", pytrace=False)


# --- Chromium -----------------------------------------------------------------------------------


@dataclass
class Guarded:
    """A browser context whose route guard aborts and records every third-party request."""

    context: object
    blocked: list[str] = field(default_factory=list)

    def new_page(self):
        return self.context.new_page()


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about"):
        return True
    return (parsed.hostname or "") in LOOPBACK


def guarded_context(browser) -> Guarded:
    context = browser.new_context(
        accept_downloads=True, viewport={"width": 1440, "height": 1000}, locale="nb-NO",
    )
    guarded = Guarded(context)

    def guard(route) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            guarded.blocked.append(url)
            route.abort()

    context.route("**/*", guard)
    return guarded


def launch_chromium(playwright):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (make chromium)", pytrace=False)
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_for_app(page, timeout: float = APP_READY_TIMEOUT) -> None:
    """Poll until the script has run (state notRunning), the page has content and no skeleton
    is left, and that holds on two polls in a row."""
    deadline = time.monotonic() + timeout
    stable = 0
    while time.monotonic() < deadline:
        ready = page.evaluate(
            """() => {
                const app = document.querySelector('[data-testid="stApp"]');
                if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
                if (document.querySelector('[data-testid="stSkeleton"]')) return false;
                return !!document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"], [data-testid="stException"]');
            }"""
        )
        stable = stable + 1 if ready else 0
        if stable >= 2:
            return
        page.wait_for_timeout(250)
    state = page.evaluate(
        "() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"
    )
    raise AssertionError(f"the app at {page.url} was not ready within {timeout:.0f} s (script state: {state})")


@pytest.fixture(scope="module")
def playwright_instance() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def chromium(playwright_instance) -> Iterator[object]:
    browser = launch_chromium(playwright_instance)
    yield browser
    browser.close()

"""Bytes a browser really receives on the map page: a real Streamlit server, Debian's Chromium.

Opens /kart, then changes the colouring three times (Tilskuddsordning, Indikator, Samarbeid).
For the first load and for each interaction it counts the WebSocket bytes received and every
request for the boundary files (app/static/kart/*), with their status and size, so the table
shows whether the geometry travels once per session or again on a rerun.

    python -m benchmarks.browser --warehouse data/warehouse.duckdb
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--use-gl=swiftshader", "--enable-unsafe-swiftshader",
        "--disable-background-networking", "--no-first-run"]
CLICKS = ["Tilskuddsordning", "Indikator", "Samarbeid"]  # the map's colour modes (bokmål)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_idle(page, timeout: float = 300.0) -> None:
    """The script has finished (twice in a row) and the map canvas is there."""
    deadline, stable = time.monotonic() + timeout, 0
    while time.monotonic() < deadline and stable < 2:
        done = page.evaluate("""() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
                && !!document.querySelector('canvas');
        }""")
        stable = stable + 1 if done else 0
        page.wait_for_timeout(500)
    if stable < 2:
        raise TimeoutError(f"the map page did not finish within {timeout:.0f} s")
    page.wait_for_timeout(1500)  # late fetches (deck.gl loads its data after the render)


def measure(warehouse: Path) -> list[dict]:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KL_")} | {"KL_WAREHOUSE": str(warehouse)}
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
             "--server.headless", "true"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(240):
                try:
                    if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                        break
                except OSError:
                    time.sleep(0.25)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                try:
                    return _session(browser, url)
                finally:
                    browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)


def _session(browser, url: str) -> list[dict]:
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.set_default_timeout(180_000)  # a busy machine draws WebGL in software slowly
    step = {"ws": 0, "geo": []}

    def on_ws(ws) -> None:
        ws.on("framereceived", lambda payload: step.__setitem__("ws", step["ws"] + len(payload)))

    def on_response(response) -> None:
        if "/app/static/kart/" in response.url:
            size = len(response.body()) if response.status == 200 else 0
            step["geo"].append((response.url.rsplit("/", 1)[-1].split("-")[0], response.status, size))

    page.on("websocket", on_ws)
    page.on("response", on_response)
    rows = []
    page.goto(url + "/kart")
    _wait_idle(page)
    for _ in range(240):  # deck.gl fetches the boundaries after drawing starts: count them here
        if any(name == "kommuner" for name, _, _ in step["geo"]):
            break
        page.wait_for_timeout(500)
    rows.append({"step": "open /kart", **step})

    for label in CLICKS:
        step.update(ws=0, geo=[])
        page.locator('[data-testid="stMain"] [data-testid="stButtonGroup"]').get_by_text(label, exact=True).first.click()
        _wait_idle(page)
        rows.append({"step": f"colour by {label}", **step})
    return rows


def report(rows: list[dict]) -> None:
    print("\n## Map page in Chromium: bytes received per interaction (real server)\n")
    print("| step | WebSocket KB | boundary file requests (status, KB) |")
    print("|---|---:|---|")
    for r in rows:
        geo = ", ".join(f"{name} {status} {size / 1024:.0f}" for name, status, size in r["geo"]) or "none"
        print(f"| {r['step']} | {r['ws'] / 1024:.1f} | {geo} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", type=Path, default=ROOT / "data" / "warehouse.duckdb")
    args = parser.parse_args()
    report(measure(args.warehouse.resolve()))


if __name__ == "__main__":
    main()

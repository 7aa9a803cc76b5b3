"""Readers under repeated rebuilds: does any page run mix two builds?

A reader loop runs the dashboard's pages (Streamlit AppTest, the real app) one after another
while `python -m etl build` rebuilds the same warehouse again and again, alternating
KL_MIN_SVAR between two values so consecutive builds really differ. Every script run records
the builds its queries read (dashboard/db.py); a run that read two is a mixed read.

    python -m benchmarks.readers [--rebuilds 10]   (builds a small demo warehouse in tmp)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
PAGES = [  # every page of dashboard/app.py
    "sider/oversikt.py", "sider/kart.py", "sider/tidslinje.py", "sider/indikatorer.py",
    "sider/sammenligning.py", "sider/kartlegging.py", "sider/data.py", "sider/om.py",
]


@dataclass
class Result:
    loops: int = 0
    errors: list[str] = field(default_factory=list)
    mixed: int = 0
    builds_seen: set[str] = field(default_factory=set)
    rebuilds: int = 0
    rebuild_failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.loops} page runs, {len(self.errors)} errors, {self.mixed} mixed reads, "
            f"{self.rebuilds} rebuilds meanwhile ({len(self.builds_seen)} distinct builds read)"
        )


def _rebuild(env: dict[str, str], times: int, result: Result, done: threading.Event) -> None:
    try:
        for i in range(times):
            k = "10" if i % 2 else "11"
            proc = subprocess.run(
                [sys.executable, "-m", "etl", "build", "--quiet"], cwd=ROOT, env=env | {"KL_MIN_SVAR": k},
                capture_output=True, text=True, check=False,
            )
            if proc.returncode != 0:
                result.rebuild_failures.append(proc.stderr)
            result.rebuilds += 1
    finally:
        done.set()


def measure(env: dict[str, str], rebuilds: int, progress=lambda _: None) -> Result:
    """Run pages until `rebuilds` builds of env's warehouse are done (env: a CLI environment)."""
    from streamlit import config as streamlit_config
    from streamlit.testing.v1 import AppTest

    # `make run`'s local operator (loopback): every unit, as before scopes (dashboard/tilgang.py)
    streamlit_config.set_option("server.address", "127.0.0.1")
    result = Result()
    done = threading.Event()
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the app reads KL_WAREHOUSE from the environment
    try:
        at = AppTest.from_file(APP, default_timeout=120).run()
        builder = threading.Thread(target=_rebuild, args=(env, rebuilds, result, done), daemon=True)
        builder.start()
        while not done.is_set() or result.loops == 0:
            at.switch_page(PAGES[result.loops % len(PAGES)]).run()
            result.loops += 1
            if at.exception:
                result.errors.append(str(at.exception[0].value))
            read = at.session_state.get("_kl_bygg_lest", [])
            distinct = set(read)
            result.builds_seen |= distinct
            if len(distinct) > 1:
                result.mixed += 1
            if result.loops % 10 == 0:
                progress(result.summary())
        builder.join()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuilds", type=int, default=10)
    parser.add_argument("--scale", default="0.2")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix=f"kl-bench-{os.getpid()}-"))
    try:
        env = dict(os.environ) | {
            "KL_WAREHOUSE": str(tmp / "wh.duckdb"), "KL_DEMO_DIR": str(tmp / "demo"),
            "KL_CACHE_DIR": str(tmp / "cache"), "KL_IMPORT_DIR": str(tmp / "imports"),
        }
        geo = Path(os.environ.get("KL_TEST_GEO") or ROOT.parent / "shared" / "geo")
        if (geo / "kommuner-2024-S.geojson").exists():
            env |= {"KL_GEOJSON": str(geo / "kommuner-2024-S.geojson"),
                    "KL_FYLKE_GEOJSON": str(geo / "fylker-2024-S.geojson")}
        print(f"Building a demo warehouse (scale {args.scale}) …", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "etl", "demo", "--scale", args.scale], cwd=ROOT, env=env,
                       check=True, capture_output=True)
        result = measure(env, args.rebuilds, lambda line: print(line, file=sys.stderr, flush=True))
        print(result.summary())
        for error in result.errors[:5] + result.rebuild_failures[:2]:
            print("  " + error.strip().splitlines()[-1])
        sys.exit(1 if result.errors or result.mixed or result.rebuild_failures else 0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

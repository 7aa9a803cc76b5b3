"""Page benchmark: server CPU per interaction (median and p95, warm and cold) and bytes sent per
interaction, for every page, against a baseline measured in the same run.

Each page is driven through Streamlit's AppTest from the real entrypoint with the interactions a
user makes there (a rerun, a filter, a control of the page). CPU is the process CPU time of the
run (`time.process_time`, all threads), so a busy machine does not inflate it the way wall-clock
time would. Bytes are the protobuf size of every message the run sends to the browser. The
baseline is a one-line Streamlit script in the same process: the framework's own floor.

AppTest makes a new script cache for every run, so it would compile the entrypoint and the page
again each time; a real server compiles each script once. The benchmark shares one script cache
across runs, as the server does, so the numbers are the server's, not AppTest's.

With the map page included, benchmarks.browser then opens it in Chromium against a real server
and counts the bytes received per interaction, boundary files included.

    python -m benchmarks.pages --warehouse data/warehouse.duckdb [--repeat 15] [--pages kart om]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from benchmarks import browser

ROOT = Path(__file__).resolve().parent.parent
TARGET_WARM_MS = 50
TARGET_COLD_MS = 150

# page -> interactions: (name, {session_state key: value} set before the run, or {} for a rerun)
INTERACTIONS: dict[str, list[tuple[str, dict]]] = {
    "oversikt": [("rerun", {}), ("region", {"region": "@partnerskap"}), ("nullstill", {"region": []})],
    "kart": [("rerun", {}), ("ordning", {"kartfarge": "ordning"}), ("indikator", {"kartfarge": "indikator"}),
             ("region", {"region": "@partnerskap"}), ("samarbeid", {"kartfarge": "samarbeid", "region": []})],
    "tidslinje": [("rerun", {}), ("sorter", {"sorter": "ordning"}), ("region", {"region": "@partnerskap"})],
    "indikatorer": [("rerun", {}), ("kommune", {"niva": "kommune"}), ("trinn", {"fordeling": "trinn"}),
                    ("enhet", {"niva": "enhet", "fordeling": "alle"})],
    "sammenligning": [("rerun", {}), ("kommune", {"s_niva": "kommune"}), ("region", {"s_niva": "partnerskap"})],
    "kartlegging": [("rerun", {}), ("gap", {"k_maal": "gap"}), ("kommune", {"k_niva": "kommune"})],
    "data": [("rerun", {}), ("kommune", {"d_niva": "kommune"})],
    "om": [("rerun", {})],
}

CHILD = r"""
import json, os, statistics, sys, time
from streamlit.testing.v1 import AppTest
import streamlit.testing.v1.local_script_runner as runner
import streamlit as st
import streamlit.testing.v1.app_test as app_test
from streamlit.runtime.scriptrunner.script_cache import ScriptCache

# `make run`'s local operator (loopback): every unit, the heaviest view (dashboard/tilgang.py)
st.config.set_option("server.address", "127.0.0.1")
shared_cache = ScriptCache()  # one per server, as in streamlit's Runtime
app_test.ScriptCache = runner.ScriptCache = lambda: shared_cache

sent = []
parse = runner.parse_tree_from_messages
def counting(messages):
    sent.append(sum(m.ByteSize() for m in messages))
    return parse(messages)
runner.parse_tree_from_messages = counting

def timed(at):
    sent.clear(); c = time.process_time(); at.run(); cpu = (time.process_time() - c) * 1000
    assert not at.exception, [e.message for e in at.exception]
    return cpu, sum(sent)

app, baseline_script, interactions, repeat = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
result = {}
base = AppTest.from_file(baseline_script, default_timeout=120).run()
samples = [timed(base) for _ in range(repeat * 2)]
result["baseline"] = {"warm": [s[0] for s in samples], "cold": [], "bytes": [s[1] for s in samples]}

at = AppTest.from_file(app, default_timeout=120).run()
from dashboard import db, filters, queries
first_partner = queries.filter_options().partnerskap["partnerskap_id"][0]
for page, steps in interactions.items():
    at.switch_page(f"sider/{page}.py").run()
    warm, cold, sizes = [], [], []
    for i in range(repeat):
        for name, state in steps:
            for key, value in state.items():
                at.session_state[key] = [first_partner] if value == "@partnerskap" else value
            cpu, size = timed(at)
            warm.append(cpu); sizes.append(size)
    for _ in range(3):
        st.cache_data.clear(); st.cache_resource.clear(); db.clear(); filters._names.cache_clear()
        cpu, _ = timed(at); cold.append(cpu)
    at.session_state["region"] = []  # the next page starts from all collaborations
    result[page] = {"warm": warm, "cold": cold, "bytes": sizes}
print(json.dumps(result))
"""


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(warehouse: Path, repeat: int, only: list[str] | None = None) -> dict:
    interactions = {page: steps for page, steps in INTERACTIONS.items() if not only or page in only}
    with tempfile.TemporaryDirectory() as tmp:
        baseline = Path(tmp) / "baseline.py"
        baseline.write_text("import streamlit as st\nst.title('baseline')\n", encoding="utf-8")
        env = dict(os.environ, KL_WAREHOUSE=str(warehouse))
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(ROOT / "dashboard" / "app.py"), str(baseline),
             json.dumps(interactions), str(repeat)],
            cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def data_size(warehouse: Path) -> str:
    """What the pages read: units, municipalities and rows of the indicator mart."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        units, municipalities, cells = con.execute(
            "select (select count(*) from mart_enhet), (select count(distinct kommunenummer) from mart_enhet),"
            " (select count(*) from mart_indikator)").fetchone()
    finally:
        con.close()
    return f"{units:,} units in {municipalities} municipalities, {cells:,} indicator cells"


def report(result: dict, size: str = "") -> None:
    base = result["baseline"]
    base_ms = statistics.median(base["warm"])
    print(f"\n## Pages: server CPU per interaction (AppTest; {size}; baseline: an empty Streamlit script, "
          f"median {base_ms:.1f} ms, {statistics.median(base['bytes']) / 1024:.1f} KB)\n")
    print("| page | interactions | CPU median ms | CPU p95 ms | cold median ms | KB per interaction (median / max) "
          "| median / baseline | target ≤ 50 / ≤ 150 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for page, r in result.items():
        if page == "baseline":
            continue
        med, top = statistics.median(r["warm"]), p95(r["warm"])
        cold = statistics.median(r["cold"])
        kb = f"{statistics.median(r['bytes']) / 1024:.1f} / {max(r['bytes']) / 1024:.1f}"
        ok = "met" if top <= TARGET_WARM_MS and cold <= TARGET_COLD_MS else (
            f"missed (p95 {top - TARGET_WARM_MS:+.0f} ms, cold {cold - TARGET_COLD_MS:+.0f} ms)")
        print(f"| {page} | {len(r['warm'])} | {med:.0f} | {top:.0f} | {cold:.0f} | {kb} | {med / base_ms:.1f}× | {ok} |")


def bench(warehouse: Path, repeat: int, only: list[str] | None = None) -> dict:
    result = measure(warehouse, repeat, only)
    report(result, data_size(warehouse))
    if not only or "kart" in only:
        if Path(browser.CHROMIUM).exists():
            browser.report(browser.measure(warehouse))
        else:
            print(f"\n(no {browser.CHROMIUM}: the map page's bytes in a real browser were not measured)")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", type=Path, default=ROOT / "data" / "warehouse.duckdb")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--pages", nargs="+", choices=list(INTERACTIONS), help="only these pages")
    args = parser.parse_args()
    bench(args.warehouse.resolve(), args.repeat, args.pages)


if __name__ == "__main__":
    main()

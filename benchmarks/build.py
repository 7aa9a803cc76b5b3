"""ETL benchmark: a whole `etl build` at about 1 and 10 million answer rows (and the national demo
when asked), against DuckDB reading the same answers file in the same run; and one survey
question answered by the product's mart against the pandas apps a user would otherwise write.

    python -m benchmarks.build [--sizes 1 10] [--nasjonal] [--repeat 9]

Build figures are CPU seconds of the build process and its threads (user + system) next to wall
seconds: on a shared 2-core machine wall time measures the neighbours as much as the build.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
GEO = Path(os.environ.get("KL_TEST_GEO") or ROOT.parent / "shared" / "geo")
ROWS_AT_SCALE_1 = 1_920_797  # answer rows of `etl demo --scale 1` (seed 2024)
STARTED = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:6.0f} s] {message}", file=sys.stderr, flush=True)


def env_for(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        KL_WAREHOUSE=str(work / "wh.duckdb"), KL_DEMO_DIR=str(work / "demo"),
        KL_CACHE_DIR=str(work / "cache"), KL_IMPORT_DIR=str(work / "imports"),
    )
    if (GEO / "kommuner-2024-S.geojson").exists():
        env["KL_GEOJSON"] = str(GEO / "kommuner-2024-S.geojson")
        env["KL_FYLKE_GEOJSON"] = str(GEO / "fylker-2024-S.geojson")
    return env


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mib: float


def measured(cmd: list[str], env: dict[str, str]) -> Run:
    """Wall and CPU seconds and peak resident memory of a child process (and its threads)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of children is the largest child so far: run the build last in its own process
    return Run(wall, cpu, after.ru_maxrss / 1024)


def in_child(code: str, env: dict[str, str]) -> Run:
    return measured([sys.executable, "-c", code], env)


def bench_builds(sizes: list[float], national: bool, tmp: Path) -> dict[str, Path]:
    """Build every size in its own folder; returns each size's folder by label."""
    print("\n## Build: `etl build` by answer rows\n")
    print("DuckDB's own read of the same answers (group by respondent and item) is the baseline of")
    print("each row; *rows/s* is answer rows per second of the whole build, checks included.\n")
    print("| data | answer rows | units | build wall s | build CPU s | rows/s (wall) | rows/s (CPU) "
          "| peak MiB | DuckDB read CPU s | build / read |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    plans = [(f"demo {m:g}M", ["--scale", f"{m * 1e6 / ROWS_AT_SCALE_1:.4f}"]) for m in sizes]
    if national:
        plans.append(("national", ["--national"]))
    built: dict[str, Path] = {}
    for label, demo_args in plans:
        work = tmp / label.replace(" ", "-")
        env = env_for(work)
        progress(f"{label}: demo data …")
        measured([sys.executable, "-m", "etl", "demo", *demo_args, "--no-build"], env)
        answers = work / "demo" / "answers.parquet"
        rows, units = duckdb.sql(
            f"select count(*), count(distinct enhet_id) from read_parquet('{answers}')"
        ).fetchall()[0]
        progress(f"{label}: DuckDB read of {rows:,} rows …")
        read = in_child(
            "import duckdb, sys; duckdb.sql(\"select count(*) from (select runde, enhet_id, "
            "respondentgruppe, respondent_id, sporsmal_id, avg(svar) from read_parquet('"
            f"{answers}') group by all)\").fetchall()",
            env,
        )
        progress(f"{label}: build …")
        build = measured([sys.executable, "-m", "etl", "build", "--quiet"], env)
        print(
            f"| {label} | {rows:,} | {units:,} | {build.wall:.1f} | {build.cpu:.1f} "
            f"| {rows / build.wall:,.0f} | {rows / build.cpu:,.0f} | {build.peak_mib:,.0f} "
            f"| {read.cpu:.1f} | {build.cpu / read.cpu:.0f}× |"
        )
        built[label] = work
    return built


def _median_ms(fn, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.process_time()
        fn()
        samples.append((time.process_time() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def bench_apps(work: Path, repeat: int) -> None:
    """One leader's question: every municipality's mean per indicator for one round and group.
    The product reads its mart; a cached-pandas app holds the answers in memory and groups them
    per interaction; a naive pandas app reads the file and groups it every time."""
    import pandas as pd

    env = env_for(work)
    answers = work / "demo" / "answers.parquet"
    con = duckdb.connect(str(Path(env["KL_WAREHOUSE"]).resolve()), read_only=True)
    runde = con.execute("select max(runde) from stg_runde where runde not like '%-%'").fetchone()[0]
    items = con.execute("select sporsmal_id, respondentgruppe, indikator from stg_sporsmal").df()
    units = con.execute("select enhet_id, kommunenummer from stg_enhet").df()
    con.close()
    group = "elev_5_10"

    public = duckdb.connect(str(Path(env["KL_WAREHOUSE"]).resolve()), read_only=True)

    def product():  # uncached, as on a page's first view
        return public.sql(
            "select niva_id, indikator, antall_svar, snitt, standardavvik from mart_indikator "
            "where niva = 'kommune' and respondentgruppe = ? and gruppering = 'alle' and runde = ?",
            params=[group, runde],
        ).pl()

    def from_frame(frame: pd.DataFrame) -> pd.DataFrame:
        rows = frame[(frame["runde"] == runde) & (frame["respondentgruppe"] == group)]
        rows = rows.merge(items, on=["sporsmal_id", "respondentgruppe"]).merge(units, on="enhet_id")
        per_respondent = rows.groupby(["kommunenummer", "enhet_id", "respondent_id", "indikator"])["svar"].mean()
        return per_respondent.groupby(["kommunenummer", "indikator"]).agg(["count", "mean", "std"])

    progress("apps: pandas reads the answers once …")
    started = time.process_time()
    cached = pd.read_parquet(answers)
    load_ms = (time.process_time() - started) * 1000

    results = {
        "product (mart query)": _median_ms(product, repeat),
        "cached pandas (answers in memory)": _median_ms(lambda: from_frame(cached), repeat),
        "naive pandas (read file, group)": _median_ms(lambda: from_frame(pd.read_parquet(answers)), max(3, repeat // 3)),
    }
    base = results["product (mart query)"][0]
    print(f"\n## One question, three apps (CPU ms per interaction; {len(cached):,} answer rows)\n")
    print(f"The cached app also pays {load_ms:,.0f} ms CPU and {cached.memory_usage(deep=True).sum() / 2**20:,.0f} "
          "MiB once per server process to hold the answers; it shows unsuppressed cells.\n")
    print("| app | median ms | p95 ms | × product |")
    print("|---|---:|---:|---:|")
    for name, (median, p95) in results.items():
        print(f"| {name} | {median:.1f} | {p95:.1f} | {median / base:.0f}× |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 10], help="millions of answer rows")
    parser.add_argument("--nasjonal", action="store_true", help="also the national demo (about 55 M rows)")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kl-bench-") as tmp:
        built = bench_builds(args.sizes, args.nasjonal, Path(tmp))
        bench_apps(largest_demo(built), args.repeat)


def largest_demo(built: dict[str, Path]) -> Path:
    """The pandas apps run on the largest demo: holding the national answers would take ~20 GiB."""
    return [work for label, work in built.items() if label != "national"][-1]


if __name__ == "__main__":
    main()

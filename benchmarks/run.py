"""Benchmarks: build time and memory by data size, mart lookups against raw group-bys, and the
server time of each page. Prints tables; every number is compared with a baseline measured in
the same run, since this machine is noisy (ratios, not absolute times).

    python -m benchmarks.run [--scales 1 6] [--repeat 15] [--skip-build]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks import pages
from etl.warehouse import private_file

ROOT = Path(__file__).resolve().parent.parent
TMP_PREFIX = "kl-bench-"
STARTED = time.perf_counter()


def progress(message: str) -> None:
    """A line on standard error per step, so a long run shows where it is (tables go to stdout)."""
    print(f"[{time.perf_counter() - STARTED:6.0f} s] {message}", file=sys.stderr, flush=True)


GEO = Path(os.environ.get("KL_TEST_GEO") or ROOT.parent / "shared" / "geo")


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        KL_WAREHOUSE=str(tmp / "wh.duckdb"), KL_DEMO_DIR=str(tmp / "demo"),
        KL_CACHE_DIR=str(tmp / "cache"), KL_IMPORT_DIR=str(tmp / "imports"),
    )
    if (GEO / "kommuner-2024-S.geojson").exists():
        env["KL_GEOJSON"] = str(GEO / "kommuner-2024-S.geojson")
        env["KL_FYLKE_GEOJSON"] = str(GEO / "fylker-2024-S.geojson")
    return env


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of a child process."""
    probe = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "r = subprocess.run(sys.argv[1:]); "
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024); "
        "sys.exit(r.returncode)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *cmd], env=env, cwd=ROOT, check=True,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    seconds, mib = out.stdout.split()[-2:]
    return float(seconds), float(mib)


def bench_build(scales: list[float], tmp: Path) -> Path:
    print("\n## Build: demo data and warehouse by scale\n")
    print("| scale | answer rows | demo s | build s | peak memory MiB | build s per million answers |")
    print("|---:|---:|---:|---:|---:|---:|")
    base_rate = None
    for scale in scales:
        work = tmp / f"scale-{scale}"
        env = _env(work)
        progress(f"scale {scale:g}: demo data …")
        demo_s, _ = _timed([sys.executable, "-m", "etl", "demo", "--scale", str(scale), "--no-build"], env)
        progress(f"scale {scale:g}: build …")
        build_s, mib = _timed([sys.executable, "-m", "etl", "build", "--quiet"], env)
        con = duckdb.connect(str(private_file(Path(env["KL_WAREHOUSE"]))), read_only=True)
        rows = con.execute("select count(*) from privat.stg_svar").fetchone()[0]
        con.close()
        rate = build_s / (rows / 1e6)
        base_rate = base_rate or rate
        print(f"| {scale:g} | {rows:,} | {demo_s:.1f} | {build_s:.1f} | {mib:.0f} | {rate:.2f} ({rate / base_rate:.2f}×) |")
    return tmp / f"scale-{scales[0]}" / "wh.duckdb"


QUESTIONS = {
    # name: (mart query, the same question answered from raw answers)
    "municipality x indicator, one round": (
        """select niva_id, indikator, skaar from mart_indikator
           where niva = 'kommune' and respondentgruppe = 'elev_5_10' and gruppering = 'alle'
             and runde = (select max(runde) from stg_runde where runde not like '%-%')""",
        """select e.kommunenummer, q.indikator, avg(s.svar)
           from stg_svar s join stg_enhet e using (enhet_id) join stg_sporsmal q using (sporsmal_id)
           where s.respondentgruppe = 'elev_5_10'
             and s.runde = (select max(runde) from stg_runde where runde not like '%-%')
           group by all""",
    ),
    "one unit, all rounds": (
        """select runde, indikator, skaar from mart_indikator
           where niva = 'enhet' and niva_id = (select min(enhet_id) from stg_enhet where enhetstype = 'skole')
             and gruppering = 'alle'""",
        """select runde, q.indikator, avg(svar) from stg_svar s join stg_sporsmal q using (sporsmal_id)
           where enhet_id = (select min(enhet_id) from stg_enhet where enhetstype = 'skole') group by all""",
    ),
}


def bench_queries(warehouse: Path, repeat: int) -> None:
    print(f"\n## Queries: mart against raw answers (median of {repeat})\n")
    print("| question | mart ms | raw ms | raw / mart |")
    print("|---|---:|---:|---:|")
    # the private twin holds the marts and, in the schema `privat`, the raw answers
    con = duckdb.connect(str(private_file(warehouse)), read_only=True)
    con.execute("set search_path = 'main,privat'")
    for name, (mart, raw) in QUESTIONS.items():
        progress(f"query: {name} …")
        times = {}
        for label, sql in (("mart", mart), ("raw", raw)):
            samples = []
            for _ in range(repeat):
                t = time.perf_counter()
                con.execute(sql).fetchall()
                samples.append((time.perf_counter() - t) * 1000)
            times[label] = statistics.median(samples)
        print(f"| {name} | {times['mart']:.1f} | {times['raw']:.1f} | {times['raw'] / times['mart']:.0f}× |")
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 6])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    # Stopped with Ctrl-C or `kill`: the children get the same signal, and the folder goes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    for stale in Path(tempfile.gettempdir()).glob(TMP_PREFIX + "*"):  # left by a kill -9
        if stale.is_dir() and not _alive(stale):
            shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-"))
    try:
        warehouse = bench_build(args.scales, tmp)
        bench_queries(warehouse, args.repeat)
        progress("pages …")
        pages.bench(warehouse, max(3, args.repeat // 3))
        progress("done")
    except KeyboardInterrupt:
        progress("stopped")
        sys.exit(130)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _alive(folder: Path) -> bool:
    """Whether the run that made a kl-bench-<pid>-* folder is still going."""
    try:
        os.kill(int(folder.name.removeprefix(TMP_PREFIX).split("-")[0]), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


if __name__ == "__main__":
    main()

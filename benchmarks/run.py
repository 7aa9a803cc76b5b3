"""`make bench`: whole builds at about 1 and 10 million answer rows (and the national demo with
--nasjonal), one question answered by the mart and by pandas apps, mart lookups against raw
group-bys, and the server CPU and bytes of every page interaction. Prints tables; every number is
compared with a baseline measured in the same run, since this machine is noisy (ratios and CPU
time, not wall-clock alone).

    python -m benchmarks.run [--sizes 1 10] [--nasjonal] [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks import build, pages
from etl.warehouse import private_file

ROOT = Path(__file__).resolve().parent.parent
TMP_PREFIX = "kl-bench-"
STARTED = time.perf_counter()


def progress(message: str) -> None:
    """A line on standard error per step, so a long run shows where it is (tables go to stdout)."""
    print(f"[{time.perf_counter() - STARTED:6.0f} s] {message}", file=sys.stderr, flush=True)


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
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 10], help="millions of answer rows")
    parser.add_argument("--nasjonal", action="store_true", help="also the national demo (about 55 M rows)")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    # Stopped with Ctrl-C or `kill`: the children get the same signal, and the folder goes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    for stale in Path(tempfile.gettempdir()).glob(TMP_PREFIX + "*"):  # left by a kill -9
        if stale.is_dir() and not _alive(stale):
            shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-"))
    try:
        built = build.bench_builds(args.sizes, args.nasjonal, tmp)
        build.bench_apps(build.largest_demo(built), args.repeat)
        warehouse = list(built.values())[-1] / "wh.duckdb"  # the largest build: national if asked
        bench_queries(warehouse, args.repeat)
        progress("pages …")
        pages.bench(warehouse.resolve(), max(3, args.repeat // 3))
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

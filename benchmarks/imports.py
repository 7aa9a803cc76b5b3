"""Import speed: a large answers CSV read, checked and kept as Parquet, in a child process.

    python -m benchmarks.imports [--rows 1000000 10000000] [--full 1000000]

The files are synthetic (deterministic, in a temporary folder, units named BENCH-SYNTETISK-…):
answers in long form, Windows-1252 with `;` as real Norwegian exports often are. `check` is
`etl.imports.check` plus writing the kept Parquet file (everything `etl import` does before the
rebuild); `--full` also times the whole `python -m etl import answers` including the rebuild.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from benchmarks.run import ROOT, _env, _timed

UNITS = 200
PROBE = """
import sys, time
from pathlib import Path
from etl import imports
from etl.imports import store
path = Path(sys.argv[1])
started = time.perf_counter()
checked = imports.check("answers", path, imports.reference_units())
store._write_parquet(checked.frame, path.with_suffix(".parquet"))
print(checked.frame.height, time.perf_counter() - started)
"""


def write_files(folder: Path, rows: int) -> tuple[Path, Path]:
    from etl import instruments

    items = instruments.survey_frames()["sporsmal"].filter(
        pl.col("respondentgruppe") == "elev_5_10"
    )["sporsmal_id"]
    units = pl.DataFrame(
        {
            "enhet_id": [f"BENCH-SYNTETISK-{i:03d}" for i in range(UNITS)],
            "enhet_navn": [f"Syntetisk skole {i} (benchmark)" for i in range(UNITS)],
            "enhetstype": "skole",
            "kommunenummer": "3303",
        }
    )
    units_csv = folder / "enheter.csv"
    units.write_csv(units_csv)
    n_items = items.len()
    index = pl.int_range(rows, eager=True, dtype=pl.Int64)
    respondent = index // n_items
    answers = pl.DataFrame(
        {
            "runde": pl.Series(["2024-høst"] * rows),
            "enhet_id": "BENCH-SYNTETISK-" + (respondent % UNITS).cast(pl.Utf8).str.zfill(3),
            "respondentgruppe": "elev_5_10",
            "respondent_id": "R" + respondent.cast(pl.Utf8),
            "sporsmål_id": items.gather(index % n_items),
            "svar": ((index * 7919) % 5 + 1).cast(pl.Utf8),
            "trinn": (respondent % 6 + 5).cast(pl.Utf8),
            "kjønn": pl.Series(["jente", "gutt"]).gather(respondent % 2),
        }
    )
    answers_csv = folder / f"svar_{rows}.csv"
    text = answers.write_csv(separator=";")
    answers_csv.write_bytes(text.encode("cp1252"))
    return units_csv, answers_csv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, nargs="+", default=[1e6, 1e7])
    parser.add_argument("--full", type=float, nargs="*", default=[1e6])
    args = parser.parse_args()
    print("\n## Import av svar (CSV, Windows-1252, semikolon)\n")
    print("| rader | fil MiB | hva | s | rader/s | topp minne MiB |")
    print("|---:|---:|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="kl-bench-import-") as tmp_name:
        tmp = Path(tmp_name)
        env = _env(tmp)
        for rows in sorted({int(r) for r in [*args.rows, *args.full]}):
            folder = tmp / f"rows-{rows}"
            folder.mkdir()
            units_csv, answers_csv = write_files(folder, rows)
            subprocess.run(
                [sys.executable, "-m", "etl", "import", "units", str(units_csv)],
                env=env, cwd=ROOT, check=True, capture_output=True,
            )
            mib = answers_csv.stat().st_size / 2**20
            runs = []
            if rows in {int(r) for r in args.rows}:
                runs.append(("check + Parquet", [sys.executable, "-c", PROBE, str(answers_csv)]))
            if rows in {int(r) for r in args.full}:
                cmd = [sys.executable, "-m", "etl", "import", "answers", str(answers_csv)]
                runs.append(("hele `etl import` (med bygging)", cmd))
            for label, cmd in runs:
                started = time.perf_counter()
                seconds, peak = _timed(cmd, env)
                seconds = seconds or time.perf_counter() - started
                print(
                    f"| {rows:,} | {mib:,.0f} | {label} | {seconds:.1f} | "
                    f"{rows / seconds:,.0f} | {peak:,.0f} |".replace(",", " ")
                )


if __name__ == "__main__":
    main()

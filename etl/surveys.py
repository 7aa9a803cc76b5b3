"""Survey and competence-mapping sources for the build: instruments, kept imports and demo data.

Every kind arrives as the normalised frame of docs/survey-data.md; demo rows say syntetisk=true.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import polars as pl

from etl import config, imports, instruments
from etl.errors import Collector, InputError, Problem

NORM_COLUMNS = ("respondentgruppe", "indikator", "snitt", "standardavvik", "kilde")
KINDS = ("units", "answers", "results", "mapping")
SOURCE_NAMES = {
    "units": "src_enheter",
    "answers": "src_svar",
    "results": "src_resultater",
    "mapping": "src_kartlegging",
}


def demo_files() -> dict[str, Path]:
    folder = config.demo_dir()
    return {kind: folder / f"{kind}.parquet" for kind in KINDS if (folder / f"{kind}.parquet").exists()}


def normer_csv() -> Path:
    """The declared norm for the 500-scale (KL_NORMER, default data/normer.csv; optional)."""
    return Path(os.environ.get("KL_NORMER") or config.DATA_DIR / "normer.csv")


def _read_normer(groups: set[str], indicators: set[str]) -> pl.DataFrame:
    """respondentgruppe, indikator, snitt, standardavvik (item scale, > 0), kilde (the norm's name)."""
    schema = dict.fromkeys(NORM_COLUMNS, pl.Utf8)
    path = normer_csv()
    if not path.exists():
        if os.environ.get("KL_NORMER"):
            raise FileNotFoundError(f"fant ikke normfilen {path} (KL_NORMER)")
        return pl.DataFrame(schema=schema | {"snitt": pl.Float64, "standardavvik": pl.Float64})
    problems = Collector()
    try:
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except pl.exceptions.PolarsError as exc:
        problems.add(path, None, None, "en fil som ikke kan leses som CSV", "CSV med komma og overskriftsrad")
        problems.raise_if_any()
        raise AssertionError from exc
    missing = [c for c in NORM_COLUMNS if c not in frame.columns]
    if missing:
        problems.add(path, 1, ", ".join(missing), ", ".join(frame.columns), "kolonnene " + ", ".join(NORM_COLUMNS))
        problems.raise_if_any()
    seen: set[tuple[str, str]] = set()
    for number, row in enumerate(frame.select(NORM_COLUMNS).iter_rows(named=True), start=2):
        if row["respondentgruppe"] not in groups:
            problems.add(path, number, "respondentgruppe", row["respondentgruppe"], "en av " + ", ".join(sorted(groups)))
        if row["indikator"] not in indicators:
            problems.add(path, number, "indikator", row["indikator"], "en av " + ", ".join(sorted(indicators)))
        for col in ("snitt", "standardavvik"):
            try:
                value = float((row[col] or "").replace(",", "."))
            except ValueError:
                value = float("nan")
            if math.isnan(value) or (col == "standardavvik" and value <= 0):
                problems.add(path, number, col, row[col], "et tall" + (" større enn 0" if col == "standardavvik" else ""))
        if not (row["kilde"] or "").strip():
            problems.add(path, number, "kilde", row["kilde"], "navnet på normen (hvor tallene kommer fra)")
        key = (row["respondentgruppe"], row["indikator"])
        if key in seen:
            problems.add(path, number, "respondentgruppe, indikator", " / ".join(map(str, key)), "én rad per gruppe og indikator")
        seen.add(key)
    problems.raise_if_any()
    return frame.select(
        "respondentgruppe", "indikator",
        *(pl.col(c).str.replace(",", ".").cast(pl.Float64) for c in ("snitt", "standardavvik")),
        pl.col("kilde").str.strip_chars(),
    )


# Answers and mapping rows can number tens of millions: the build reads them with DuckDB straight
# from Parquet (the demo's files and each kept import's normalised file), never through Polars.
STREAMED = {"answers": "src_svar", "mapping": "src_kartlegging"}


def sources() -> dict[str, pl.DataFrame | list[Path]]:
    """What to register before the SQL of the build runs: frames, or Parquet files to stream."""
    frames: dict[str, pl.DataFrame | list[Path]] = {}
    survey = instruments.survey_frames()
    mapping = instruments.mapping_frames()
    frames |= {f"src_{name}": frame for name, frame in survey.items()}
    frames |= {f"src_{name}": frame for name, frame in mapping.items()}
    frames["src_norm"] = _read_normer(
        set(survey["respondentgruppe"]["respondentgruppe"]), set(survey["indikator"]["indikator"])
    )

    imported = imports.load_all(streamed=tuple(STREAMED))
    demo = demo_files()
    for kind in KINDS:
        if kind in STREAMED:
            frames[STREAMED[kind]] = [*([demo[kind]] if kind in demo else []), *imports.parquet_files(kind)]
            continue
        parts = [imported[kind]]
        if kind in demo:
            parts.append(pl.read_parquet(demo[kind]).cast({"syntetisk": pl.Boolean}))
        frame = pl.concat(
            [p.with_columns(pl.col(pl.Categorical).cast(pl.Utf8)) for p in parts], how="diagonal_relaxed"
        )
        if kind == "results" and "referanse" not in frame.columns:
            frame = frame.with_columns(referanse=pl.lit(None, pl.Utf8))  # the norm the scores are on
        frames[SOURCE_NAMES[kind]] = frame
    return frames


def refuse_overlap(con, name: str, listing: str) -> None:
    """Two streamed files may not hold the same round and unit (or municipality): rows would
    count twice. A cheap check (one small group-by) instead of comparing every row."""
    owner = "enhet_id" if name == "src_svar" else "coalesce(enhet_id, kommunenummer)"
    rows = con.execute(
        f"select runde, {owner}, list(distinct filename order by filename) "
        f"from read_parquet([{listing}], union_by_name = true, filename = true) "
        f"group by all having count(distinct filename) > 1 order by all limit 20"
    ).fetchall()
    if rows:
        raise InputError([
            Problem(Path(files[-1]).name.removesuffix(".parquet"), None, "runde + enhet",
                    f"{runde} / {owner_id}",
                    "én fil per runde og enhet – den står også i "
                    + ", ".join(Path(f).name.removesuffix(".parquet") for f in files[:-1])
                    + "; fjern den gamle filen fra data/imports/ hvis denne erstatter den")
            for runde, owner_id, files in rows
        ])


def input_files() -> list[Path]:
    """Every file the survey part of a build depends on (for the build checksum)."""
    files = list(demo_files().values()) + [p for kind in KINDS for p in imports.kept_files(kind)]
    files += sorted(instruments.INSTRUMENT_DIR.glob("*.yaml"))
    if normer_csv().exists():
        files.append(normer_csv())
    return files


def run(con) -> list[str]:
    """Build step (after int_indikator.sql): say which reference each group's scores are on."""
    rows = con.execute(
        "select referanse, count(*), list(distinct respondentgruppe order by respondentgruppe) "
        "from mart_referanse group by referanse order by referanse"
    ).fetchall()
    return [f"500-skalaen: {ref} for {n} indikator(er) i {', '.join(groups)}" for ref, n, groups in rows]

"""Survey and competence-mapping sources for the build: instruments, kept imports and demo data.

Every kind arrives as the normalised frame of docs/survey-data.md; demo rows say syntetisk=true.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from etl import config, imports, instruments

NORMER_CSV = config.DATA_DIR / "normer.csv"
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


def _read_normer() -> pl.DataFrame:
    schema = {"respondentgruppe": pl.Utf8, "indikator": pl.Utf8, "snitt": pl.Float64, "standardavvik": pl.Float64}
    if not NORMER_CSV.exists():
        return pl.DataFrame(schema=schema)
    return pl.read_csv(NORMER_CSV, schema_overrides=schema).select(list(schema))


def sources() -> dict[str, pl.DataFrame]:
    """Frames to register as src_* before the SQL of the build runs."""
    frames: dict[str, pl.DataFrame] = {}
    survey = instruments.survey_frames()
    mapping = instruments.mapping_frames()
    frames |= {f"src_{name}": frame for name, frame in survey.items()}
    frames |= {f"src_{name}": frame for name, frame in mapping.items()}
    frames["src_norm"] = _read_normer()

    imported = imports.load_all()
    demo = demo_files()
    for kind in KINDS:
        parts = [imported[kind]]
        if kind in demo:
            parts.append(pl.read_parquet(demo[kind]).cast({"syntetisk": pl.Boolean}))
        frames[SOURCE_NAMES[kind]] = pl.concat(
            [p.with_columns(pl.col(pl.Categorical).cast(pl.Utf8)) for p in parts], how="diagonal_relaxed"
        )
    return frames


def input_files() -> list[Path]:
    """Every file the survey part of a build depends on (for the build checksum)."""
    files = list(demo_files().values()) + [p for kind in KINDS for p in imports.kept_files(kind)]
    files += sorted(instruments.INSTRUMENT_DIR.glob("*.yaml"))
    if NORMER_CSV.exists():
        files.append(NORMER_CSV)
    return files

"""One file, read and checked as a whole, into the normalised frame of docs/survey-data.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from etl.imports import checks, references
from etl.imports.columns import SCHEMAS, Municipalities, check_kind, fields
from etl.imports.reading import file_problem, read_bytes, read_raw


@dataclass
class Checked:
    """A validated file: its normalised frame and what the user should know about it."""

    kind: str
    fil: str
    frame: pl.DataFrame
    rows_read: int
    format: str
    notes: list[str] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)  # the row each frame row came from


def check(
    kind: str, path: Path, known_units: pl.DataFrame | None = None, data: bytes | None = None
) -> Checked:
    """Read and validate a whole file; raise InputError listing every problem.

    Answers, results and mapping check their units against `known_units` (columns `enhet_id`,
    `kommunenummer`, `enhetstype`), which they need.
    """
    check_kind(kind)
    fil = str(path)
    if data is None:
        data = read_bytes(path)
    report = checks.Report(fil)
    raw = read_raw(fil, data, path.suffix.lower())
    kommuner = Municipalities.load()
    specs = fields(kind, kommuner)
    positions = checks.find_columns(raw, specs, report)
    if (
        kind == "results"
        and positions is not None
        and not {"enhet_id", "kommunenummer"} & set(positions)
    ):
        report.add(
            1,
            "enhet_id",
            "(mangler)",
            "kolonnen «enhet_id» eller «kommunenummer» (minst én av dem)",
        )
        positions = None
    if positions is None:
        report.raise_if_any()
    if not raw.rows:
        raise file_problem(fil, "bare overskriftsraden", "minst én datarad under overskriftsraden")
    frame = checks.parse_fields(checks.cells(raw, positions, report), specs, report)
    if kind != "units":
        if known_units is None:
            raise ValueError(f"{kind} needs the known units")
        cross_checks = {
            "answers": references.check_answers,
            "results": references.check_results,
            "mapping": references.check_mapping,
        }
        frame = cross_checks[kind](report, frame, known_units)
    checks.check_duplicates(report, frame, kind)
    checks.check_respondents(report, frame, kind)
    report.raise_if_any()
    references.note_splits(report, frame, kommuner)
    if kind == "results":
        frame = references.merge_renumbered(frame, report)
    normalised = normalise(kind, frame)
    return Checked(
        kind, fil, normalised, len(raw.rows), raw.format, report.notes, frame["_rad"].to_list()
    )


def normalise(kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    if kind == "units":
        frame = frame.with_columns(kommunenummer_kilde=pl.col("_tekst_kommunenummer"))
    return frame.with_columns(syntetisk=pl.lit(False)).select(
        pl.col(name).cast(dtype) for name, dtype in SCHEMAS[kind].items()
    )



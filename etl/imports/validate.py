"""One file, read and checked as a whole, into the normalised frame of docs/survey-data.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from etl import limits
from etl.imports import checks, references
from etl.imports.columns import (
    NORM,
    SCHEMAS,
    Municipalities,
    Options,
    check_kind,
    fields,
    fold_header,
    header_names,
)
from etl.imports.reading import file_problem, read_bytes, read_raw

# Columns of a kept import's Parquet file beside the contract's frame: the row each came from
# and the file's columns we do not use (JSON), so nothing in the file is lost.
KEPT_COLUMNS = {"_rad": pl.Int64, "ekstra": pl.Utf8}


@dataclass
class Checked:
    """A validated file: its normalised frame and what the user should know about it.

    `frame` has the contract's columns plus `_rad` (the file's row) and `ekstra`.
    """

    kind: str
    fil: str
    frame: pl.DataFrame
    rows_read: int
    format: str
    notes: list[str] = field(default_factory=list)

    @property
    def contract(self) -> pl.DataFrame:
        return self.frame.select(list(SCHEMAS[self.kind]))

    @property
    def row_numbers(self) -> pl.Series:
        return self.frame["_rad"]


def check(
    kind: str,
    path: Path,
    known_units: pl.DataFrame | None = None,
    data: bytes | None = None,
    options: Options | None = None,
) -> Checked:
    """Read and validate a whole file; raise InputError listing every problem.

    Answers, results and mapping check their units against `known_units` (columns `enhet_id`,
    `kommunenummer`, `enhetstype`), which they need.
    """
    check_kind(kind)
    options = options or Options()
    fil = str(path)
    if data is None:
        data = read_bytes(path)
    kommuner = Municipalities.load()
    specs = fields(kind, kommuner)
    names = header_names(specs, options.kolonner)
    deadline = limits.Deadline(fil)  # the whole check of one file, not only its parsing
    raw = read_raw(fil, data, path.suffix.lower(), lambda row: _known_names(row, names), deadline)
    report = checks.Report(raw.where, raw.header_row)
    columns = checks.find_columns(raw, specs, names, report)
    if (
        kind == "results"
        and columns is not None
        and not {"enhet_id", "kommunenummer"} & set(columns.positions)
    ):
        report.add(
            raw.header_row,
            "enhet_id",
            "(mangler)",
            "kolonnen «enhet_id» eller «kommunenummer» (minst én av dem)",
        )
        columns = None
    if (
        kind == "results"
        and columns is not None
        and "norm" not in columns.positions
        and not options.norm
    ):
        report.add(raw.header_row, "norm", "(mangler)", "kolonnen «norm» eller " + NORM)
        columns = None
    if columns is None:
        report.raise_if_any()
    if not raw.rows:
        raise file_problem(
            raw.where, "bare overskriftsraden", "minst én datarad under overskriftsraden"
        )
    text = checks.cells(raw, columns, report)
    checks.check_lengths(text, specs, report)
    deadline.check()
    if kind == "results" and options.norm:
        text = text.with_columns(
            norm=pl.coalesce(pl.col("norm"), pl.lit(options.norm))
            if "norm" in text.columns
            else pl.lit(options.norm)
        )
    frame = checks.parse_fields(text, specs, report)
    frame = frame.with_columns(text["ekstra"])
    if kind == "results":
        frame = frame.rename({"norm": "referanse"})
    if kind != "units":
        if known_units is None:
            raise ValueError(f"{kind} needs the known units")
        cross_checks = {
            "answers": references.check_answers,
            "results": references.check_results,
            "mapping": references.check_mapping,
        }
        frame = cross_checks[kind](report, frame, known_units)
    deadline.check()
    checks.check_duplicates(report, frame, kind)
    checks.check_respondents(report, frame, kind)
    report.raise_if_any()
    deadline.check()
    references.note_splits(report, frame, kommuner)
    if kind == "results":
        frame = references.merge_renumbered(frame, report)
    if columns.extra:
        report.notes.append(
            "Kolonner som ikke brukes, er tatt vare på i importen (kolonnen «ekstra»): "
            + ", ".join(columns.extra)
        )
    return Checked(kind, fil, normalise(kind, frame), raw.rows, raw.format, report.notes)


def _known_names(row: list[str], names: dict[str, str]) -> int:
    """How many different columns of ours a row names (to find the header row)."""
    return len({names[f] for f in map(fold_header, row) if f in names})


def normalise(kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    if kind == "units":
        frame = frame.with_columns(kommunenummer_kilde=pl.col("_tekst_kommunenummer"))
    columns = SCHEMAS[kind] | KEPT_COLUMNS
    return frame.with_columns(syntetisk=pl.lit(False)).select(
        pl.col(name).cast(dtype) for name, dtype in columns.items()
    )

"""CSV extracts for users: UTF-8 with BOM, `;` or `,`, decimal comma or point, safe in Excel."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from dashboard.tekster import t
from etl.csvsafe import DANGEROUS_START, neutralise, safe_frame

__all__ = ["DANGEROUS_START", "file_name", "neutralise", "to_csv"]


def to_csv(frame: pl.DataFrame, norwegian_excel: bool = True, header: list[str] | None = None) -> bytes:
    """The frame as CSV bytes. Norwegian Excel: `;` separator and decimal comma.

    header: lines written first, each as «# line» (title, filters, source, date, demo mark), so
    the file says what it is wherever it ends up; read it back with `comment="#"`."""
    frame = safe_frame(frame)  # the one neutralising step of every CSV (etl/csvsafe.py)
    if "syntetisk" in frame.columns:
        frame = frame.with_columns(
            pl.when(pl.col("syntetisk")).then(pl.lit(t("felles.demo_merke"))).otherwise(None).alias("datamerknad")
        )
    if norwegian_excel:
        text = frame.write_csv(separator=";", decimal_comma=True, float_precision=2)
    else:
        text = frame.write_csv(separator=",", float_precision=4)
    lines = "".join(f"# {neutralise(line.replace(chr(10), ' '))}\n" for line in header or [])
    return "\ufeff".encode() + (lines + text).encode("utf-8")


def file_name(table: str, filter_text: str, synthetic: bool, today: dt.date | None = None) -> str:
    """e.g. 'indikatorer_kongsbergregionen_DEMODATA_2026-11-22.csv' (ASCII-safe)."""
    today = today or dt.date.today()
    ascii_text = filter_text.translate(
        str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A"})  # ikke-tekst
    )
    # many filters make a long name: shorten the filter part, never the mark or the date
    filters = re.sub(r"[^A-Za-z0-9_.-]+", "-", ascii_text)[:80].rstrip("-_")
    parts = [table, filters] + (["DEMODATA"] if synthetic else []) + [today.isoformat()]
    return "_".join(p for p in parts if p) + ".csv"

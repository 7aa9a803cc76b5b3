"""The one formula-neutralising step every CSV the product writes goes through.

Both `python -m etl export` (etl/export.py) and the dashboard's downloads (dashboard/csvexport.py)
call `safe_frame`. It lives in the ETL package, which never imports Streamlit, so the command
line can use it too. A text cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
tab, carriage return first) gets a leading apostrophe; numbers stay numbers. Lists are joined
and categorical columns become text first, so no cell type escapes the check.
"""

from __future__ import annotations

import polars as pl

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_DANGEROUS_PATTERN = "^[" + "".join("\\" + c if c in "-" else c for c in DANGEROUS_START) + "]"


def neutralise(value: str | None) -> str | None:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if value and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def safe_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text-like column as text with dangerous cells neutralised; other columns untouched."""
    frame = frame.with_columns(
        pl.col(c).list.eval(pl.element().cast(pl.Utf8)).list.join(", ") if isinstance(t, pl.List)
        else pl.col(c).cast(pl.Utf8)
        for c, t in frame.schema.items()
        if isinstance(t, (pl.List, pl.Categorical, pl.Enum))
    )
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_DANGEROUS_PATTERN)).then("'" + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c, t in frame.schema.items() if t == pl.Utf8
    )

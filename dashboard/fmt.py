"""One place for Norwegian formatting of numbers, scores, years and dates."""

from __future__ import annotations

import datetime as dt
import math

NBSP = "\u00a0"  # thousands separator that never breaks a number across lines
IKKE_OPPGITT = "ikke oppgitt i kilden"
MONTHS = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"]


def tall(value: float | None, decimals: int = 0, empty: str = "–") -> str:
    """1234567.8 -> '1 234 567,8' (space as thousands separator, decimal comma)."""
    if value is None or math.isnan(value):
        return empty
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",")


def prosent(value: float | None, decimals: int = 0) -> str:
    return "–" if value is None else f"{tall(value * 100, decimals)}{NBSP}%"


def skaar(value: float | None) -> str:
    return tall(value, 0)


def endring(value: float | None, decimals: int = 0) -> str:
    if value is None or math.isnan(value):
        return "–"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return sign + tall(abs(value), decimals)


def periode(start: int | None, slutt: int | None) -> str:
    if start is None and slutt is None:
        return IKKE_OPPGITT
    return f"{start or '?'}–{slutt or '?'}"


def dato(value: dt.date | None) -> str:
    if value is None:
        return IKKE_OPPGITT
    return f"{value.day}. {MONTHS[value.month - 1]} {value.year}"


def liste(values: list[str] | None) -> str:
    return ", ".join(values) if values else IKKE_OPPGITT


def tall_kolonne(expr, decimals: int = 0, empty: str = "–", signed: bool = False):
    """A Polars expression showing numbers the Norwegian way, and «–» where there is none."""
    import polars as pl

    def show(value):
        if value is None:
            return empty
        return endring(value, decimals) if signed else tall(value, decimals)

    return expr.map_elements(show, return_dtype=pl.Utf8, skip_nulls=False)

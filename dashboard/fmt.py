"""One place for formatting numbers, scores, periods and dates in the language of the run."""

from __future__ import annotations

import datetime as dt
import math

from dashboard import tekster
from dashboard.tekster import t

NBSP = "\u00a0"  # thousands separator that never breaks a number across lines
MINUS = "\u2212"
DASH = "–"  # shown for a hidden or missing number


def tall(value: float | None, decimals: int = 0, empty: str = DASH) -> str:
    """1234567.8 -> '1 234 567,8' (nb, nn) or '1,234,567.8' (en)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return empty
    rounded = round(value, decimals)
    text = f"{abs(rounded):,.{decimals}f}"
    if tekster.lang() != "en":
        text = text.replace(",", NBSP).replace(".", ",")
    return (MINUS if rounded < 0 else "") + text


def skaar(value: float | None) -> str:
    return tall(value, 0)


def endring(value: float | None, decimals: int = 0) -> str:
    """A change with its sign: '+12', '−3', '0' (no sign on a change that rounds to zero)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    rounded = round(value, decimals)
    if rounded == 0:
        return tall(0, decimals)
    return ("+" if rounded > 0 else MINUS) + tall(abs(rounded), decimals)


def periode(start: int | None, slutt: int | None) -> str:
    if start is None and slutt is None:
        return t("felles.ikke_oppgitt")
    return f"{start or '?'}–{slutt or '?'}"


def dato(value: dt.date | None) -> str:
    if value is None:
        return t("felles.ikke_oppgitt")
    if tekster.lang() == "en":
        return f"{value.day} {t('felles.maaneder').split()[value.month - 1]} {value.year}"
    return f"{value.day}. {t('felles.maaneder').split()[value.month - 1]} {value.year}"


def liste(values: list[str] | None) -> str:
    return ", ".join(values) if values else t("felles.ikke_oppgitt")

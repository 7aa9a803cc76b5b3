"""One thin function per question the pages ask. SQL lives in sql/queries/; values are bound."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from dashboard.db import query

if TYPE_CHECKING:
    from dashboard.filters import Filters


@dataclass(frozen=True)
class FilterOptions:
    partnerskap: pl.DataFrame
    ordninger: pl.DataFrame
    fylker: pl.DataFrame


def filter_options() -> FilterOptions:
    return FilterOptions(
        partnerskap=query("filter_partnerskap"),
        ordninger=query("filter_ordninger"),
        fylker=query("filter_fylker"),
    )


def partnerships(f: Filters) -> pl.DataFrame:
    """One row per collaboration matching the filters, with every field of its record."""
    return query("partnerskap", **f.params())


def partnership_municipalities(f: Filters) -> pl.DataFrame:
    """One row per collaboration and municipality matching the filters."""
    return query("partnerskap_kommuner", **f.params())

"""Small page sections that more than one page uses."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

from dashboard import fmt, queries, tekster
from dashboard.filters import Filters


@dataclass(frozen=True)
class Indicators:
    navn: dict[str, str]
    beskrivelse: dict[str, str | None]
    hoyere_er_bedre: dict[str, bool]


def indicators_or_stop(f: Filters) -> Indicators:
    """The indicators of the chosen respondent group; without survey data, say so and stop."""
    katalog = queries.indicators(f.respondentgruppe) if f.respondentgruppe and f.runde else None
    if katalog is None or katalog.is_empty():
        st.info(tekster.INGEN_UNDERSOKELSE)
        st.stop()
    ids = katalog["indikator"].to_list()
    return Indicators(
        navn=dict(zip(ids, katalog["navn"])),
        beskrivelse=dict(zip(ids, katalog["beskrivelse"])),
        hoyere_er_bedre=dict(zip(ids, katalog["hoyere_er_bedre"])),
    )


def score_columns() -> list[pl.Expr]:
    """The columns every results table shows: answers, score, interval, change; «–» when hidden."""
    return [
        fmt.tall_kolonne(pl.col("antall_svar")).alias("Svar"),
        fmt.tall_kolonne(pl.col("skaar")).alias("Skår"),
        pl.when(pl.col("undertrykt")).then(pl.lit("–"))
        .otherwise(pl.format(
            "{}–{}", pl.col("ki_lav").round(0).cast(pl.Int64), pl.col("ki_hoy").round(0).cast(pl.Int64)
        ))
        .alias("95 % KI"),
        fmt.tall_kolonne(pl.col("endring"), signed=True).alias("Endring"),
        pl.when(pl.col("tydelig_endring")).then(pl.lit("Ja"))
        .when(pl.col("endring").is_not_null()).then(pl.lit("Nei")).otherwise(pl.lit("–"))
        .alias("Tydelig endring"),
    ]

"""Small page sections that more than one page uses."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard import queries, tekster
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

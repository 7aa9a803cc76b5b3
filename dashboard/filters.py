"""The global sidebar filters, bound to the URL so that a link reproduces the view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import streamlit as st

from dashboard import queries

FIRST_YEAR = 2017
KEYS = ("region", "ordning", "fylke", "periode")


@dataclass(frozen=True)
class Filters:
    partnerskap: tuple[str, ...] = ()
    ordninger: tuple[str, ...] = ()
    fylker: tuple[str, ...] = ()
    fra_ar: int = FIRST_YEAR
    til_ar: int = field(default_factory=lambda: last_year())

    @property
    def alle_perioder(self) -> bool:
        return (self.fra_ar, self.til_ar) == (FIRST_YEAR, last_year())

    def params(self) -> dict:
        return {
            "partnerskap": list(self.partnerskap),
            "ordninger": list(self.ordninger),
            "fylker": list(self.fylker),
            "fra_ar": self.fra_ar,
            "til_ar": self.til_ar,
            "alle_perioder": self.alle_perioder,
        }

    def describe(self) -> str:
        """Short text for file names and captions, e.g. 'kongsbergregionen_2021-2023'."""
        parts = list(self.partnerskap) + list(self.ordninger) + [f"fylke{f}" for f in self.fylker]
        if not self.alle_perioder:
            parts.append(f"{self.fra_ar}-{self.til_ar}")
        return "_".join(parts) or "alle"


def last_year() -> int:
    return max(dt.date.today().year + 1, 2026)


def sidebar() -> Filters:
    """Draw the filters in the sidebar; the entrypoint calls this once per run."""
    options = queries.filter_options()
    navn = dict(zip(options.partnerskap["partnerskap_id"], options.partnerskap["kortnavn"]))
    ordning = dict(zip(options.ordninger["ordning"], options.ordninger["kortnavn"]))
    fylke = dict(zip(options.fylker["fylkesnummer"], options.fylker["fylkesnavn_kort"]))
    with st.sidebar:
        st.markdown("### Filter")
        partnerskap = st.multiselect(
            "Region / samarbeid", list(navn), format_func=navn.get, key="region",
            bind="query-params", placeholder="Alle samarbeid",
        )
        ordninger = st.multiselect(
            "Tilskuddsordning", list(ordning), format_func=ordning.get, key="ordning",
            bind="query-params", placeholder="Alle ordninger",
        )
        fylker = st.multiselect(
            "Fylke", list(fylke), format_func=fylke.get, key="fylke",
            bind="query-params", placeholder="Alle fylker",
        )
        fra, til = st.slider(
            "Periode", FIRST_YEAR, last_year(), (FIRST_YEAR, last_year()), key="periode",
            bind="query-params",
        )
        st.button("Nullstill filtre", on_click=reset, icon=":material/restart_alt:", width="stretch")
    return Filters(tuple(partnerskap), tuple(ordninger), tuple(fylker), fra, til)


def reset() -> None:
    for key in ("region", "ordning", "fylke"):
        st.session_state[key] = []
    st.session_state["periode"] = (FIRST_YEAR, last_year())


def current() -> Filters:
    """The filters as the sidebar set them in this run (pages call this)."""
    return st.session_state.get("_filters", Filters())

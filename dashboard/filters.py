"""The global sidebar filters, bound to the URL so that a link reproduces the view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import streamlit as st

from dashboard import queries

FIRST_YEAR = 2017
ENHETSTYPER = {"barnehage": "Barnehage", "skole": "Skole", "sfo": "SFO", "ppt": "PPT"}


def last_year() -> int:
    return max(dt.date.today().year + 1, 2026)


@dataclass(frozen=True)
class Filters:
    partnerskap: tuple[str, ...] = ()
    ordninger: tuple[str, ...] = ()
    fylker: tuple[str, ...] = ()
    kommuner: tuple[str, ...] = ()
    fra_ar: int = FIRST_YEAR
    til_ar: int = field(default_factory=last_year)
    enhetstyper: tuple[str, ...] = ()
    respondentgruppe: str | None = None
    runde: str | None = None

    @property
    def alle_perioder(self) -> bool:
        return (self.fra_ar, self.til_ar) == (FIRST_YEAR, last_year())

    def params(self) -> dict:
        """Bound parameters for the partnership part of a query."""
        return {
            "partnerskap": list(self.partnerskap),
            "ordninger": list(self.ordninger),
            "fylker": list(self.fylker),
            "kommuner": list(self.kommuner),
            "fra_ar": self.fra_ar,
            "til_ar": self.til_ar,
            "alle_perioder": self.alle_perioder,
        }

    def survey_params(self) -> dict:
        return self.params() | {
            "enhetstyper": list(self.enhetstyper),
            "respondentgruppe": self.respondentgruppe,
            "runde": self.runde,
        }

    def describe(self) -> str:
        """Short text for file names, e.g. 'kongsbergregionen-alle-med_2021-2023'."""
        parts = [*self.partnerskap, *self.ordninger, *(f"fylke{f}" for f in self.fylker)]
        parts += [f"kommune{k}" for k in self.kommuner] + list(self.enhetstyper)
        if not self.alle_perioder:
            parts.append(f"{self.fra_ar}-{self.til_ar}")
        return "_".join(parts) or "alle"


def sidebar() -> Filters:
    """Draw the filters in the sidebar; the entrypoint calls this once per run."""
    o = queries.filter_options()
    navn = dict(zip(o.partnerskap["partnerskap_id"], o.partnerskap["kortnavn"]))
    ordning = dict(zip(o.ordninger["ordning"], o.ordninger["kortnavn"]))
    fylke = dict(zip(o.fylker["fylkesnummer"], o.fylker["fylkesnavn_kort"]))
    kommune = dict(zip(o.kommuner["kommunenummer"], o.kommuner["kommunenavn_kort"]))
    grupper = dict(zip(o.respondentgrupper["respondentgruppe"], o.respondentgrupper["navn"]))
    runder = o.runder["runde"].to_list()
    fullest = o.runder["antall_enheter"].arg_max() if runder else None
    # a value the warehouse no longer has (or None from a build without surveys) falls back to
    # the default, so a rebuilt warehouse shows its data in a running session
    for key, valid in (("gruppe", grupper), ("runde", runder)):
        if key in st.session_state and st.session_state[key] not in valid:
            del st.session_state[key]
    with st.sidebar:
        st.markdown("#### Samarbeid")
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
        kommuner = st.multiselect(
            "Kommune", list(kommune), format_func=kommune.get, key="kommune",
            bind="query-params", placeholder="Alle kommuner",
        )
        fra, til = st.slider(
            "Periode", FIRST_YEAR, last_year(), (FIRST_YEAR, last_year()), key="periode",
            bind="query-params",
        )
        st.markdown("#### Undersøkelsen")
        enhetstyper = st.multiselect(
            "Enhetstype", list(ENHETSTYPER), format_func=ENHETSTYPER.get, key="enhetstype",
            bind="query-params", placeholder="Alle enhetstyper",
        )
        gruppe = st.selectbox(
            "Respondentgruppe", list(grupper), format_func=grupper.get, key="gruppe",
            bind="query-params", index=0 if grupper else None, placeholder="Ingen data",
        )
        runde = st.selectbox(
            "Runde", runder, index=fullest, key="runde",
            bind="query-params", placeholder="Ingen data",
        )
        st.button("Nullstill filtre", on_click=reset, icon=":material/restart_alt:", width="stretch")
    return Filters(
        tuple(partnerskap), tuple(ordninger), tuple(fylker), tuple(kommuner), fra, til,
        tuple(enhetstyper), gruppe, runde,
    )


def reset() -> None:
    for key in ("region", "ordning", "fylke", "kommune", "enhetstype"):
        st.session_state[key] = []
    st.session_state["periode"] = (FIRST_YEAR, last_year())
    for key in ("gruppe", "runde"):
        st.session_state.pop(key, None)


def current() -> Filters:
    """The filters as the sidebar set them in this run (pages call this)."""
    return st.session_state.get("_filters", Filters())

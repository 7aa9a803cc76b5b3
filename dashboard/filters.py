"""The global sidebar: language and filters, bound to the URL so that a link reproduces the view.

Bound widgets put their *shown* option in the URL (`?region=Bodø`, `?niva=Kommuner`), so a link
carries its language too (`?lang=en`). A value in a link that matches no option is reported once
on the page instead of being dropped silently (`check_link`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import streamlit as st

from dashboard import queries, tekster
from dashboard.db import current_build
from dashboard.tekster import t

FIRST_YEAR = 2017
ENHETSTYPER = ("barnehage", "skole", "sfo", "ppt")
# each language named in itself, so a reader finds their own whatever the page shows now
LANG_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}  # ikke-tekst


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
        """Short ASCII-able text for file names, e.g. 'kongsbergregionen_2021-2023'."""
        parts = [*self.partnerskap, *self.ordninger, *(f"fylke{f}" for f in self.fylker)]
        parts += [f"kommune{k}" for k in self.kommuner] + list(self.enhetstyper)
        if not self.alle_perioder:
            parts.append(f"{self.fra_ar}-{self.til_ar}")
        return "_".join(parts) or "alle"


@dataclass(frozen=True)
class Names:
    """Labels of the filter options in this run's language."""

    partnerskap: dict[str, str]
    ordninger: dict[str, str]
    fylker: dict[str, str]
    kommuner: dict[str, str]
    grupper: dict[str, str]


def names() -> Names:
    """The option labels, built once per build and language (shared, read-only)."""
    return _names(current_build(), tekster.lang())


@lru_cache(maxsize=8)  # asked several times per run: a dict lookup, not Streamlit's hashing
def _names(build: str, lang: str) -> Names:
    o = queries.filter_options()
    return Names(
        partnerskap=dict(zip(o.partnerskap["partnerskap_id"], o.partnerskap["kortnavn"])),
        ordninger={k: tekster.kode("ordning", k, v) for k, v in zip(o.ordninger["ordning"], o.ordninger["kortnavn"])},
        fylker=dict(zip(o.fylker["fylkesnummer"], o.fylker["fylkesnavn_kort"])),
        kommuner=dict(zip(o.kommuner["kommunenummer"], o.kommuner["kommunenavn_kort"])),
        grupper={k: tekster.kode("respondentgruppe", k, v)
                 for k, v in zip(o.respondentgrupper["respondentgruppe"], o.respondentgrupper["navn"])},
    )


def selection_text(f: Filters, n: Names | None = None) -> str:
    """What the collaboration filters select, in words: 'Bodø, Hamarregionen · 2021–2023'."""
    n = n or names()
    parts = [", ".join(n.partnerskap.get(p, p) for p in f.partnerskap) or t("filter.alle_samarbeid")]
    if f.ordninger:
        parts.append(", ".join(n.ordninger.get(o, o) for o in f.ordninger))
    if f.fylker:
        parts.append(", ".join(n.fylker.get(x, x) for x in f.fylker))
    if f.kommuner:
        parts.append(", ".join(n.kommuner.get(k, k) for k in f.kommuner))
    if f.enhetstyper:
        parts.append(", ".join(tekster.kode("enhetstype", e) for e in f.enhetstyper))
    if not f.alle_perioder:
        parts.append(f"{f.fra_ar}–{f.til_ar}")
    return " · ".join(parts)


def filter_lines(f: Filters) -> list[str]:
    """The active filters as lines for a file header: 'Utvalg: …', 'Respondentgruppe: …'."""
    n = names()
    lines = [f"{t('filter.utvalg')}: {selection_text(f, n)}"]
    if f.respondentgruppe:
        lines.append(f"{t('filter.respondentgruppe')}: {n.grupper.get(f.respondentgruppe, f.respondentgruppe)}")
    if f.runde:
        lines.append(f"{t('filter.runde')}: {tekster.runde(f.runde)}")
    return lines


# --- the language -----------------------------------------------------------------------------


def choose_language() -> str:
    """Language from the sidebar, first taken from `?lang=` (kept in the URL unless bokmål)."""
    if "lang" not in st.session_state:
        wanted = st.query_params.get("lang", tekster.DEFAULT)
        st.session_state["lang"] = wanted if wanted in tekster.LANGS else tekster.DEFAULT
        if wanted not in tekster.LANGS:
            _remember_unknown("lang", [wanted])
    st.session_state["_lang"] = st.session_state["lang"]
    st.sidebar.segmented_control(
        t("filter.sprak"), tekster.LANGS, format_func=LANG_NAMES.get, key="lang", required=True,
        on_change=_language_changed,
    )
    lang = st.session_state["lang"]
    st.session_state["_lang"] = lang
    if lang == tekster.DEFAULT:
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = lang
    return lang


def _language_changed() -> None:
    st.session_state["_lang"] = st.session_state["lang"]


# --- links with values that match nothing -------------------------------------------------------


def _remember_unknown(key: str, values: list[str]) -> None:
    st.session_state.setdefault("_ukjent_i_lenke", {})[key] = values


def check_link(key: str, options: Iterable, format_func: Callable = str) -> None:
    """On the first run of a session, note values of `?key=` that match no shown option."""
    if st.session_state.get("_lenke_sjekket", set()) >= {key}:
        return
    st.session_state.setdefault("_lenke_sjekket", set()).add(key)
    given = st.query_params.get_all(key)
    shown = {str(format_func(o)) for o in options} | {str(o) for o in options}
    unknown = [v for v in given if v and v not in shown]
    if unknown:
        _remember_unknown(key, unknown)


def unknown_in_link() -> dict[str, list[str]]:
    return st.session_state.get("_ukjent_i_lenke", {})


# --- the filters --------------------------------------------------------------------------------


def _bound(widget: Callable, label: str, options: list, key: str, format_func: Callable = str, **kw):
    check_link(key, options, format_func)
    return widget(label, options, format_func=format_func, key=key, bind="query-params", **kw)


def sidebar() -> Filters:
    """Draw the filters in the sidebar; the entrypoint calls this once per run."""
    o = queries.filter_options()
    n = names()
    runder = o.runder["runde"].to_list()
    with_data = [r for r, units in zip(runder, o.runder["antall_enheter"]) if units]
    latest = runder.index(with_data[-1]) if with_data else (len(runder) - 1 if runder else None)
    # a value the warehouse no longer has (or None from a build without surveys) falls back to
    # the default, so a rebuilt warehouse shows its data in a running session
    for key, valid in (("gruppe", n.grupper), ("runde", runder)):
        if key in st.session_state and st.session_state[key] not in valid:
            del st.session_state[key]
    with st.sidebar:
        st.markdown(f"#### {t('filter.samarbeid')}")
        partnerskap = _bound(st.multiselect, t("filter.region"), list(n.partnerskap), "region",
                             n.partnerskap.get, placeholder=t("filter.alle_samarbeid"))
        ordninger = _bound(st.multiselect, t("filter.ordning"), list(n.ordninger), "ordning",
                           n.ordninger.get, placeholder=t("filter.alle_ordninger"))
        fylker = _bound(st.multiselect, t("filter.fylke"), list(n.fylker), "fylke", n.fylker.get,
                        placeholder=t("filter.alle_fylker"))
        kommuner = _bound(st.multiselect, t("filter.kommune"), list(n.kommuner), "kommune",
                          n.kommuner.get, placeholder=t("filter.alle_kommuner"))
        fra, til = st.slider(
            t("filter.periode"), FIRST_YEAR, last_year(), (FIRST_YEAR, last_year()), key="periode",
            bind="query-params",
        )
        st.markdown(f"#### {t('filter.undersokelsen')}")
        enhetstyper = _bound(st.multiselect, t("filter.enhetstype"), list(ENHETSTYPER), "enhetstype",
                             lambda e: tekster.kode("enhetstype", e), placeholder=t("filter.alle_enhetstyper"))
        gruppe = _bound(st.selectbox, t("filter.respondentgruppe"), list(n.grupper), "gruppe",
                        n.grupper.get, index=0 if n.grupper else None, placeholder=t("filter.ingen_data"))
        runde = _bound(st.selectbox, t("filter.runde"), runder, "runde", tekster.runde, index=latest,
                       placeholder=t("filter.ingen_data"))
        st.button(t("filter.nullstill"), on_click=reset, icon=":material/restart_alt:", width="stretch")
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

"""Presentasjon: a leader picks a place and the views of their talk, shows them one per screen
(arrow keys, `?present=1`), exports each drawing as PNG/SVG and downloads the region report."""

from __future__ import annotations

import streamlit as st
from streamlit_shortcuts import add_shortcuts

from dashboard import db, filters, komponenter, presentasjon, tekster
from dashboard.eksport import fil, innhold
from dashboard.tekster import t

f = filters.current()
n = filters.names()
present = presentasjon.aktiv()
labels = {v: t(f"presentasjon.visning_{v}") for v in innhold.VISNINGER}

with st.container(key="kl-oppsett"):
    komponenter.heading(t("presentasjon.tittel"))
    st.caption(t("presentasjon.ingress"))
    # a collaboration, or a municipality in one (named as such: Bodø is both)
    places = {p: n.partnerskap[p] for p in n.partnerskap} | {
        k: t("presentasjon.kommune_navn", navn=name) for k, name in n.kommuner.items()}
    if "sted" not in st.session_state and "sted" not in st.query_params and f.partnerskap:
        st.session_state["sted"] = f.partnerskap[0]
    filters.check_link("sted", list(places), places.get)
    left, right = st.columns([1, 2])
    sted = left.selectbox(t("presentasjon.sted"), list(places), format_func=places.get, key="sted",
                          bind="query-params")
    filters.check_link("vis", innhold.VISNINGER, labels.get)
    visninger = right.multiselect(t("presentasjon.visninger"), innhold.VISNINGER, default=list(innhold.VISNINGER),
                                  format_func=labels.get, key="vis", bind="query-params",
                                  placeholder=t("presentasjon.velg_visninger"))
    if "present" not in st.session_state:
        st.session_state["present"] = present  # `?present=1` in a link turns the toggle on
    # not bound: a bound toggle writes `present=true` and ignores `?present=1` in a written link
    st.toggle(t("presentasjon.modus"), key="present", on_change=presentasjon.sync_link,
              help=t("presentasjon.modus_hjelp"))

if sted is None:
    st.info(t("felles.ingen_treff"))
    st.stop()
niva = "partnerskap" if sted in n.partnerskap else "kommune"
rapport = presentasjon.rapport(niva, sted)
slides = presentasjon.sequence(rapport, visninger)
if not slides:
    st.info(t("presentasjon.ingen_visninger"))
    st.stop()

count = len(slides)
if (st.session_state.get("lysbilde") or 1) > count:
    st.session_state["lysbilde"] = count  # a shorter sequence than the slide shown


def _step(by: int) -> None:
    st.session_state["lysbilde"] = min(max(1, int(st.session_state.get("lysbilde") or 1) + by), count)


def _stop() -> None:
    st.session_state["present"] = False
    presentasjon.sync_link()


report_box = st.container(key="kl-oppsett-rapport")
slide_box = st.container(border=not present)
# the controls first (drawn below the slide): the slide number of a shared link is known only
# once its widget has been created
back, where, forward, end = st.columns([1, 1.2, 1, 1.4], vertical_alignment="bottom")
number = where.number_input(t("presentasjon.lysbilde"), min_value=1, max_value=count, step=1, key="lysbilde",
                            bind="query-params", help=presentasjon.n_text(st.session_state.get("lysbilde") or 1, count))
back.button(t("presentasjon.forrige"), key="kl_forrige", on_click=_step, args=(-1,), disabled=number <= 1,
            icon=":material/arrow_back:", width="stretch")
forward.button(t("presentasjon.neste"), key="kl_neste", on_click=_step, args=(1,), disabled=number >= count,
               icon=":material/arrow_forward:", width="stretch")
slide = slides[number - 1]
if present:
    end.button(t("presentasjon.avslutt"), key="kl_avslutt", on_click=_stop, icon=":material/close:", width="stretch")
else:
    end.markdown(presentasjon.n_text(number, count))
    with report_box:
        st.subheader(t("presentasjon.rapport_tittel"))
        st.caption(t("presentasjon.rapport_forklaring"))
        region = innhold.Region(niva, sted)
        lang = tekster.lang()
        cols = st.columns(2)
        for col, fmt_, label in zip(cols, ("pptx", "pdf"), (t("presentasjon.last_ned_pptx"), t("presentasjon.last_ned_pdf"))):
            col.download_button(
                label, lambda fmt_=fmt_: fil.lag(db.query, region, fmt_, lang)[0],
                file_name=fil.file_name(rapport, fmt_), mime=fil.MIME[fmt_], key=f"dl_rapport_{fmt_}",
                icon=":material/download:", on_click="ignore", width="stretch",
            )
        st.subheader(t("presentasjon.forhandsvisning"))
        st.caption(t("presentasjon.tastatur"))
    presentasjon.exports(rapport, slide, niva, sted)
with slide_box:
    presentasjon.show(rapport, slide, niva, sted, font_size=26 if present else 20)
# clickers send PageDown/PageUp, keyboards the arrows; Escape leaves the presentation
add_shortcuts(kl_neste=["arrowright", "pagedown"], kl_forrige=["arrowleft", "pageup"],
              **({"kl_avslutt": "escape"} if present else {}))

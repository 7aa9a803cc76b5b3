"""Entrypoint: page setup, the global filters in the sidebar, and the page navigation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import db, filters, queries, tekster

ASSETS = Path(__file__).parent / "assets"

st.set_page_config(page_title=tekster.TITTEL, page_icon=str(ASSETS / "favicon.png"), layout="wide")
tekster.set_language()

try:
    db.current_build()
except db.WarehouseMissing as missing:
    st.error(tekster.LAGER_MANGLER.format(path=missing))
    st.stop()

PAGES = [
    st.Page("sider/oversikt.py", title="Oversikt", icon=":material/dashboard:", default=True),
    st.Page("sider/kart.py", title="Kart", icon=":material/map:"),
    st.Page("sider/tidslinje.py", title="Tidslinje", icon=":material/timeline:"),
    st.Page("sider/indikatorer.py", title="Indikatorer", icon=":material/bar_chart:"),
    st.Page("sider/sammenligning.py", title="Sammenligning", icon=":material/compare_arrows:"),
    st.Page("sider/kartlegging.py", title="Kartlegging", icon=":material/grid_on:"),
    st.Page("sider/data.py", title="Data", icon=":material/download:"),
    st.Page("sider/om.py", title="Om dataene", icon=":material/info:"),
]
page = st.navigation(PAGES, position="sidebar")
st.session_state["_filters"] = filters.sidebar()
if queries.build_info().syntetisk:
    st.warning(tekster.DEMO_BANNER, icon=":material/science:")
page.run()

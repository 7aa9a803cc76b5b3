"""Entrypoint: page setup, the global filters in the sidebar, and the page navigation."""

from __future__ import annotations

import streamlit as st

from dashboard import db, filters, tekster

st.set_page_config(page_title=tekster.TITTEL, page_icon=":material/school:", layout="wide")
tekster.set_language()

try:
    db.current_build()
except db.WarehouseMissing as missing:
    st.error(tekster.LAGER_MANGLER.format(path=missing))
    st.stop()

st.session_state["_filters"] = filters.sidebar()

PAGES = [
    st.Page("pages/oversikt.py", title="Oversikt", icon=":material/dashboard:", default=True),
    st.Page("pages/tidslinje.py", title="Tidslinje", icon=":material/timeline:"),
    st.Page("pages/om.py", title="Om dataene", icon=":material/info:"),
]
st.navigation(PAGES, position="sidebar").run()

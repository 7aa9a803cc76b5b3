"""Oversikt: headline figures for the current filter and links into the other pages."""

from __future__ import annotations

import streamlit as st

from dashboard import filters, fmt, queries, tekster

f = filters.current()
data = queries.partnerships(f)
kommuner = queries.partnership_municipalities(f)

st.title(tekster.TITTEL)
st.caption("Kompetanseløftet for spesialpedagogikk og inkluderende praksis, og SePUs regionale samarbeid.")

if data.is_empty():
    st.info(tekster.INGEN_TREFF)
    st.stop()

a, b, c = st.columns(3)
a.metric("Samarbeid", fmt.tall(len(data)))
b.metric("Kommuner", fmt.tall(kommuner["kommunenummer"].n_unique()))
c.metric("Fylker", fmt.tall(kommuner["fylkesnummer"].n_unique()))

st.page_link("pages/tidslinje.py", label="Se tidslinjen for samarbeidene", icon=":material/timeline:")

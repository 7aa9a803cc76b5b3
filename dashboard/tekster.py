"""User-facing texts (Norwegian bokmål) that more than one page uses."""

from __future__ import annotations

import streamlit as st

TITTEL = "Kompetanseløftet – regionale samarbeid"
LAGER_MANGLER = (
    "Fant ikke datalageret ({path}). Bygg det med `make run` eller `python -m etl build`."
)
INGEN_TREFF = "Ingen samarbeid passer med filtrene. Endre eller nullstill filtrene i sidepanelet."
KILDE_TAUS = "ikke oppgitt i kilden"
INGEN_UNDERSOKELSE = (
    "Lageret har ingen resultater fra undersøkelsen. Importer resultater med "
    "`python -m etl import` eller bygg med demodata (`python -m etl demo`)."
)
DEMO_MERKE = "Demodata (syntetiske tall)"
DEMO_BANNER = (
    "**Demodata (syntetiske tall).** Resultatene fra undersøkelsen og kartleggingen er generert "
    "for demonstrasjon og beskriver ingen virkelige barnehager, skoler eller kommuner. "
    "Samarbeidene er hentet fra kildedokumentene."
)
ATTRIBUSJON_KART = "Kartgrunnlag: © Kartverket (CC BY 4.0)"


def set_language() -> None:
    """Streamlit hard-codes <html lang="en">; the content is Norwegian bokmål.

    Drawn in the sidebar, where the empty element it leaves takes no room above the page."""
    st.sidebar.html(
        "<script>document.documentElement.lang = 'nb';</script>",
        unsafe_allow_javascript=True,
    )

"""Altair charts in Norwegian: decimal comma, space as thousands separator, Norwegian dates."""

from __future__ import annotations

import altair as alt
import streamlit as st

NORSK = {
    "number": {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0kr"]},
    "time": {
        "dateTime": "%A %e. %B %Y kl. %X",
        "date": "%d.%m.%Y",
        "time": "%H:%M:%S",
        "periods": ["", ""],
        "days": ["søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"],
        "shortDays": ["søn", "man", "tir", "ons", "tor", "fre", "lør"],
        "months": ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
                   "september", "oktober", "november", "desember"],
        "shortMonths": ["jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt",
                        "nov", "des"],
    },
}


def show(chart: alt.TopLevelMixin, alt_text: str, **selection):
    """Draw a chart full width with the Norwegian locale and a text alternative.

    Pass on_select="rerun" and a key to get the selection event back."""
    return st.altair_chart(chart.configure(locale=NORSK), width="stretch", alt=alt_text, **selection)

"""Kartlegging: competence needs by area and role, per region and municipality (heatmaps)."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, filters, queries

f = filters.current()
st.title("Kartlegging av kompetansebehov")
st.caption(
    "Ansatte vurderer egen kompetanse og eget behov for kompetanseutvikling på en skala fra 1 "
    "(lav) til 5 (høy) per område. «Gap» er behov minus kompetanse: høyt gap betyr stort udekket behov."
)

runder = queries.mapping_rounds()
if not runder:
    st.info("Lageret har ingen kartlegging. Importer med `python -m etl import mapping FIL` eller bygg med demodata.")
    st.stop()

NIVAER = {"partnerskap": "Regioner og samarbeid", "kommune": "Kommuner", "fylke": "Fylker"}
MAAL = {"behov": "Behov", "kompetanse": "Kompetanse", "gap": "Gap (behov − kompetanse)"}
c1, c2, c3 = st.columns([2, 2, 1.2])
niva = c1.segmented_control("Nivå", list(NIVAER), format_func=NIVAER.get, default="partnerskap", key="k_niva", bind="query-params") or "partnerskap"
maal = c2.segmented_control("Vis", list(MAAL), format_func=MAAL.get, default="behov", key="k_maal", bind="query-params") or "behov"
runde = c3.selectbox(
    "Runde", ["siste", *reversed(runder)], key="k_runde", bind="query-params",
    format_func=lambda r: "Siste for hver" if r == "siste" else r,
)

data = queries.mapping(f, niva, runde)
if data.is_empty():
    st.info("Ingen kartlegging for dette utvalget og runden. Endre filtrene eller velg en annen runde.")
    st.stop()

scale = (
    alt.Scale(scheme="redblue", domain=[-2, 2], reverse=True) if maal == "gap"
    else alt.Scale(scheme="blues" if maal == "kompetanse" else "oranges", domain=[1, 5])
)


def heatmap(frame: pl.DataFrame, row: str, row_title: str) -> alt.LayerChart:
    cells = frame.select(
        pl.col(row).alias("rad"), pl.col("omrade_navn").alias("omrade"),
        pl.col(maal).round(2).alias("verdi"), pl.col("antall_svar").alias("svar"),
        pl.col("runde"),
        pl.when(pl.col("undertrykt")).then(pl.lit("–"))
        .otherwise(pl.col(maal).round(1).cast(pl.Utf8).str.replace(".", ",", literal=True)).alias("tekst"),
        pl.col("undertrykt_grunn").fill_null("").alias("merknad"),
    )
    base = alt.Chart(cells).encode(
        x=alt.X("omrade:N", title=None, axis=alt.Axis(labelAngle=-35, labelLimit=220, orient="top", labelOverlap=False)),
        y=alt.Y("rad:N", title=None, axis=alt.Axis(labelLimit=220)),
    )
    tooltip = [
        alt.Tooltip("rad:N", title=row_title), alt.Tooltip("omrade:N", title="Område"),
        alt.Tooltip("verdi:Q", title=MAAL[maal], format=".2f"), alt.Tooltip("svar:Q", title="Svar"),
        alt.Tooltip("runde:N", title="Runde"), alt.Tooltip("merknad:N", title="Merknad"),
    ]
    grey = base.mark_rect(color="#e6e6e6", stroke="white").encode(tooltip=tooltip)
    rect = base.transform_filter("datum.verdi !== null").mark_rect(stroke="white").encode(
        color=alt.Color("verdi:Q", scale=scale, title=MAAL[maal]), tooltip=tooltip,
    )
    text = base.mark_text(fontSize=11).encode(text="tekst:N")
    rows = cells["rad"].n_unique()
    # Streamlit fits the whole chart, rotated area labels included, into this height
    return (grey + rect + text).properties(height=34 * rows + 150, width="container")


st.subheader(f"{MAAL[maal]} per område – alle roller")
charts.show(
    heatmap(data.filter(pl.col("rolle") == "alle"), "niva_navn", NIVAER[niva]),
    f"Varmekart over {MAAL[maal].lower()} per område og {NIVAER[niva].lower()}",
)

names = dict(zip(data["niva_id"], data["niva_navn"]))
valgt = st.selectbox("Fordelt på roller for", list(names), format_func=names.get, key="k_valgt")
st.subheader(f"{MAAL[maal]} per område og rolle – {names[valgt]}")
charts.show(
    heatmap(data.filter((pl.col("niva_id") == valgt) & (pl.col("rolle") != "alle")), "rolle_navn", "Rolle"),
    f"Varmekart over {MAAL[maal].lower()} per område og rolle for {names[valgt]}",
)
st.caption("Grå celle med «–»: skjult fordi gruppen har for få svar, eller for å beskytte en mindre gruppe.")

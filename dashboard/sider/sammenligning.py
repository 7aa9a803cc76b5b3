"""Sammenligning: two to six regions side by side per indicator, and their change across rounds."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, filters, komponenter, queries

f = filters.current()
st.title("Sammenlign regioner")

katalog = komponenter.indicators_or_stop(f)

NIVAER = {"partnerskap": "Regioner og samarbeid", "kommune": "Kommuner", "fylke": "Fylker"}
navn, bedre = katalog.navn, katalog.hoyere_er_bedre
c1, c2 = st.columns([2, 3])
indikator = c1.selectbox("Indikator", list(navn), format_func=navn.get, key="s_indikator", bind="query-params")
niva = c2.segmented_control(
    "Sammenlign", list(NIVAER), format_func=NIVAER.get, default="partnerskap", key="s_niva",
    bind="query-params",
) or "partnerskap"

candidates = queries.indicator_by_level(f, niva, indikator)
options = dict(zip(candidates["niva_id"], candidates["niva_navn"]))
if len(options) < 2:
    st.info("Utvalget har færre enn to enheter på dette nivået med resultater i valgt runde. Endre filtrene.")
    st.stop()
default = list(options)[: min(4, len(options))]
chosen = st.multiselect(
    "Velg 2–6", list(options), default=default, format_func=options.get, max_selections=6,
    key="s_valgt",
)
if len(chosen) < 2:
    st.info("Velg minst to å sammenligne.")
    st.stop()

serie = queries.indicator_series(f, niva, chosen, indikator)
naa = serie.filter(pl.col("runde") == f.runde)
retning = "høyere er bedre" if bedre[indikator] else "lavere er bedre"
st.caption(f"Respondentgruppe og runde velges i sidepanelet. Skala med referanse 500; {retning}.")

left, right = st.columns(2)
with left:
    st.markdown(f"**Runde {f.runde}**")
    points = naa.filter(~pl.col("undertrykt")).select(
        pl.col("niva_navn").alias("Navn"), pl.col("enhetstype").alias("Enhetstype"),
        pl.col("skaar").round(0).alias("Skår"), pl.col("ki_lav").round(0).alias("KI lav"),
        pl.col("ki_hoy").round(0).alias("KI høy"), pl.col("antall_svar").alias("Svar"),
    )
    y = alt.Y("Navn:N", title=None, sort="-x")
    chart = (
        alt.Chart(points).mark_rule(strokeWidth=3, opacity=0.5).encode(y=y, x=alt.X("KI lav:Q", title="Skår", scale=alt.Scale(zero=False)), x2="KI høy:Q", color="Navn:N")
        + alt.Chart(points).mark_circle(size=110, opacity=1).encode(y=y, x="Skår:Q", color=alt.Color("Navn:N", legend=None), tooltip=["Navn", "Enhetstype", "Skår", "KI lav", "KI høy", "Svar"])
        + alt.Chart(pl.DataFrame({"ref": [500]})).mark_rule(color="#c0392b", strokeDash=[4, 3]).encode(x="ref:Q")
    ).properties(height=60 + 40 * points.height)
    charts.show(chart, f"Skår for {navn[indikator]} i runde {f.runde} med konfidensintervall")
with right:
    st.markdown("**Utvikling over runder**")
    lines = serie.filter(~pl.col("undertrykt")).select(
        pl.col("niva_navn").alias("Navn"), pl.col("runde").alias("Runde"), pl.col("runde_sort"),
        pl.col("skaar").round(0).alias("Skår"), pl.col("endring").round(0).alias("Endring"),
        pl.when(pl.col("tydelig_endring")).then(pl.lit("Tydelig endring")).otherwise(pl.lit("Innenfor usikkerheten")).alias("Endring fra forrige"),
    )
    x = alt.X("Runde:O", sort=alt.SortField("runde_sort"), title="Runde")
    chart = (
        alt.Chart(lines).mark_line(strokeWidth=2).encode(x=x, y=alt.Y("Skår:Q", scale=alt.Scale(zero=False), title="Skår"), color="Navn:N")
        + alt.Chart(lines).mark_point(size=90, filled=True).encode(
            x=x, y="Skår:Q", color="Navn:N",
            shape=alt.Shape("Endring fra forrige:N", scale=alt.Scale(domain=["Tydelig endring", "Innenfor usikkerheten"], range=["diamond", "circle"])),
            tooltip=["Navn", "Runde", "Skår", "Endring", "Endring fra forrige"],
        )
        + alt.Chart(pl.DataFrame({"ref": [500]})).mark_rule(color="#c0392b", strokeDash=[4, 3]).encode(y=alt.Y("ref:Q", title="Skår"))
    ).properties(height=320)
    charts.show(chart, f"Skår for {navn[indikator]} over runder")
    st.caption("Ruter markerer endringer som er større enn usikkerheten (95 %).")

st.dataframe(
    serie.select(
        pl.col("niva_navn").alias("Navn"), pl.col("runde").alias("Runde"),
        *komponenter.score_columns(),
        pl.col("undertrykt_grunn").fill_null("").alias("Merknad"),
    ),
    hide_index=True, width="stretch",
)

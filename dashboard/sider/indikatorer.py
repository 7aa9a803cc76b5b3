"""Indikatorer: indicators broken down by unit, with drill-down region -> municipality -> unit."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, filters, fmt, komponenter, queries

f = filters.current()
info = queries.build_info()
st.title("Indikatorer per enhet")

katalog = komponenter.indicators_or_stop(f)
navn, bedre = katalog.navn, katalog.hoyere_er_bedre

NIVAER = {"partnerskap": "Regioner og samarbeid", "kommune": "Kommuner", "enhet": "Enheter"}
FORDELING = {"alle": "Alle", "trinn": "Trinn", "kjonn": "Kjønn"}
c1, c2, c3 = st.columns([2, 2, 1.3])
indikator = c1.selectbox("Indikator", list(navn), format_func=navn.get, key="indikator", bind="query-params")
niva = c2.segmented_control(
    "Nivå", list(NIVAER), format_func=NIVAER.get, default="enhet", key="niva", bind="query-params"
) or "enhet"
gruppering = c3.segmented_control(
    "Fordeling", list(FORDELING), format_func=FORDELING.get, default="alle", key="fordeling",
    bind="query-params",
) or "alle"

beskrivelse = katalog.beskrivelse[indikator]
retning = "Høyere skår er bedre." if bedre[indikator] else "Høyere skår betyr mer av noe uønsket (lavere er bedre)."
st.caption(f"{beskrivelse or ''} {retning} Skala med referansesnitt 500 og standardavvik 100. Runde {f.runde}.")

data = queries.indicator_by_level(f, niva, indikator, gruppering)
if data.is_empty():
    st.info("Ingen resultater for dette utvalget. Endre filtrene eller velg et annet nivå.")
    st.stop()

visible = data.filter(~pl.col("undertrykt"))
hidden = data.filter(pl.col("undertrykt"))
a, b, c = st.columns(3)
a.metric(NIVAER[niva], fmt.tall(data["niva_id"].n_unique()))
b.metric("Svar i alt (synlige grupper)", fmt.tall(visible["antall_svar"].sum()))
c.metric("Skjulte grupper", fmt.tall(hidden.height), help=f"Grupper med færre enn {info.min_svar} svar vises ikke.")

label = "niva_navn"
chart_data = visible.select(
    pl.col(label).alias("Navn"), pl.col("gruppe").alias("Gruppe"),
    pl.col("skaar").round(0).alias("Skår"), pl.col("ki_lav").round(0).alias("KI lav"),
    pl.col("ki_hoy").round(0).alias("KI høy"), pl.col("antall_svar").alias("Svar"),
    pl.col("endring").round(0).alias("Endring"),
)
MAX_BARS = 80
if chart_data.height > MAX_BARS:
    st.caption(
        f"Diagrammet viser de {MAX_BARS} første av {chart_data.height} (sortert etter skår). "
        "Velg en kommune i sidepanelet for å se alle enhetene der."
    )
    chart_data = chart_data.head(MAX_BARS)
order = chart_data["Navn"].unique(maintain_order=True).to_list()
y = alt.Y("Navn:N", sort=order, title=None, axis=alt.Axis(labelLimit=240))
lo = min(chart_data["KI lav"].min() or 500, 500) - 10
hi = max(chart_data["KI høy"].max() or 500, 500) + 10
scale = alt.Scale(domain=[lo, hi], nice=False)
x = alt.X("Skår:Q", scale=scale, title="Skår (500 = referanse)")
colour = alt.Color("Gruppe:N", title=FORDELING[gruppering]) if gruppering != "alle" else alt.value("#1f5f8b")
offset = {"yOffset": alt.YOffset("Gruppe:N")} if gruppering != "alle" else {}
tooltip = ["Navn:N", "Gruppe:N", "Skår:Q", "KI lav:Q", "KI høy:Q", "Svar:Q", "Endring:Q"]
base = alt.Chart(chart_data)
chart = (
    base.mark_rule(strokeWidth=2, opacity=0.5).encode(y=y, x=alt.X("KI lav:Q", scale=scale, title=None), x2="KI høy:Q", color=colour, **offset)
    + base.mark_circle(size=70, opacity=1).encode(y=y, x=x, color=colour, tooltip=tooltip, **offset)
    + alt.Chart(pl.DataFrame({"ref": [500]})).mark_rule(color="#c0392b", strokeDash=[4, 3]).encode(x=alt.X("ref:Q", scale=scale))
).properties(height=max(160, 22 * len(order) * (1 if gruppering == "alle" else 2)))
charts.show(chart, f"Skår per {NIVAER[niva].lower()} for {navn[indikator]} med 95 % konfidensintervall")
st.caption("Punkt: skår. Strek: 95 % konfidensintervall. Rød stiplet linje: referansen 500.")

tabell = data.select(
    pl.col("niva_navn").alias("Navn"),
    *([pl.col("kommunenavn").alias("Kommune")] if niva == "enhet" else []),
    *([pl.col("enhetstype").replace_strict(filters.ENHETSTYPER, default=None).alias("Type")] if niva == "enhet" else []),
    *([pl.col("gruppe").alias(FORDELING[gruppering])] if gruppering != "alle" else []),
    *komponenter.score_columns(),
    pl.col("fra_runde").fill_null("–").alias("Fra runde"),
    pl.col("undertrykt_grunn").fill_null("").alias("Merknad"),
)
st.dataframe(tabell, hide_index=True, width="stretch")
st.caption(
    f"«–»: skjult fordi gruppen har færre enn {info.min_svar} svar, eller for å hindre at en skjult "
    "gruppe kan regnes ut fra de andre. «Tydelig endring»: endringen fra forrige runde er større "
    "enn usikkerheten (95 %)."
)

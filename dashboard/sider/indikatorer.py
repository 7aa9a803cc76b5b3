"""Indikatorer: indicators broken down by unit, with drill-down region -> municipality -> unit."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, filters, fmt, komponenter, markup, queries, tekster, tilgang
from dashboard.tekster import t

f = filters.current()
info = queries.build_info()
komponenter.heading(t("indikatorer.tittel"), f, survey=True)

katalog = komponenter.indicators_or_stop(f)
navn, bedre = katalog.navn, katalog.hoyere_er_bedre

NIVAER = ("partnerskap", "kommune", "enhet")
FORDELING = ("alle", "trinn", "kjonn")
c1, c2, c3 = st.columns([2, 2, 1.4])
filters.check_link("indikator", list(navn), navn.get)
indikator = c1.selectbox(t("indikatorer.indikator"), list(navn), format_func=navn.get, key="indikator",
                         bind="query-params")
filters.check_link("niva", NIVAER, lambda n: tekster.kode("niva", n))
niva = c2.segmented_control(
    t("indikatorer.niva"), NIVAER, format_func=lambda n: tekster.kode("niva", n), default="enhet",
    key="niva", bind="query-params",
) or "enhet"
tilgang.unit_level_note(niva)
filters.check_link("fordeling", FORDELING, lambda g: t(f"indikatorer.fordeling_{g}"))
gruppering = c3.segmented_control(
    t("indikatorer.fordeling"), FORDELING, format_func=lambda g: t(f"indikatorer.fordeling_{g}"),
    default="alle", key="fordeling", bind="query-params",
) or "alle"

st.markdown(f"**{markup.md(navn[indikator])}.** {markup.md(katalog.beskrivelse[indikator] or '')} "
            + t("felles.hoyere_bedre" if bedre[indikator] else "felles.lavere_bedre"))
data = komponenter.rounded_scores(queries.indicator_by_level(f, niva, indikator, gruppering))
komponenter.scale_explained(f.respondentgruppe, komponenter.reference_of(data))
if data.is_empty():
    st.info(t("felles.ingen_resultater"))
    st.stop()
data = data.with_columns(
    pl.col("gruppe").replace_strict({g: tekster.gruppe(gruppering, g) for g in data["gruppe"].unique()}),
    pl.col("enhetstype").replace_strict(tekster.kode_map("enhetstype", filters.ENHETSTYPER), default=None).alias("type"),
    pl.col("fra_runde").map_elements(tekster.runde, return_dtype=pl.Utf8),
)

visible = data.filter(~pl.col("undertrykt"))
a, b, c = st.columns(3)
a.metric(tekster.kode("niva", niva), fmt.tall(data["niva_id"].n_unique()))
b.metric(t("indikatorer.svar_synlige"), fmt.tall(visible["antall_svar"].sum()))
c.metric(t("indikatorer.skjulte"), fmt.tall(data.height - visible.height))

MAX_ROWS = 60
chart_data = visible.select(
    pl.col("niva_navn").alias("navn"), "gruppe", "skaar", "ki_lav", "ki_hoy", "snitt", "antall_svar",
    (pl.col("skaar").map_elements(fmt.skaar, return_dtype=pl.Utf8)
     + (pl.lit("") if gruppering == "alle" else pl.lit(" · ") + pl.col("gruppe"))).alias("etikett"),
)
names = chart_data["navn"].unique(maintain_order=True).to_list()
if len(names) > MAX_ROWS:
    st.caption(t("indikatorer.forste", n=MAX_ROWS, av=len(names)))
    chart_data = chart_data.filter(pl.col("navn").is_in(names[:MAX_ROWS]))
chosen_names = filters.names()
highlight = (
    [chosen_names.partnerskap.get(p, p) for p in f.partnerskap] if niva == "partnerskap"
    else [chosen_names.kommuner.get(k, k) for k in f.kommuner] if niva == "kommune" else []
)
tooltip = [
    {"field": "navn", "title": t("kolonne.navn")},
    *([{"field": "gruppe", "title": t("kolonne.gruppe")}] if gruppering != "alle" else []),
    {"field": "skaar", "title": t("kolonne.skaar"), "format": ",.0f"},
    {"field": "ki_lav", "title": t("kolonne.ki_lav"), "format": ",.0f"},
    {"field": "ki_hoy", "title": t("kolonne.ki_hoy"), "format": ",.0f"},
    {"field": "snitt", "title": t("kolonne.snitt"), "format": ",.2f"},
    {"field": "antall_svar", "title": t("kolonne.svar"), "format": ",.0f"},
]
spec = charts.dot_intervals(chart_data, x_title=t("skala.akse"), highlight=highlight, tooltip=tooltip,
                            grouped=gruppering != "alle", group_title=t(f"indikatorer.fordeling_{gruppering}"))
charts.show(spec, chart_data, t("indikatorer.alt", indikator=navn[indikator], niva=tekster.kode("niva", niva)))
st.caption(t("indikatorer.forklaring"))

st.subheader(t("indikatorer.tabell"))
komponenter.table(data, [
    ("niva_navn", t("kolonne.navn"), komponenter.TEXT),
    *([("kommunenavn", t("kolonne.kommune"), komponenter.TEXT),
       ("type", t("kolonne.type"), komponenter.TEXT)] if niva == "enhet" else []),
    *([("gruppe", t(f"indikatorer.fordeling_{gruppering}"), komponenter.TEXT)] if gruppering != "alle" else []),
    *komponenter.score_table_columns(),
    ("fra_runde", t("kolonne.fra_runde"), komponenter.TEXT),
])
st.caption(komponenter.hidden_rule(info.min_svar) + " " + t("indikatorer.tydelig_forklaring"))
komponenter.download(data.drop("undertrykt_grunn"), table=f"indikator_{indikator}_{niva}",
                     title=f"{t('indikatorer.tittel')}: {navn[indikator]}", f=f, key="dl_indikatorer")

"""Sammenligning: two to six regions side by side per indicator, and their change across rounds."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, filters, fmt, komponenter, markup, queries, tekster
from dashboard.tekster import t

f = filters.current()
info = queries.build_info()
komponenter.heading(t("sammenligning.tittel"), f, survey=True)

katalog = komponenter.indicators_or_stop(f)
navn, bedre = katalog.navn, katalog.hoyere_er_bedre
NIVAER = ("partnerskap", "kommune", "fylke")
c1, c2 = st.columns([2, 3])
filters.check_link("s_indikator", list(navn), navn.get)
indikator = c1.selectbox(t("indikatorer.indikator"), list(navn), format_func=navn.get, key="s_indikator",
                         bind="query-params")
filters.check_link("s_niva", NIVAER, lambda n: tekster.kode("niva", n))
niva = c2.segmented_control(
    t("sammenligning.niva"), NIVAER, format_func=lambda n: tekster.kode("niva", n), default="partnerskap",
    key="s_niva", bind="query-params",
) or "partnerskap"

candidates = queries.indicator_by_level(f, niva, indikator)
options = dict(zip(candidates["niva_id"], candidates["niva_navn"]))
if len(options) < 2:
    st.info(t("sammenligning.for_fa"))
    st.stop()
# the largest places first by default; a choice that does not exist at this level (after a
# switch of level or filters) is replaced by the defaults instead of emptying the selection
default = list(options)[: min(4, len(options))]
earlier = st.session_state.get("s_valgt")
if earlier is None and "s_valgt" not in st.query_params or earlier is not None and (
        not earlier or any(c not in options for c in earlier)):
    st.session_state["s_valgt"] = default
filters.check_link("s_valgt", list(options), options.get)
chosen = st.multiselect(t("sammenligning.velg"), list(options), format_func=options.get,
                        max_selections=6, key="s_valgt", bind="query-params")
if len(chosen) < 2:
    st.info(t("sammenligning.velg_minst_to"))
    st.stop()

st.markdown(f"**{markup.md(navn[indikator])}.** " + t("felles.hoyere_bedre" if bedre[indikator] else "felles.lavere_bedre"))
serie = komponenter.rounded_scores(queries.indicator_series(f, niva, chosen, indikator))
komponenter.scale_explained(f.respondentgruppe, komponenter.reference_of(serie))
order = serie.sort("runde_sort")["runde"].unique(maintain_order=True).to_list()
serie = serie.with_columns(pl.col("runde").replace_strict({r: tekster.runde(r) for r in order}).alias("runde_vist"))
names = [options[c] for c in chosen]
naa = serie.filter((pl.col("runde") == f.runde) & ~pl.col("undertrykt"))

tooltip = [
    {"field": "navn", "title": t("kolonne.navn")},
    {"field": "skaar", "title": t("kolonne.skaar"), "format": ",.0f"},
    {"field": "ki_lav", "title": t("kolonne.ki_lav"), "format": ",.0f"},
    {"field": "ki_hoy", "title": t("kolonne.ki_hoy"), "format": ",.0f"},
    {"field": "snitt", "title": t("kolonne.snitt"), "format": ",.2f"},
    {"field": "antall_svar", "title": t("kolonne.svar"), "format": ",.0f"},
]
left, right = st.columns(2)
with left:
    st.subheader(t("sammenligning.runde", runde=tekster.runde(f.runde)))
    points = naa.sort("skaar", descending=True).select(
        pl.col("niva_navn").alias("navn"), "skaar", "ki_lav", "ki_hoy", "snitt", "antall_svar",
        pl.col("skaar").map_elements(fmt.skaar, return_dtype=pl.Utf8).alias("etikett"),
    )
    if points.is_empty():
        st.info(t("felles.ingen_resultater"))
    else:
        charts.show(charts.dot_intervals(points, x_title=t("skala.akse"), highlight=[], tooltip=tooltip),
                    points, t("sammenligning.alt_runde", indikator=navn[indikator], runde=tekster.runde(f.runde)))
with right:
    st.subheader(t("sammenligning.utvikling"))
    lines = serie.filter(~pl.col("undertrykt")).select(
        pl.col("niva_navn").alias("navn"), pl.col("runde_vist").alias("runde"), "skaar", "endring", "antall_svar",
        pl.when(pl.col("tydelig_endring")).then(pl.lit(t("sammenligning.tydelig")))
        .otherwise(pl.lit(t("sammenligning.innenfor"))).alias("tydelig"),
    )
    lines = lines.with_columns(
        (pl.col("navn") + pl.lit(": ") + pl.col("skaar").map_elements(fmt.skaar, return_dtype=pl.Utf8)).alias("etikett"),
        (pl.int_range(pl.len()).over("navn") == pl.len().over("navn") - 1).alias("siste"),
    )
    spec = charts.lines(
        lines, order=[tekster.runde(r) for r in order], names=names, x_title=t("kolonne.runde"),
        y_title=t("skala.akse"), shape_title=t("sammenligning.endring_fra_forrige"),
        shapes={t("sammenligning.tydelig"): "diamond", t("sammenligning.innenfor"): "circle"},
        tooltip=[{"field": "navn", "title": t("kolonne.navn")}, {"field": "runde", "title": t("kolonne.runde")},
                 {"field": "skaar", "title": t("kolonne.skaar"), "format": ",.0f"},
                 {"field": "endring", "title": t("kolonne.endring"), "format": "+,.0f"},
                 {"field": "tydelig", "title": t("sammenligning.endring_fra_forrige")}],
    )
    charts.show(spec, lines, t("sammenligning.alt_utvikling", indikator=navn[indikator]))
    st.caption(t("sammenligning.ruter"))

st.subheader(t("indikatorer.tabell"))
tabell = serie.sort(["niva_navn", "runde_sort"])
komponenter.table(tabell, [
    ("niva_navn", t("kolonne.navn"), komponenter.TEXT),
    ("runde_vist", t("kolonne.runde"), komponenter.TEXT),
    *komponenter.score_table_columns(),
])
st.caption(komponenter.hidden_rule(info.min_svar))
komponenter.download(serie.drop("undertrykt_grunn", "runde_vist"), table=f"sammenligning_{indikator}_{niva}",
                     title=f"{t('sammenligning.tittel')}: {navn[indikator]}", f=f, key="dl_sammenligning")

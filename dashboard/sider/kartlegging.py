"""Kartlegging: competence needs by area and role, per region and municipality (heatmaps)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, filters, fmt, komponenter, markup, palette, queries, tekster
from dashboard.tekster import t

f = filters.current()
info = queries.build_info()
komponenter.heading(t("kartlegging.tittel"), f)
st.caption(t("kartlegging.ingress"))

runder = queries.mapping_rounds()
if not runder:
    st.info(t("kartlegging.ingen"))
    st.stop()

NIVAER = ("partnerskap", "kommune", "fylke")
MAAL = ("behov", "kompetanse", "gap")
c1, c2, c3 = st.columns([2, 2, 1.2])
filters.check_link("k_niva", NIVAER, lambda n: tekster.kode("niva", n))
niva = c1.segmented_control(t("indikatorer.niva"), NIVAER, format_func=lambda n: tekster.kode("niva", n),
                            default="partnerskap", key="k_niva", bind="query-params") or "partnerskap"
filters.check_link("k_maal", MAAL, lambda m: t(f"kartlegging.{m}"))
maal = c2.segmented_control(t("kartlegging.vis"), MAAL, format_func=lambda m: t(f"kartlegging.{m}"),
                            default="behov", key="k_maal", bind="query-params") or "behov"
round_options = ["siste", *reversed(runder)]


def round_label(r: str) -> str:
    return t("kartlegging.siste") if r == "siste" else tekster.runde(r)


filters.check_link("k_runde", round_options, round_label)
runde = c3.selectbox(t("filter.runde"), round_options, key="k_runde", bind="query-params",
                     format_func=round_label)

data = queries.mapping(f, niva, runde)
if data.is_empty():
    st.info(t("kartlegging.ingen_utvalg"))
    st.stop()
data = data.with_columns(
    pl.col("omrade").replace_strict(tekster.kode_map("omrade", data["omrade"].unique()), default=pl.col("omrade_navn")).alias("omrade_vist"),
    pl.col("rolle").replace_strict(tekster.kode_map("rolle", data["rolle"].unique()), default=pl.col("rolle_navn")).alias("rolle_vist"),
)

edges, colours = (
    (palette.GAP_EDGES, palette.GAP_CLASSES) if maal == "gap"
    else (palette.NEED_EDGES, palette.NEED_CLASSES if maal == "behov" else palette.COMPETENCE_CLASSES)
)
areas = sorted(data["omrade_vist"].unique().to_list())


def cells(frame: pl.DataFrame, row: str) -> pl.DataFrame:
    values = frame[maal].to_list()
    text_colour = [
        palette.INK if v is None else palette.text_on(colours[palette.classes(v, edges)]) for v in values
    ]
    # a list, not map_elements: polars inspects the lambda's bytecode on every call
    number = fmt.endring if maal == "gap" else fmt.tall
    return frame.select(
        pl.col(row).alias("rad"), pl.col("omrade_vist").alias("kolonne"),
        pl.col(maal).round(2).alias("verdi"), pl.col("antall_svar").alias("svar"),
    ).with_columns(pl.Series("tekst", [number(v, 1) for v in values], dtype=pl.Utf8),
                   pl.Series("tekstfarge", text_colour))


tooltip_for = lambda title: [
    {"field": "rad", "title": title}, {"field": "kolonne", "title": t("kolonne.omrade")},
    {"field": "tekst", "title": t(f"kartlegging.{maal}")}, {"field": "svar", "title": t("kolonne.svar"), "format": ",.0f"},
]
legend_title = t(f"kartlegging.{maal}_kort")

st.subheader(t("kartlegging.alle_roller", maal=t(f"kartlegging.{maal}")))
everyone = cells(data.filter(pl.col("rolle") == "alle"), "niva_navn")
rows = everyone["rad"].unique(maintain_order=True).to_list()
charts.show(charts.heatmap(everyone, rows=rows, columns=areas, edges=edges, colours=colours,
                           legend_title=legend_title, tooltip=tooltip_for(tekster.kode("niva", niva))),
            everyone, t("kartlegging.alt_alle", maal=t(f"kartlegging.{maal}"), niva=tekster.kode("niva", niva)))

names = dict(zip(data["niva_id"], data["niva_navn"]))
filters.check_link("k_valgt", list(names), names.get)
valgt = st.selectbox(t("kartlegging.roller_for"), list(names), format_func=names.get, key="k_valgt",
                     bind="query-params")
st.subheader(t("kartlegging.per_rolle", maal=t(f"kartlegging.{maal}"), navn=markup.md(names[valgt])))
by_role = cells(data.filter((pl.col("niva_id") == valgt) & (pl.col("rolle") != "alle")), "rolle_vist")
charts.show(charts.heatmap(by_role, rows=by_role["rad"].unique(maintain_order=True).to_list(), columns=areas,
                           edges=edges, colours=colours, legend_title=legend_title,
                           tooltip=tooltip_for(t("kolonne.rolle"))),
            by_role, t("kartlegging.alt_rolle", maal=t(f"kartlegging.{maal}"), navn=names[valgt]))
st.caption(t("kartlegging.celler") + " " + komponenter.hidden_rule(info.min_svar))
komponenter.download(data.drop("undertrykt_grunn", "omrade_vist", "rolle_vist"), table=f"kartlegging_{niva}",
                     title=t("kartlegging.tittel"), f=f, key="dl_kartlegging")

"""Data: every table behind the pages as a CSV extract, with the active filters in the name."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import filters, komponenter, markup, queries, tekster, tilgang
from dashboard.tekster import t

f = filters.current()
info = queries.build_info()
komponenter.heading(t("data.tittel"), f, survey=True)
st.caption(t("data.ingress") + " " + komponenter.hidden_rule(info.min_svar))
excel = st.toggle(t("data.excel"), value=True, key="excel")
NIVA = ("enhet", "kommune", "partnerskap", "fylke")
filters.check_link("d_niva", NIVA, lambda n: tekster.kode("niva", n))
niva = st.segmented_control(
    t("data.niva"), NIVA, format_func=lambda n: tekster.kode("niva", n), default="enhet", key="d_niva",
    bind="query-params",
) or "enhet"
tilgang.unit_level_note(niva)

runder = queries.mapping_rounds()
extracts: list[tuple[str, str, str, pl.DataFrame]] = [
    ("samarbeid", t("data.samarbeid"), t("data.samarbeid_om"), queries.partnerships(f)),
    ("samarbeid_kommuner", t("data.samarbeid_kommuner"), t("data.samarbeid_kommuner_om"),
     queries.partnership_municipalities(f)),
    ("kart_kommuner", t("data.kart_kommuner"), t("data.kart_kommuner_om"),
     queries.map_municipalities(f).filter(pl.col("i_utvalg"))),
    ("datakvalitet", t("data.datakvalitet"), t("data.datakvalitet_om"), queries.data_quality(f)),
    ("eierplan_momenter", t("data.eierplan"), t("data.eierplan_om"), queries.owner_plan_elements()),
]
level = tekster.kode("niva", niva).lower()
if f.respondentgruppe and f.runde:
    extracts.append((f"indikatorer_{niva}", t("data.indikatorer", niva=level),
                     t("data.indikatorer_om", runde=tekster.runde(f.runde)), queries.indicator_extract(f, niva)))
if runder and niva != "enhet":
    extracts.append((f"kartlegging_{niva}", t("data.kartlegging", niva=level), t("data.kartlegging_om"),
                     queries.mapping(f, niva, "siste")))

if all(frame.is_empty() for _, _, _, frame in extracts[:3]):
    st.info(t("data.tomme"))

for table, title, description, frame in extracts:
    synthetic = bool("syntetisk" in frame.columns and frame["syntetisk"].any())
    with st.container(border=True):
        left, right = st.columns([4, 1.3])
        left.markdown(f"**{markup.md(title)}** · {t('data.rader', n=frame.height)}  \n{markup.md(description)}")
        with right:
            komponenter.download(frame, table=table, title=title, f=f, key=f"dl_{table}", excel=excel)
        if synthetic:
            left.caption(t("data.syntetisk"))

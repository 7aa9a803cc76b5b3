"""Om dataene: sources, licences, definitions, the suppression rule and what is synthetic."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import fmt, komponenter, queries, tekster
from dashboard.tekster import t

info = queries.build_info()
lang = tekster.lang()
komponenter.heading(t("om.tittel"))

st.header(t("om.samarbeidene"))
st.markdown(t("om.samarbeidene_tekst", ikke_oppgitt=t("felles.ikke_oppgitt")))
kilder = queries.sources().with_columns(
    pl.col("dato").map_elements(fmt.dato, return_dtype=pl.Utf8, skip_nulls=False).alias("dato_vist"),
)
komponenter.table(kilder, [
    ("tittel", t("om.dokument"), komponenter.TEXT), ("utgiver", t("om.utgiver"), komponenter.TEXT),
    ("type", t("kolonne.type"), komponenter.TEXT), ("dato_vist", t("om.dato"), komponenter.TEXT),
    ("antall_partnerskap", t("kolonne.samarbeid"), komponenter.INT), ("dokument", t("om.fil"), komponenter.TEXT),
], key="kilder")

st.header(t("om.geografi"))
st.markdown(t("om.geografi_tekst", attribusjon=t("felles.attribusjon_kart")))
if info.antall_grenser == 0:
    st.caption(t("om.uten_grenser"))

st.header(t("om.undersokelsen"))
st.markdown(t("om.undersokelsen_tekst"))
st.markdown(t("om.personvern", k=info.min_svar))
if info.syntetisk:
    st.warning(t("om.demo", merke=t("felles.demo_merke")), icon=":material/science:")
referanse = queries.references()
if not referanse.is_empty():
    with st.expander(t("om.referanse")):
        komponenter.table(referanse.with_columns(
            pl.col("respondentgruppe").replace_strict(
                tekster.kode_map("respondentgruppe", referanse["respondentgruppe"].unique()), default=None),
            pl.col("indikator").replace_strict(
                tekster.kode_map("indikator", referanse["indikator"].unique()), default=None),
        ), [
            ("respondentgruppe", t("filter.respondentgruppe"), komponenter.TEXT),
            ("indikator", t("indikatorer.indikator"), komponenter.TEXT),
            ("ref_snitt", t("om.ref_snitt"), komponenter.MEAN),
            ("ref_standardavvik", t("om.ref_sd"), komponenter.MEAN),
            ("referanse", t("om.referanse_kolonne"), komponenter.TEXT),
        ], key="referanse")

st.header(t("om.kartlegging"))
st.markdown(t("om.kartlegging_tekst"))

st.header(t("om.eierplan"))
moment, beskrivelse = ("moment_nn", "beskrivelse_nn") if lang == "nn" else ("moment_nb", "beskrivelse_nb")
komponenter.table(queries.owner_plan_elements(), [
    ("nr", t("om.nr"), komponenter.INT), (moment, t("om.moment"), komponenter.TEXT),
    (beskrivelse, t("om.beskrivelse"), komponenter.TEXT),
], key="eierplan")
if lang == "en":
    st.caption(t("om.eierplan_norsk"))

st.header(t("om.lisenser"))
st.markdown(t("om.lisenser_tekst", attribusjon=t("felles.attribusjon_kart")))

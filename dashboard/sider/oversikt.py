"""Oversikt: headline figures for the current filter, what changed, and links into the pages."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import filters, fmt, queries, tekster

f = filters.current()
data = queries.partnerships(f)
kommuner = queries.partnership_municipalities(f)
deltakelse = queries.participation(f)

st.title(tekster.TITTEL)
st.caption(
    "Kompetanseløftet for spesialpedagogikk og inkluderende praksis, og SePUs regionale samarbeid: "
    "hvem samarbeider, hvor og når – og hva undersøkelsene viser."
)

if data.is_empty():
    st.info(tekster.INGEN_TREFF)
    st.stop()

latest = deltakelse.filter(pl.col("runde") == f.runde) if f.runde else deltakelse.clear()
cols = st.columns(5)
cols[0].metric("Samarbeid", fmt.tall(len(data)))
cols[1].metric("Kommuner", fmt.tall(kommuner["kommunenummer"].n_unique()))
cols[2].metric("Enheter (valgt runde)", fmt.tall(latest["antall_enheter"].sum() if latest.height else None))
cols[3].metric(
    "Siste runde", deltakelse["runde"][-1] if deltakelse.height else "–",
    help=f"Siste runde med svar i utvalget. Tallene for enheter og respondenter gjelder valgt runde ({f.runde or '–'}).",
)
cols[4].metric(
    "Respondenter (valgt runde)",
    fmt.tall(latest["antall_respondenter"].sum() if latest.height else None),
    help="Kommuner med færre enn K respondenter i en enhetstype er ikke med i summen (personvern).",
)

left, right = st.columns([3, 2])
with left:
    st.subheader("Tydelige endringer siden forrige runde")
    endringer = queries.changes(f) if f.respondentgruppe and f.runde else pl.DataFrame()
    if endringer.is_empty():
        st.write(
            "Ingen endringer større enn usikkerheten for valgt respondentgruppe og runde "
            "(eller ingen tidligere runde å sammenligne med)."
        )
    else:
        for row in endringer.iter_rows(named=True):
            good = (row["endring"] > 0) == row["hoyere_er_bedre"]
            arrow = ":green[▲ bedre]" if good else ":red[▼ svakere]"
            st.markdown(
                f"- **{row['niva_navn']}** – {row['indikator_navn']}: {fmt.skaar(row['fra_skaar'])} → "
                f"{fmt.skaar(row['til_skaar'])} ({fmt.endring(row['endring'])}, {row['fra_runde']}–{row['til_runde']}) {arrow}"
            )
with right:
    st.subheader("Gå videre")
    st.page_link("sider/kart.py", label="Kart over regionene", icon=":material/map:")
    st.page_link("sider/tidslinje.py", label="Tidslinje for samarbeidene", icon=":material/timeline:")
    st.page_link("sider/indikatorer.py", label="Indikatorer per enhet", icon=":material/bar_chart:")
    st.page_link("sider/sammenligning.py", label="Sammenlign regioner", icon=":material/compare_arrows:")
    st.page_link("sider/kartlegging.py", label="Kartlegging av kompetansebehov", icon=":material/grid_on:")
    st.page_link("sider/data.py", label="Last ned data (CSV)", icon=":material/download:")

st.subheader("Samarbeidene i utvalget")
st.dataframe(
    data.select(
        pl.col("kortnavn").alias("Samarbeid"),
        pl.col("periode_visning").fill_null(tekster.KILDE_TAUS).alias("Periode"),
        pl.col("ordninger_tekst").fill_null(tekster.KILDE_TAUS).alias("Ordninger"),
        pl.col("antall_kommuner_oppfort").alias("Kommuner"),
        pl.col("uh_partnere").list.join(", ").alias("UH-partnere"),
        pl.col("sepu_samarbeid").alias("SePU"),
    ),
    hide_index=True, width="stretch",
    column_config={"SePU": st.column_config.CheckboxColumn()},
)

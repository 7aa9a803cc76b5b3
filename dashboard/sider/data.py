"""Data: every table behind the pages as a CSV extract, with the active filters in the name."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import csvexport, filters, queries

f = filters.current()
info = queries.build_info()
st.title("Last ned data")
st.caption(
    "Uttrekkene er nøyaktig tabellene bak sidene, med filtrene i sidepanelet. Grupper med færre enn "
    f"{info.min_svar} svar er skjult allerede i datalageret og står uten tall, med en merknad."
)
excel = st.toggle("Norsk Excel (semikolon og desimalkomma)", value=True, key="excel")
NIVA = {"enhet": "enheter", "kommune": "kommuner", "partnerskap": "samarbeid", "fylke": "fylker"}
niva = st.segmented_control(
    "Nivå for indikatorer og kartlegging", list(NIVA), format_func=lambda n: NIVA[n].capitalize(),
    default="enhet", key="d_niva",
) or "enhet"

runder = queries.mapping_rounds()
extracts: list[tuple[str, str, str, pl.DataFrame]] = [
    ("samarbeid", "Samarbeid", "Én rad per samarbeid (Oversikt, Tidslinje).", queries.partnerships(f)),
    ("samarbeid_kommuner", "Samarbeid og kommuner", "Én rad per samarbeid og kommune.",
     queries.partnership_municipalities(f)),
    ("kart_kommuner", "Kommuner på kartet", "Én rad per kommune med samarbeid i utvalget (Kart).",
     queries.map_municipalities(f).filter(pl.col("i_utvalg"))),
    ("datakvalitet", "Merknader om datakvalitet", "Motsetninger og tolkninger i kildene.",
     queries.data_quality(f)),
    ("eierplan_momenter", "Momenter til eierens plan (E 1.6)", "Referansetabell fra kompetansepakken.",
     queries.owner_plan_elements()),
]
if f.respondentgruppe and f.runde:
    extracts.append((
        f"indikatorer_{NIVA[niva]}", f"Indikatorer – {NIVA[niva]}",
        f"Runde {f.runde}, valgt respondentgruppe, alle indikatorer og fordelinger (Indikatorer, Sammenligning).",
        queries.indicator_extract(f, niva),
    ))
if runder and niva != "enhet":
    extracts.append((
        f"kartlegging_{NIVA[niva]}", f"Kartlegging – {NIVA[niva]}", "Siste runde for hver (Kartlegging).",
        queries.mapping(f, niva, "siste"),
    ))

if all(frame.is_empty() for _, _, _, frame in extracts[:3]):
    st.info("Ingen samarbeid passer med filtrene, så uttrekkene er tomme. Endre eller nullstill filtrene.")

for table, title, description, frame in extracts:
    synthetic = bool("syntetisk" in frame.columns and frame["syntetisk"].any())
    name = csvexport.file_name(table, f.describe(), synthetic)
    with st.container(border=True):
        left, right = st.columns([4, 1.3])
        left.markdown(f"**{title}** · {frame.height} rader  \n{description}")
        right.download_button(
            # the CSV is made when the button is clicked, not on every rerun of the page
            "Last ned CSV", lambda frame=frame: csvexport.to_csv(frame, norwegian_excel=excel),
            file_name=name,
            mime="text/csv", key=f"dl_{table}", icon=":material/download:", width="stretch",
            on_click="ignore",
        )
        if synthetic:
            left.caption(f"Inneholder {csvexport.SYNTHETIC_NOTE.lower()} – merket i kolonnen «datamerknad».")

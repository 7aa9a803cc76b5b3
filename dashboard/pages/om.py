"""Om dataene: sources, licences, definitions and what is synthetic."""

from __future__ import annotations

import streamlit as st

from dashboard import tekster

st.title("Om dataene")
st.markdown(
    f"""
**Samarbeidene** er skrevet av for hånd fra kildedokumentene (SePUs oversikt over pågående
samarbeid, Eidsvoll-dokumentet, Gjøvikregionens presentasjon på Trøndelagskonferansen 2022 og
oppsummeringen av prosjektbeskrivelser fra oppstartskommunene i Kompetanseløftet). Der en kilde
ikke sier noe, står det «{tekster.KILDE_TAUS}». Der kildene motsier seg selv, står det en
merknad om datakvalitet ved samarbeidet.

Oppsummeringen fra oppstartskommunene gir **eksempler**, ikke en fullstendig liste.

**Kommuner og fylker** følger inndelingen fra 2024 (357 kommuner, 15 fylker). Eldre
kommunenummer (2017–2023) regnes om til 2024-nummer.

{tekster.ATTRIBUSJON_KART}.
"""
)

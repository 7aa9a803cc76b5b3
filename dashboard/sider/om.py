"""Om dataene: sources, licences, definitions, the suppression rule and what is synthetic."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import fmt, queries, tekster

info = queries.build_info()
st.title("Om dataene")

st.header("Samarbeidene")
st.markdown(
    f"""
Samarbeidene er skrevet av for hånd fra kildedokumentene nedenfor, ett samarbeid per oppføring.
Der en kilde ikke sier noe, står det «{tekster.KILDE_TAUS}»; ingenting er fylt inn eller gjettet.
Der en kilde motsier seg selv eller må tolkes, står det en **merknad om datakvalitet** ved
samarbeidet (se Tidslinje). Oppsummeringen fra oppstartskommunene i Kompetanseløftet gir
**eksempler**, ikke en fullstendig liste over oppstartskommunene.
"""
)
kilder = queries.sources()
st.dataframe(
    kilder.select(
        pl.col("tittel").alias("Dokument"), pl.col("utgiver").alias("Utgiver"),
        pl.col("type").alias("Type"),
        pl.col("dato").map_elements(fmt.dato, return_dtype=pl.Utf8, skip_nulls=False).alias("Dato"),
        pl.col("antall_partnerskap").alias("Samarbeid"), pl.col("dokument").alias("Fil"),
    ),
    hide_index=True, width="stretch",
)

st.header("Geografi")
st.markdown(
    f"""
Kommuner og fylker følger inndelingen fra 1.1.2024: 357 kommuner og 15 fylker. Data med eldre
kommunenummer (2017–2023) regnes om til 2024-nummer, så en sammenslått kommune vises én gang.
Kommune- og fylkesgrensene er Kartverkets data, forenklet. {tekster.ATTRIBUSJON_KART}.
Kartet bruker ingen bakgrunnskart fra tredjepart og sender ingenting ut av maskinen.
"""
)
if info.antall_grenser == 0:
    st.caption("Dette lageret er bygget uten kommunegrenser; kartet viser kommunene som punkter.")

st.header("Undersøkelsen om læring og læringsmiljø")
st.markdown(
    f"""
SePUs undersøkelse besvares av barn og elever, ansatte og foresatte. Resultatene vises på en
**500-skala**: skåren er standardisert slik at referansen har snitt 500 og standardavvik 100
(som i PISA). Referansen er en normtabell når den finnes, ellers hele datasettet i lageret.
Elevenes svar på hvert spørsmål snus først der spørsmålet er negativt formulert, og en
respondents verdi på en indikator er snittet av spørsmålene vedkommende har svart på.

- **Snitt** er snittet på spørsmålenes egen skala (1–3 for 1.–4. trinn, 1–5 ellers).
- **95 % konfidensintervall**: skår ± 1,96 · standardavvik / √antall svar.
- **Tydelig endring**: endringen fra forrige runde er større enn usikkerheten i begge rundene
  samlet (1,96 · √(se₁² + se₂²)).
- Kommuner, regioner, fylker og «alle» regnes fra alle svarene, vektet med antall svar – aldri
  som snitt av snitt.
- For indikatorer der høyere er verre (for eksempel opplevd mobbing) står det ved indikatoren.

**Personvern:** Grupper med færre enn **{info.min_svar} svar** vises aldri – ikke i diagrammer,
tabeller eller nedlastinger (SePUs egen resultatportal bruker 7). I tillegg skjules et tall når en
skjult gruppe ellers kunne regnes ut ved å trekke de synlige gruppene fra totalen (sekundær
skjuling). Dette gjøres én gang, i datalageret, så alle sider og uttrekk arver det.
"""
)
if info.syntetisk:
    st.warning(
        f"**{tekster.DEMO_MERKE}.** Enhetene, svarene og kartleggingen i dette lageret er generert "
        "av `python -m etl demo` for demonstrasjon. Enhetsnavnene begynner med «Demo-». Samarbeidene "
        "og kommunene er ekte. Hver rad i uttrekkene har kolonnen «syntetisk».",
        icon=":material/science:",
    )
referanse = queries.references()
if not referanse.is_empty():
    with st.expander("Referanse per respondentgruppe og indikator"):
        st.dataframe(referanse, hide_index=True, width="stretch")

st.header("Kartlegging av kompetansebehov")
st.markdown(
    """
Kartleggingen bygger på det kildene nevner: Gjøvikregionens spørreundersøkelse høsten 2022 (fem
deler: bakgrunn; samarbeid i laget rundt barn og unge med store sammensatte behov; samarbeid om
vanlige utfordringer; skolen som lærende organisasjon; samarbeid med PPT) og områdene
oppstartskommunene nevner (blant annet psykisk helse og atferd, autisme, spesifikke lærevansker
og utviklingshemming). Ansatte vurderer kompetanse og behov fra 1 til 5 per område.
"""
)

st.header("Momenter til eierens plan (kompetansepakke E 1.6)")
st.dataframe(queries.owner_plan_elements().select(
    pl.col("nr").alias("Nr."), pl.col("moment_nb").alias("Moment"), pl.col("beskrivelse_nb").alias("Beskrivelse"),
), hide_index=True, width="stretch")

st.header("Lisenser")
st.markdown(
    f"""
- Kommune- og fylkesgrenser: © Kartverket, CC BY 4.0 ({tekster.ATTRIBUSJON_KART}).
- Kildedokumentene tilhører utgiverne (SePU/Høgskolen i Innlandet, Utdanningsdirektoratet,
  Gjøvikregionen og NTNU); dashbordet gjengir fakta fra dem, med kildehenvisning.
"""
)

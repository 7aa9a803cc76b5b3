"""Offentlig statistikk: a collaboration's municipalities, the collaboration, its county and the
country per school year in Udir's public figures, the collaboration's period marked, and a map.
Texts, charts and the map are in dashboard/offentlig.py."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, csvexport, filters, fmt, palette, queries, tekster
from dashboard import offentlig as o
from dashboard.offentlig import IKKE_KONKLUDER, NIVA, OM_TALLENE, T

f = filters.current()
st.title(T["tittel"])
st.badge(T["merke"], icon=":material/verified:", color="blue")
st.caption(T["intro"])

katalog = queries.public_indicators()
if katalog.is_empty():
    st.info(T["ingen_tall"])
    st.stop()
samarbeid = queries.partnerships(f).filter(pl.col("kommunenumre").list.len() > 0)
if samarbeid.is_empty():
    st.info(T["ingen_samarbeid"])
    st.stop()

navn = dict(zip(samarbeid["partnerskap_id"], samarbeid["kortnavn"]))
indikatorer = {r["indikator"]: r for r in katalog.iter_rows(named=True)}
left, right = st.columns([2, 3])
valgt = left.selectbox(T["samarbeid"], list(navn), format_func=navn.get, key="o_samarbeid", bind="query-params")
indikator = right.selectbox(
    T["indikator"], list(indikatorer), format_func=lambda i: indikatorer[i]["navn"], key="o_indikator",
    bind="query-params",
)
ind = indikatorer[indikator]
p = samarbeid.filter(pl.col("partnerskap_id") == valgt).row(0, named=True)
# counts, shares and days start at zero; scale scores (national mean 50) do not
enhet, desimaler, zero = ind["enhet"], ind["desimaler"], ind["enhet"] != "skalapoeng"

rader = o.with_text(queries.public_partnership(valgt, indikator), enhet, desimaler)
aar = sorted(int(s[:4]) for s in ind["skolear"])  # the indicator's school years (first year of each)
periode = o.period_years(p["start_ar"], p["forlenget_til"] or p["slutt_ar"])
kommuner = (
    queries.partnership_municipalities(filters.Filters(partnerskap=(valgt,)))
    .select(pl.col("kommunenummer").alias("niva_id"), pl.col("kommunenavn_kort").alias("niva_navn"))
    .unique().sort("niva_navn")
)

# --- the collaboration in one box: members, period, and how the years relate to it ---------------
with st.container(border=True):
    st.markdown(T["kommuner"].format(kommuner=", ".join(kommuner["niva_navn"]) or "–"))
    st.markdown(T["periode"].format(periode=p["periode_visning"]) if periode else T["periode_ukjent"])
    st.markdown(o.periode_tekst(aar, p["start_ar"], p["forlenget_til"] or p["slutt_ar"]))
    typer = [t for t in p["enhetstyper"] if t != "ppt"]
    if typer and "skole" not in typer:
        st.markdown(T["barnehage"].format(typer=" og ".join(typer)))
    if p["omfang"] == "enhet":
        st.markdown(T["enhet"].format(enheter=", ".join(p["enheter"])))
if ind["brudd_tekst"]:
    st.markdown(T["brudd"].format(tekst=ind["brudd_tekst"]))

if not ind["summerbar"]:
    grunn = T["grunn_median"] if ind["type"] == "median" else T["grunn_oppgitt"]
    st.info(T["ikke_summerbar"].format(navn=ind["navn"], grunn=grunn))

# --- charts: the years, then the municipalities beside the map ---------------------------------------
if rader.filter(pl.col("status") != "mangler").is_empty():
    st.info(T["ingen_i_samarbeid"].format(navn=ind["navn"], samarbeid=navn[valgt]))
    rader = rader.clear()
st.subheader(T["over_tid"])
if rader.filter(pl.col("niva") != "kommune").is_empty():
    st.caption(T["ingen_graf"])
else:
    charts.show(o.over_time(rader, periode, enhet, zero, ind["brudd_ar"]), f"{ind['navn']}: {T['over_tid']}")
    st.caption(T["band_forklaring"].format(periode=p["periode_visning"]) if periode else T["kilde"])

valgt_aar = aar[-1]
if len(aar) > 1:
    valgt_aar = st.segmented_control(
        T["skolear"], aar, format_func=o.skolear_label, default=aar[-1], key="o_ar", bind="query-params",
    ) or aar[-1]
chart_left, chart_right = st.columns([1, 1], gap="large")
with chart_left:
    st.subheader(T["kommunene"].format(aar=o.skolear_label(valgt_aar)))
    dette_aar = rader.filter(pl.col("ar") == valgt_aar)
    if dette_aar.is_empty():
        st.caption(T["ingen_graf"])
    else:
        charts.show(o.municipalities(dette_aar, enhet, zero),
                    f"{ind['navn']} per kommune, skoleår {o.skolear_label(valgt_aar)}")
        st.caption(T["kilde"])
with chart_right:
    label = o.skolear_label(valgt_aar)
    st.subheader(T["kart"].format(aar=label))
    geometrier = queries.municipality_geometries()
    deck, items = o.map_deck(
        queries.public_map(indikator, f"{valgt_aar}-{(valgt_aar + 1) % 100:02d}"),
        queries.map_municipalities(filters.Filters()), geometrier, queries.county_geometries(),
        set(kommuner["niva_id"]), enhet, desimaler,
    )
    st.pydeck_chart(deck, height=560, width="stretch", alt=T["kart_alt"].format(navn=ind["navn"], aar=label))
    st.html(palette.legend_html(items + [(T["kart_ramme"], o.RAMME)]))
    st.caption(T["kilde"] + " " + (tekster.ATTRIBUSJON_KART if geometrier else T["kart_punkter"]))

notes = (
    rader.filter(pl.col("niva") != "kommune", pl.col("merknad").is_not_null())
    .group_by("omrade", "merknad", maintain_order=True).agg(pl.col("skolear_tekst").unique(maintain_order=True))
)
for row in notes.iter_rows(named=True):
    st.markdown(f"- **{row['omrade']}, {' og '.join(row['skolear_tekst'])}:** {row['merknad']}")

# --- the numbers ---------------------------------------------------------------------------------------
st.subheader(T["tabell"])
kolonner = [
    pl.col("skolear_tekst").alias("Skoleår"), pl.col("omrade").alias("Område"),
    pl.col("niva").replace_strict(NIVA, return_dtype=pl.Utf8).alias("Nivå"), pl.col("tekst").alias("Verdi"),
    fmt.tall_kolonne(pl.col("teller"), 1 if ind["type"] == "snitt" else 0).alias("Teller"),
    fmt.tall_kolonne(pl.col("nevner")).alias("Nevner"),
]
if rader["usikkerhet"].is_not_null().any():
    kolonner.append(fmt.tall_kolonne(pl.col("usikkerhet"), 1).alias("Usikkerhet (Udir)"))
kolonner.append(pl.col("merknad").fill_null("").alias("Merknad"))
st.dataframe(rader.select(kolonner), hide_index=True, width="stretch", height=min(38 + 35 * rader.height, 560))
uttrekk = rader.select(
    "skolear", "niva", "niva_id", "niva_navn", "indikator", "enhet", "teller", "nevner", "verdi", "nedre", "ovre",
    "usikkerhet", "undertrykt", "status", "merknad", "kilde", "lisens", "syntetisk",
)
st.download_button(
    T["last_ned"], lambda: csvexport.to_csv(uttrekk),
    file_name=csvexport.file_name("offentlig_statistikk", f"{valgt}_{indikator}", synthetic=False),
    mime="text/csv", icon=":material/download:", on_click="ignore", key="o_csv",
)


# --- reading the figures -----------------------------------------------------------------------------
st.header(T["les_riktig"])
st.markdown(ind["beskrivelse"])
st.subheader(T["to_aar"].format(n={1: "ett", 2: "to", 3: "tre"}.get(len(aar), len(aar))))
st.markdown("\n".join(f"- {line}" for line in IKKE_KONKLUDER))
st.subheader(T["om_tallene"])
st.markdown("\n".join(f"- {line}" for line in OM_TALLENE))
st.subheader(T["kilder"])
st.markdown(T["kilder_tekst"])
kilder = queries.public_sources()
st.dataframe(
    kilder.select(
        pl.col("beskrivelse").alias("Innhold"), pl.col("skolear").alias("Skoleår"),
        pl.col("hentet").alias("Hentet"), pl.col("opprinnelse").alias("Opprinnelse"),
        pl.col("lisens").alias("Lisens"), pl.col("antall_skjult").alias("Skjulte celler"),
        pl.col("merknader").list.join(" ").alias("Merknader"), pl.col("fil").alias("Fil"),
    ),
    hide_index=True, width="stretch",
)

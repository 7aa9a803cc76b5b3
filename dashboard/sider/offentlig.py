"""Offentlig statistikk: a collaboration's municipalities, the collaboration, its county and the
country per school year in Udir's public figures, the collaboration's period marked, and a map.
Words, charts and the map are in dashboard/offentlig.py; every text is in tekster.yaml."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from dashboard import charts, csvexport, filters, komponenter, markup, queries, tekster
from dashboard import offentlig as o
from dashboard.palette import legend as legend_block
from dashboard.tekster import t

f = filters.current()
komponenter.heading(t("offentlig.tittel"))
st.badge(t("offentlig.merke"), icon=":material/verified:", color="blue")
st.caption(t("offentlig.ingress"))

katalog = queries.public_indicators()
if katalog.is_empty():
    st.info(t("offentlig.ingen_tall"))
    st.stop()
samarbeid = queries.partnerships(f).filter(pl.col("kommunenumre").list.len() > 0)
if samarbeid.is_empty():
    st.info(t("offentlig.ingen_samarbeid"))
    st.stop()

navn = dict(zip(samarbeid["partnerskap_id"], samarbeid["kortnavn"]))
indikatorer = {r["indikator"]: r for r in katalog.iter_rows(named=True)}
ind_navn = {i: o.indicator_name(i, r["navn"]) for i, r in indikatorer.items()}
left, right = st.columns([2, 3])
filters.check_link("o_samarbeid", list(navn), navn.get)
valgt = left.selectbox(t("offentlig.samarbeid"), list(navn), format_func=navn.get, key="o_samarbeid",
                       bind="query-params")
filters.check_link("o_indikator", list(indikatorer), ind_navn.get)
indikator = right.selectbox(t("offentlig.indikator"), list(indikatorer), format_func=ind_navn.get,
                            key="o_indikator", bind="query-params")
ind = indikatorer[indikator]
p = samarbeid.filter(pl.col("partnerskap_id") == valgt).row(0, named=True)
# counts, shares and days start at zero; scale scores (national mean 50) do not
enhet, desimaler, zero = ind["enhet"], ind["desimaler"], ind["enhet"] != "skalapoeng"
axis_title = t(f"offentlig.enhet.{enhet}")

rader = o.with_text(queries.public_partnership(valgt, indikator), enhet, desimaler)
# the school years with a figure for the collaboration or one of its municipalities (a table Udir
# published for a few places only, like GSI for Bergen before 2024, adds no empty years here)
egne = rader.filter(pl.col("niva").is_in(["partnerskap", "kommune"]) & (pl.col("status") != "mangler"))
aar = sorted(set(egne["ar"].to_list())) or sorted(int(s[:4]) for s in ind["skolear"])
rader = rader.filter(pl.col("ar").is_in(aar))
slutt = p["forlenget_til"] or p["slutt_ar"]
periode = o.period_years(p["start_ar"], slutt)
kommuner = (
    queries.partnership_municipalities(filters.Filters(partnerskap=(valgt,)))
    .select("kommunenummer", "kommunenavn_kort", "fylkesnummer").unique().sort("kommunenavn_kort")
)

# --- the collaboration in one box: members, period, and how the years lie against it -------------
with st.container(border=True):
    st.markdown(t("offentlig.kommuner", kommuner=markup.md(", ".join(kommuner["kommunenavn_kort"])) or "–"))
    st.markdown(t("offentlig.periode", periode=markup.md(p["periode_visning"])) if periode else t("offentlig.periode_ukjent"))
    st.markdown(o.period_text(aar, p["start_ar"], slutt))
    typer = [c for c in p["enhetstyper"] if c != "ppt"]
    if typer and "skole" not in typer:
        st.markdown(t("offentlig.barnehage", typer=f" {t('offentlig.og')} ".join(
            markup.md(tekster.kode("enhetstype", c).lower()) for c in typer)))
    if p["omfang"] == "enhet":
        st.markdown(t("offentlig.omfang_enhet", enheter=markup.md(", ".join(p["enheter"]))))
if (serie := o.series_note(ind)) is not None:
    st.markdown(t("offentlig.tidsserien", tekst=markup.md(serie)))
if not ind["summerbar"]:
    grunn = t("offentlig.grunn_median" if ind["type"] == "median" else "offentlig.grunn_oppgitt")
    st.info(t("offentlig.ikke_summerbar", navn=markup.md(ind_navn[indikator]), grunn=grunn))

# --- the years, then the municipalities beside the map ------------------------------------------------
if rader.filter(pl.col("status") != "mangler").is_empty():
    st.info(t("offentlig.ingen_i_samarbeid", navn=markup.md(ind_navn[indikator]), samarbeid=markup.md(navn[valgt])))
    rader = rader.clear()
st.subheader(t("offentlig.over_tid"))
omrader = rader.filter(pl.col("niva") != "kommune")
if omrader.is_empty():
    st.caption(t("offentlig.ingen_graf"))
else:
    spec, data = o.over_time(omrader, periode, axis_title, zero, ind["brudd_ar"])
    charts.show(spec, data, f"{ind_navn[indikator]}: {t('offentlig.over_tid')}")
    st.caption(t("offentlig.band_forklaring", periode=markup.md(p["periode_visning"])) if periode else t("offentlig.kilde"))

valgt_aar = aar[-1]
if len(aar) > 1:
    filters.check_link("o_ar", aar, o.school_year)
    valgt_aar = st.segmented_control(
        t("offentlig.skolear"), aar, format_func=o.school_year, default=aar[-1], key="o_ar", bind="query-params",
    ) or aar[-1]
label = o.school_year(valgt_aar)
# the bars take the full width: their value texts need room beside the bars
st.subheader(t("offentlig.kommunene", aar=label))
dette_aar = rader.filter(pl.col("ar") == valgt_aar)
if dette_aar.is_empty():
    st.caption(t("offentlig.ingen_graf"))
else:
    spec, data = o.municipalities(dette_aar, axis_title, zero)
    charts.show(spec, data, f"{ind_navn[indikator]}: {t('offentlig.kommunene', aar=label)}")
    st.caption(t("offentlig.kilde"))

st.subheader(t("offentlig.kart", aar=label))
map_col, legend_col = st.columns([3, 2], gap="large")
deck, legend, kart_tabell = o.map_deck(
    queries.public_map(indikator, f"{valgt_aar}-{(valgt_aar + 1) % 100:02d}"),
    queries.map_municipalities(filters.Filters()), set(kommuner["kommunenummer"]),
    set(kommuner["fylkesnummer"]), enhet, desimaler,
)
map_col.pydeck_chart(deck, height=600, width="stretch",
                     alt=t("offentlig.kart_alt", navn=ind_navn[indikator].lower(), aar=label))
with legend_col:
    legend_block(ind_navn[indikator], legend)
    st.caption(t("offentlig.kart_klasser") + " " + t("offentlig.kilde") + " " + t("felles.attribusjon_kart"))
    with st.expander(t("offentlig.kart_tabell")):
        komponenter.table(kart_tabell.sort("kommune"), [
            ("kommune", t("offentlig.kol_omrade"), komponenter.TEXT),
            ("fylke", t("offentlig.niva_fylke"), komponenter.TEXT),
            ("tekst", t("offentlig.kol_verdi"), komponenter.TEXT),
        ], key="o_kart_tabell")

og = f" {t('offentlig.og')} "
for row in (omrader.filter(pl.col("notat") != "").group_by("omrade", "notat", maintain_order=True)
            .agg(pl.col("skolear_tekst").unique(maintain_order=True)).iter_rows(named=True)):
    st.markdown(f"- **{markup.md(row['omrade'])}, {markup.md(og.join(row['skolear_tekst']))}:** {markup.md(row['notat'])}")

# --- the numbers, and a download that says what it is -------------------------------------------------
st.subheader(t("offentlig.tabell"))
nivaer = {k: t(f"offentlig.niva_{k}") for k in o.NIVA_ORDER}
tabell = rader.with_columns(pl.col("niva").replace_strict(nivaer, return_dtype=pl.Utf8).alias("niva_vist"))
kolonner = [
    ("skolear_tekst", t("offentlig.kol_skolear"), komponenter.TEXT),
    ("omrade", t("offentlig.kol_omrade"), komponenter.TEXT),
    ("niva_vist", t("offentlig.kol_niva"), komponenter.TEXT),
    ("tekst", t("offentlig.kol_verdi"), komponenter.TEXT),
    ("teller", t("offentlig.kol_teller"), komponenter.MEAN if ind["type"] == "snitt" else komponenter.INT),
    ("nevner", t("offentlig.kol_nevner"), komponenter.INT),
]
if rader["usikkerhet"].is_not_null().any():
    kolonner.append(("usikkerhet", t("offentlig.kol_usikkerhet"), komponenter.MEAN))
kolonner.append(("notat", t("offentlig.kol_merknad"), komponenter.TEXT))
komponenter.table(tabell, kolonner, key="o_tabell")
uttrekk = rader.select(
    "skolear", "niva", "niva_id", "niva_navn", "indikator", "enhet", "teller", "nevner", "verdi", "nedre",
    "ovre", "usikkerhet", "undertrykt", "status", "merknad", "kilde", "lisens", "syntetisk",
)
header = [t("offentlig.fil_tittel", indikator=ind_navn[indikator], samarbeid=navn[valgt]), t("offentlig.ekte_tall"),
          t("offentlig.kilde"), f"{t('eksport.laget')}: {dt.date.today().isoformat()}"]
st.download_button(
    t("offentlig.last_ned"), lambda: csvexport.to_csv(uttrekk, header=header),
    file_name=csvexport.file_name("offentlig_statistikk", f"{valgt}_{indikator}", synthetic=False),
    mime="text/csv", icon=":material/download:", on_click="ignore", key="o_csv",
)

# --- reading the figures -----------------------------------------------------------------------------
st.header(t("offentlig.les_riktig"))
st.markdown(o.description(ind))
antall = t("offentlig.tall_ord").split()
st.subheader(t("offentlig.to_aar", n=antall[len(aar) - 1] if len(aar) <= len(antall) else len(aar)))
st.markdown(t("offentlig.ikke_konkluder"))
st.subheader(t("offentlig.om_tallene"))
st.markdown(t("offentlig.om_tallene_tekst"))
st.subheader(t("offentlig.kilder"))
st.markdown(t("offentlig.kilder_tekst"))
opprinnelse = {"med i prosjektet": "prosjekt", "importert": "importert", "hentet": "hentet"}  # ikke-tekst: codes
kilder = queries.public_sources().with_columns(
    pl.col("opprinnelse").replace_strict({k: tekster.kode("offentlig_opprinnelse", v) for k, v in opprinnelse.items()},
                                         default=pl.col("opprinnelse")).alias("opprinnelse_vist"),
    pl.when(pl.col("hentet") == "ikke registrert").then(pl.lit(t("offentlig.ikke_registrert")))  # ikke-tekst: a stored code
    .otherwise(pl.col("hentet")).alias("hentet_vist"),
    pl.col("merknader").list.join(" ").alias("merknader_vist"),
)
komponenter.table(kilder, [
    ("beskrivelse", t("offentlig.kol_innhold"), komponenter.TEXT),
    ("skolear", t("offentlig.kol_skolear"), komponenter.TEXT),
    ("hentet_vist", t("offentlig.kol_hentet"), komponenter.TEXT),
    ("opprinnelse_vist", t("offentlig.kol_opprinnelse"), komponenter.TEXT),
    ("lisens", t("offentlig.kol_lisens"), komponenter.TEXT),
    ("antall_skjult", t("offentlig.kol_skjulte"), komponenter.INT),
    ("merknader_vist", t("offentlig.kol_merknader"), komponenter.TEXT),
    ("fil", t("offentlig.kol_fil"), komponenter.TEXT),
], key="o_kilder")

"""Oversikt: headline figures for the current filter, what changed, and links into the pages."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import filters, fmt, komponenter, markup, palette, queries, tekster
from dashboard.tekster import t

f = filters.current()
data = queries.partnerships(f)
kommuner = queries.partnership_municipalities(f)
deltakelse = queries.participation(f)

komponenter.heading(t("oversikt.tittel"), f, survey=True)
st.caption(t("oversikt.ingress"))

if data.is_empty():
    st.info(t("felles.ingen_treff"))
    st.stop()

latest = deltakelse.filter(pl.col("runde") == f.runde) if f.runde else deltakelse.clear()
runde = tekster.runde(f.runde)
cols = st.columns(4)
cols[0].metric(t("oversikt.samarbeid"), fmt.tall(len(data)))
cols[1].metric(t("oversikt.kommuner"), fmt.tall(kommuner["kommunenummer"].n_unique()))
cols[2].metric(t("oversikt.enheter", runde=runde),
               fmt.tall(latest["antall_enheter"].sum() if latest.height else None))
cols[3].metric(
    t("oversikt.respondenter_minst" if latest.height and latest["skjulte"].sum() else "oversikt.respondenter",
      runde=runde),
    fmt.tall(latest["antall_respondenter"].sum() if latest.height else None),
    help=t("oversikt.respondenter_hjelp", k=queries.build_info().min_svar),
)

left, right = st.columns([3, 2])
with left:
    st.subheader(t("oversikt.endringer_tittel", runde=runde))
    endringer = queries.changes(f) if f.respondentgruppe and f.runde else pl.DataFrame()
    if endringer.is_empty():
        st.write(t("oversikt.ingen_endringer"))
    else:
        lines = []
        for row in endringer.iter_rows(named=True):
            # the change as the reader can check it: the difference of the two shown scores
            fra, til = round(row["fra_skaar"]), round(row["til_skaar"])
            good = (til > fra) == row["hoyere_er_bedre"]
            lines.append(t(
                "oversikt.endring_linje", navn=markup.md(row["niva_navn"]),
                indikator=markup.md(tekster.kode("indikator", row["indikator"], row["indikator_navn"])),
                fra=fmt.skaar(fra), til=fmt.skaar(til), endring=fmt.endring(til - fra),
                pil="▲" if til > fra else "▼", vurdering=t("oversikt.bedre" if good else "oversikt.svakere"),
                fra_runde=tekster.runde(row["fra_runde"]), til_runde=tekster.runde(row["til_runde"]),
            ))
        st.markdown("\n".join(f"- {line}" for line in lines))
        st.caption(t("oversikt.endringer_forklaring"))
with right:
    st.subheader(t("oversikt.ga_videre"))
    for page, key, icon in [
        ("sider/kart.py", "side.kart", "map"), ("sider/tidslinje.py", "side.tidslinje", "timeline"),
        ("sider/indikatorer.py", "side.indikatorer", "bar_chart"),
        ("sider/sammenligning.py", "side.sammenligning", "compare_arrows"),
        ("sider/kartlegging.py", "side.kartlegging", "grid_on"), ("sider/data.py", "side.data", "download"),
    ]:
        st.page_link(page, label=t(key), icon=f":material/{icon}:")

st.subheader(t("oversikt.samarbeidene"))
tabell = data.select(
    "kortnavn",
    pl.col("periode_visning").fill_null(t("felles.ikke_oppgitt")).str.replace("-", "–", literal=True),
    pl.col("ordninger").list.eval(pl.element().replace(tekster.kode_map("ordning", palette.STRANDS)))
    .list.join(", ").replace("", t("felles.ikke_oppgitt")).alias("ordninger"),
    "antall_kommuner_oppfort",
    pl.col("uh_partnere").list.join(", "),
    "sepu_samarbeid",
)
komponenter.table(tabell, [
    ("kortnavn", t("kolonne.samarbeid"), komponenter.TEXT),
    ("periode_visning", t("kolonne.periode"), komponenter.TEXT),
    ("ordninger", t("kolonne.ordninger"), komponenter.TEXT),
    ("antall_kommuner_oppfort", t("kolonne.kommuner"), komponenter.INT),
    ("uh_partnere", t("kolonne.uh_partnere"), komponenter.TEXT),
    ("sepu_samarbeid", t("kolonne.sepu"), komponenter.YESNO),
])
komponenter.download(data, table="samarbeid", title=t("oversikt.samarbeidene"), f=f, key="dl_oversikt")

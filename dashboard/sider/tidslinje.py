"""Tidslinje: the collaborations over time, by region and grant strand, and one record in full."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from dashboard import charts, filters, fmt, komponenter, markup, palette, queries, tekster
from dashboard.tekster import t

f = filters.current()
data = queries.partnerships(f)
kommuner = queries.partnership_municipalities(f)

komponenter.heading(t("tidslinje.tittel"), f)
st.caption(t("tidslinje.ingress"))

if data.is_empty():
    st.info(t("felles.ingen_treff"))
    st.stop()

dated = data.filter(pl.col("start_ar").is_not_null())
undated = data.filter(pl.col("start_ar").is_null())
strand_label = tekster.kode_map("ordning", [*palette.STRANDS, "ikke_oppgitt"])
strand_colours = {strand_label[k]: c for k, c in palette.STRANDS.items()} | {
    strand_label["ikke_oppgitt"]: palette.NOT_STATED}

ORDER = ("start", "ordning", "navn")
filters.check_link("sorter", ORDER, lambda o: t(f"tidslinje.sorter_{o}"))
sort_by = st.segmented_control(
    t("tidslinje.sorter"), ORDER, format_func=lambda o: t(f"tidslinje.sorter_{o}"), default="start",
    key="sorter", bind="query-params",
) or "start"

# a period "2021–2024" runs to the end of 2024: the bar ends on the 1 January 2025 tick
ends = pl.coalesce("forlenget_til", "slutt_ar")
rows = dated.select(
    pl.col("partnerskap_id").alias("id"), pl.col("kortnavn").alias("samarbeid"),
    pl.col("ordninger").list.first().fill_null("ikke_oppgitt").alias("forste"),
    pl.when(pl.col("ordninger").list.len() > 0).then("ordninger")
    .otherwise(pl.lit(["ikke_oppgitt"])).alias("ordning"),
    pl.date("start_ar", 1, 1).alias("fra"), pl.date(pl.col("slutt_ar") + 1, 1, 1).alias("til"),
    pl.date(ends + 1, 1, 1).alias("slutt"),
    pl.col("periode_visning").str.replace_all("-", "–", literal=True).alias("periode"),
    pl.col("region").fill_null(t("felles.ikke_oppgitt")).alias("region"),
    pl.col("antall_kommuner_oppfort").alias("kommuner"),
)
sort_columns = {"start": ["fra", "samarbeid"], "ordning": ["forste", "fra"], "navn": ["samarbeid"]}
order = rows.sort(sort_columns[sort_by])["samarbeid"].to_list()
bars = rows.explode("ordning").with_columns(
    pl.col("ordning").replace_strict(strand_label, default=pl.col("ordning")),
    (pl.int_range(pl.len()).over("id") == pl.len().over("id") - 1).alias("er_siste"),
)
extensions = dated.filter(pl.col("forlenget_fra").is_not_null()).select(
    pl.col("kortnavn").alias("samarbeid"), pl.date("forlenget_fra", 1, 1).alias("fra"),
    pl.date(pl.col("forlenget_til") + 1, 1, 1).alias("til"),
)
tooltip = [
    {"field": "samarbeid", "title": t("kolonne.samarbeid")}, {"field": "region", "title": t("tidslinje.region")},
    {"field": "periode", "title": t("kolonne.periode")}, {"field": "ordning", "title": t("filter.ordning")},
    {"field": "kommuner", "title": t("kolonne.kommuner")},
]
used = bars["ordning"].unique().to_list()
spec, chart_data = charts.gantt(
    bars, extensions, today=dt.date.today(), order=order,
    strands={k: v for k, v in strand_colours.items() if k in used}, today_label=t("tidslinje.i_dag"),
    tooltip=tooltip, legend_title=t("filter.ordning"),
)
event = charts.show(spec, chart_data, t("tidslinje.alt"), on_select="rerun", key="gantt")
clicked = ((event or {}).get("selection") or {}).get("valg") or []
if clicked and clicked[0].get("id") != st.session_state.get("_gantt_valgt"):
    # a click on a bar chooses the collaboration shown in detail below (once per click)
    st.session_state["_gantt_valgt"] = clicked[0]["id"]
    st.session_state["samarbeid"] = clicked[0]["id"]
st.caption(t("tidslinje.forklaring"))

if not undated.is_empty():
    st.markdown(t("tidslinje.uten_periode", n=len(undated), navn=markup.md(", ".join(undated["kortnavn"].to_list())),
                  ikke_oppgitt=t("felles.ikke_oppgitt")))

st.divider()
st.header(t("tidslinje.detalj"))
names = dict(zip(data["partnerskap_id"], data["kortnavn"]))
if st.session_state.get("samarbeid") not in names:
    st.session_state.pop("samarbeid", None)  # chosen before the filters left it out
filters.check_link("samarbeid", list(names), names.get)
chosen = st.selectbox(t("tidslinje.velg"), list(names), format_func=names.get, key="samarbeid",
                      bind="query-params")
record = data.row(by_predicate=pl.col("partnerskap_id") == chosen, named=True)
ikke = t("felles.ikke_oppgitt")

st.subheader(markup.md(record["navn"]))
st.caption(t("tidslinje.kildetekst"))
if record["beskrivelse"]:
    st.markdown(markup.md(record["beskrivelse"]))
left, right = st.columns(2)
with left:
    periode = markup.md((record["periode_visning"] or ikke).replace("-", "–"))
    lines = [f"**{t('kolonne.periode')}:** {periode}"]
    if record["forlenget_fra"]:
        lines.append(f"**{t('tidslinje.forlenget')}:** {markup.md(record['forlenget_fra'])}–{markup.md(record['forlenget_til'])}")
    lines += [
        f"**{t('tidslinje.region')}:** {markup.md(record['region'] or ikke)}",
        f"**{t('tidslinje.oppdragsgiver')}:** {markup.md(record['oppdragsgiver'] or ikke)}",
        f"**{t('tidslinje.ordninger')}:** {markup.md(', '.join(strand_label.get(o, o) for o in record['ordninger']) or ikke)}",
        f"**{t('kolonne.uh_partnere')}:** {markup.md(fmt.liste(record['uh_partnere']))}",
        f"**{t('tidslinje.andre_partnere')}:** {markup.md(fmt.liste(record['andre_partnere']))}",
    ]
    facts = {"kommuner": record["antall_kommuner"], "barnehager": record["antall_barnehager"],
             "skoler": record["antall_skoler"], "ppt": record["antall_ppt_kontor"]}
    stated = [f"{fmt.tall(v)} {t(f'tidslinje.antall_{k}')}" for k, v in facts.items() if v is not None]
    lines.append(f"**{t('tidslinje.antall_kilde')}:** {', '.join(stated) if stated else ikke}")
    st.markdown("  \n".join(lines))
with right:
    members = kommuner.filter(pl.col("partnerskap_id") == chosen)
    if members.is_empty():
        st.markdown(f"**{t('kolonne.kommuner')}:** {ikke}")
    else:
        st.markdown(f"**{t('kolonne.kommuner')} ({len(members)}):**")
        komponenter.table(members, [
            ("kommunenummer", t("kolonne.kommunenr"), komponenter.TEXT),
            ("kommunenavn_kort", t("kolonne.kommune"), komponenter.TEXT),
            ("fylkesnavn", t("kolonne.fylke"), komponenter.TEXT),
        ], key="medlemmer")
    if record["enheter"]:
        st.markdown(f"**{t('tidslinje.enheter')}:** {markup.md(fmt.liste(record['enheter']))}")

for key in ("malgrupper", "temaer", "kompetansepakker", "mal"):
    values = record[key]
    st.markdown(f"**{t(f'tidslinje.{key}')}:** " + (ikke if not values else ""))
    if values:
        st.markdown("\n".join(f"- {markup.md(v)}" for v in values))
kilder = queries.sources()
titles = dict(zip(kilder["dokument"], kilder["tittel"]))
st.markdown(f"**{t('tidslinje.kilder')}:** "
            + "; ".join(f"«{markup.md(titles.get(d, d))}»" for d in record["kilder"]))
if record["datakvalitet"]:
    st.warning(f"**{t('tidslinje.datakvalitet')}**\n\n" + "\n".join(f"- {markup.md(n)}" for n in record["datakvalitet"]))
komponenter.download(data, table="samarbeid", title=t("tidslinje.tittel"), f=f, key="dl_tidslinje")

"""Tidslinje: the collaborations over time, by region and grant strand, and one record in full."""

from __future__ import annotations

import datetime as dt

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, filters, fmt, palette, queries, tekster

f = filters.current()
data = queries.partnerships(f)
kommuner = queries.partnership_municipalities(f)

st.title("Tidslinje for samarbeidene")
st.caption(
    "Periodene slik kildene oppgir dem, med forlengelser. Fargen viser tilskuddsordningene "
    "samarbeidet hører til; loddrett strek er dagens dato."
)

if data.is_empty():
    st.info(tekster.INGEN_TREFF)
    st.stop()

dated = data.filter(pl.col("start_ar").is_not_null())
undated = data.filter(pl.col("start_ar").is_null())

bars = dated.select(
    pl.col("partnerskap_id").alias("id"),
    pl.col("kortnavn").alias("Samarbeid"),
    pl.col("navn").alias("Navn"),
    pl.col("region").fill_null(tekster.KILDE_TAUS).alias("Region"),
    pl.col("ordninger_tekst").fill_null("Ordning ikke oppgitt").alias("Ordninger"),
    pl.date(pl.col("start_ar"), 1, 1).alias("Fra"),
    pl.date(pl.col("slutt_ar"), 12, 31).alias("Til"),
    pl.col("periode_visning").alias("Periode"),
    pl.col("antall_kommuner_oppfort").alias("Kommuner"),
    pl.col("uh_partnere").list.join(", ").alias("UH-partnere"),
    pl.col("sepu_samarbeid").replace_strict({True: "Ja", False: "Nei"}).alias("SePU"),
)
extensions = dated.filter(pl.col("forlenget_fra").is_not_null()).select(
    pl.col("kortnavn").alias("Samarbeid"),
    pl.date(pl.col("forlenget_fra"), 1, 1).alias("Fra"),
    pl.date(pl.col("forlenget_til"), 12, 31).alias("Til"),
    pl.format("Forlenget {}–{}", "forlenget_fra", "forlenget_til").alias("Forlengelse"),
)
ORDER = {"start": "Oppstart", "ordning": "Tilskuddsordning", "region": "Region (navn)"}
sort_by = st.segmented_control(
    "Sorter etter", list(ORDER), format_func=ORDER.get, default="start", key="sorter",
    bind="query-params",
) or "start"
sort_columns = {"start": ["Fra", "Samarbeid"], "ordning": ["Ordninger", "Fra"], "region": ["Samarbeid"]}
order = bars.sort(sort_columns[sort_by])["Samarbeid"].to_list()
pick = alt.selection_point(fields=["id"], name="valg", on="click")
NOT_STATED = "Ordning ikke oppgitt"
strand_domain = sorted(v for v in bars["Ordninger"].unique() if v != NOT_STATED) + [NOT_STATED]
strand_range = [palette.hex_of(c) for c in palette.categorical(strand_domain[:-1]).values()] + ["#b0b0b0"]
y = alt.Y("Samarbeid:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
x = alt.X("Fra:T", title=None, axis=alt.Axis(format="%Y", tickCount="year", grid=True))
tooltip = [
    "Navn:N", "Region:N", "Periode:N", "Ordninger:N", "Kommuner:Q", "UH-partnere:N", "SePU:N",
]
gantt = (
    alt.Chart(bars)
    .mark_bar(cornerRadius=3, height={"band": 0.7})
    .encode(
        x=x, x2="Til:T", y=y, tooltip=tooltip,
        color=alt.Color(
            "Ordninger:N", scale=alt.Scale(domain=strand_domain, range=strand_range),
            legend=alt.Legend(orient="bottom", columns=2, labelLimit=400),
        ),
        opacity=alt.condition(pick, alt.value(1), alt.value(0.45)),
    )
    .add_params(pick)
)
ext = (
    alt.Chart(extensions)
    .mark_bar(height={"band": 0.25}, color="#222", opacity=0.55)
    .encode(x="Fra:T", x2="Til:T", y=y, tooltip=["Samarbeid:N", "Forlengelse:N"])
)
today = (
    alt.Chart(pl.DataFrame({"I dag": [dt.date.today()]}))
    .mark_rule(color="#c0392b", strokeDash=[4, 3], strokeWidth=2)
    .encode(x="I dag:T", tooltip=[alt.Tooltip("I dag:T", format="%d.%m.%Y")])
)
chart = (gantt + ext + today).properties(height=max(220, 30 * len(order)))
event = charts.show(
    chart, "Tidslinje over samarbeidene med perioder, forlengelser og dagens dato",
    on_select="rerun", key="gantt",
)
clicked = ((event or {}).get("selection") or {}).get("valg") or []
if clicked and clicked[0].get("id") != st.session_state.get("_gantt_valgt"):
    # a click on a bar chooses the collaboration shown in detail below (once per click)
    st.session_state["_gantt_valgt"] = clicked[0]["id"]
    st.session_state["samarbeid"] = clicked[0]["id"]
if not extensions.is_empty():
    st.caption(
        "Tynn mørk strek inne i en stolpe: perioden samarbeidet er forlenget med. "
        "Klikk på en stolpe for å se hele oppføringen nedenfor."
    )

if not undated.is_empty():
    st.markdown(
        f"**Uten oppgitt periode** ({len(undated)}): "
        + ", ".join(undated["kortnavn"].to_list())
        + f" – {tekster.KILDE_TAUS}."
    )

st.divider()
st.subheader("Samarbeidet i detalj")
names = dict(zip(data["partnerskap_id"], data["kortnavn"]))
if st.session_state.get("samarbeid") not in names:
    st.session_state.pop("samarbeid", None)  # chosen before the filters left it out
chosen = st.selectbox(
    "Velg samarbeid", list(names), format_func=names.get, key="samarbeid", bind="query-params"
)
record = data.row(by_predicate=pl.col("partnerskap_id") == chosen, named=True)

st.markdown(f"#### {record['navn']}")
if record["beskrivelse"]:
    st.write(record["beskrivelse"])
left, right = st.columns(2)
with left:
    st.markdown(f"**Periode:** {record['periode_visning'] or tekster.KILDE_TAUS}")
    if record["forlenget_fra"]:
        st.markdown(f"**Forlenget:** {record['forlenget_fra']}–{record['forlenget_til']}")
    st.markdown(f"**Region:** {record['region'] or tekster.KILDE_TAUS}")
    st.markdown(f"**Oppdragsgiver:** {record['oppdragsgiver'] or tekster.KILDE_TAUS}")
    st.markdown(f"**Tilskuddsordninger:** {record['ordninger_tekst'] or tekster.KILDE_TAUS}")
    st.markdown(f"**UH-partnere:** {fmt.liste(record['uh_partnere'])}")
    st.markdown(f"**Andre partnere:** {fmt.liste(record['andre_partnere'])}")
    facts = {
        "kommuner": record["antall_kommuner"], "barnehager": record["antall_barnehager"],
        "skoler": record["antall_skoler"], "PPT-kontor": record["antall_ppt_kontor"],
    }
    stated = [f"{fmt.tall(v)} {k}" for k, v in facts.items() if v is not None]
    st.markdown(f"**Antall ifølge kilden:** {', '.join(stated) if stated else tekster.KILDE_TAUS}")
with right:
    members = kommuner.filter(pl.col("partnerskap_id") == chosen).select(
        pl.col("kommunenummer").alias("Kommunenr."),
        pl.col("kommunenavn_kort").alias("Kommune"),
        pl.col("fylkesnavn").alias("Fylke"),
    )
    if members.is_empty():
        st.markdown(f"**Kommuner:** {tekster.KILDE_TAUS}")
    else:
        st.markdown(f"**Kommuner ({len(members)}):**")
        st.dataframe(members, hide_index=True, width="stretch")
    if record["enheter"]:
        st.markdown(f"**Enheter:** {fmt.liste(record['enheter'])}")

for title, key in [
    ("Målgrupper", "malgrupper"), ("Temaer", "temaer"),
    ("Kompetansepakker og forløp", "kompetansepakker"), ("Mål", "mal"),
]:
    values = record[key]
    st.markdown(f"**{title}:** " + (tekster.KILDE_TAUS if not values else ""))
    if values:
        st.markdown("\n".join(f"- {v}" for v in values))
kilder = queries.sources()
titles = dict(zip(kilder["dokument"], kilder["tittel"]))
st.markdown(
    "**Kilder:** "
    + "; ".join(f"«{titles.get(d, d)}» (dokument {d[:3]})" for d in record["kilder"])
)
if record["datakvalitet"]:
    st.warning("**Merknader om datakvalitet**\n\n" + "\n".join(f"- {n}" for n in record["datakvalitet"]))

"""Kart: municipalities coloured by collaboration or grant strand, with county borders."""

from __future__ import annotations

import json

import polars as pl
import pydeck as pdk
import streamlit as st

from dashboard import filters, palette, queries, tekster

f = filters.current()
info = queries.build_info()
kommuner = queries.map_municipalities(f)
partnerskap = queries.partnerships(filters.Filters())  # names and strands of every collaboration
names = dict(zip(partnerskap["partnerskap_id"], partnerskap["kortnavn"]))
strand_names = dict(zip(queries.filter_options().ordninger["ordning"], queries.filter_options().ordninger["kortnavn"]))

st.title("Kart over regionene")
mode = st.segmented_control(
    "Farg kommunene etter", ["Samarbeid", "Tilskuddsordning"], default="Samarbeid", key="kartfarge",
    bind="query-params",
) or "Samarbeid"

chosen = kommuner.filter(pl.col("i_utvalg"))
if chosen.is_empty():
    st.info(tekster.INGEN_TREFF)

if mode == "Samarbeid":
    ids = sorted({p for row in chosen["partnerskap_ider"] for p in row}, key=lambda p: names.get(p, p))
    colours = palette.categorical(ids)
    def colour_of(row) -> list[int]:
        if not row["i_utvalg"]:
            return palette.NONE
        own = row["partnerskap_ider"]
        return colours[own[0]] if len(own) == 1 else palette.MANY
    legend = [(names[p], colours[p]) for p in ids] + [("Flere samarbeid", palette.MANY)]
else:
    strands = sorted({s for row in chosen["ordninger"] for s in row})
    colours = palette.categorical(strands)
    def colour_of(row) -> list[int]:
        own = row["ordninger"] if row["i_utvalg"] else []
        if not own:
            return palette.NONE if not row["i_utvalg"] else palette.UNKNOWN
        return colours[own[0]] if len(own) == 1 else palette.MANY
    legend = [(strand_names.get(s, s), colours[s]) for s in strands] + [
        ("Flere ordninger", palette.MANY), ("Ordning ikke oppgitt", palette.UNKNOWN)
    ]
legend.append(("Ikke i utvalget", palette.NONE))

rows = []
for row in kommuner.iter_rows(named=True):
    rows.append({
        "kommunenummer": row["kommunenummer"],
        "kommunenavn": row["kommunenavn"],
        "fylke": row["fylkesnavn_kort"],
        "samarbeid": "; ".join(names.get(p, p) for p in row["partnerskap_ider"]) or "ingen i utvalget",
        "ordninger": ", ".join(strand_names.get(s, s) for s in row["ordninger"]) or "–",
        "farge": colour_of(row),
        "lat": row["lat"], "lon": row["lon"],
    })

tooltip = {
    "html": "<b>{kommunenavn}</b> ({kommunenummer})<br/>{fylke}<br/>Samarbeid: {samarbeid}"
            "<br/>Ordninger: {ordninger}",
    "style": {"backgroundColor": "#1b2631", "color": "white", "fontSize": "13px"},
}
grenser = queries.municipality_boundaries()
layers = []
if not grenser.is_empty():
    geometry = dict(zip(grenser["kommunenummer"], grenser["geometri"]))
    features = [
        {"type": "Feature", "geometry": json.loads(geometry[r["kommunenummer"]]), "properties": r}
        for r in rows if r["kommunenummer"] in geometry
    ]
    layers.append(pdk.Layer(
        "GeoJsonLayer", {"type": "FeatureCollection", "features": features}, id="kommuner",
        get_fill_color="properties.farge", get_line_color=[255, 255, 255, 200], line_width_min_pixels=0.5,
        pickable=True, auto_highlight=True, highlight_color=[255, 200, 0, 160],
    ))
    fylker = queries.county_boundaries()
    if not fylker.is_empty():
        layers.append(pdk.Layer(
            "GeoJsonLayer",
            {"type": "FeatureCollection", "features": [
                {"type": "Feature", "geometry": json.loads(g), "properties": {}} for g in fylker["geometri"]
            ]},
            id="fylker", filled=False, stroked=True, get_line_color=[60, 60, 60, 255],
            line_width_min_pixels=1.4, pickable=False,
        ))
else:
    st.caption("Kommunegrensene er ikke lastet: kommunene vises som punkter.")
    layers.append(pdk.Layer(
        "ScatterplotLayer", rows, id="kommuner", get_position="[lon, lat]", get_fill_color="farge",
        get_radius=6000, radius_min_pixels=3, radius_max_pixels=14, pickable=True,
        stroked=True, get_line_color=[255, 255, 255], line_width_min_pixels=0.5,
    ))

deck = pdk.Deck(
    layers=layers, map_provider=None, tooltip=tooltip,  # no basemap: sends nothing out
    initial_view_state=pdk.ViewState(latitude=64.6, longitude=15.5, zoom=3.7),
)
map_col, legend_col = st.columns([3, 1])
with map_col:
    event = st.pydeck_chart(
        deck, on_select="rerun", selection_mode="single-object", key="kartvalg", height=720,
        width="stretch",
    )
    if not grenser.is_empty():
        st.caption(tekster.ATTRIBUSJON_KART)
with legend_col:
    st.markdown(f"**{mode}**")
    st.html(palette.legend_html(legend))

selected = (event or {}).get("selection", {}).get("objects", {}).get("kommuner") or []
if selected:
    props = selected[0].get("properties", selected[0])
    st.subheader(f"{props['kommunenavn']} ({props['kommunenummer']})")
    st.markdown(f"**Fylke:** {props['fylke']}  \n**Samarbeid:** {props['samarbeid']}  \n**Ordninger:** {props['ordninger']}")

"""Kart: municipalities coloured by collaboration, grant strand or an indicator, county borders."""

from __future__ import annotations

import json

import polars as pl
import pydeck as pdk
import streamlit as st
from pydeck.bindings.json_tools import default_serialize

from dashboard import filters, fmt, komponenter, palette, queries, tekster

f = filters.current()
kommuner = queries.map_municipalities(f)
options = queries.filter_options()
names = dict(zip(options.partnerskap["partnerskap_id"], options.partnerskap["kortnavn"]))
strand_names = dict(zip(options.ordninger["ordning"], options.ordninger["kortnavn"]))

st.title("Kart over regionene")
MODES = ["Samarbeid", "Tilskuddsordning", "Indikator"]
left, right = st.columns([2, 2])
with left:
    mode = st.segmented_control(
        "Farg kommunene etter", MODES, default="Samarbeid", key="kartfarge", bind="query-params"
    ) or "Samarbeid"

chosen = kommuner.filter(pl.col("i_utvalg"))
if chosen.is_empty():
    st.info(tekster.INGEN_TREFF)

details: dict[str, str] = {}  # kommunenummer -> key figure for the tooltip
if mode == "Samarbeid":
    ids = sorted({p for row in chosen["partnerskap_ider"] for p in row}, key=lambda p: names.get(p, p))
    colours = palette.categorical(ids)

    def colour_of(row: dict) -> list[int]:
        own = row["partnerskap_ider"]
        if not row["i_utvalg"] or not own:
            return palette.NONE
        return colours[own[0]] if len(own) == 1 else palette.MANY

    legend = [(names[p], colours[p]) for p in ids] + [("Flere samarbeid", palette.MANY)]
elif mode == "Tilskuddsordning":
    strands = sorted({s for row in chosen["ordninger"] for s in row})
    colours = palette.categorical(strands)

    def colour_of(row: dict) -> list[int]:
        if not row["i_utvalg"]:
            return palette.NONE
        own = row["ordninger"]
        if not own:
            return palette.UNKNOWN
        return colours[own[0]] if len(own) == 1 else palette.MANY

    legend = [(strand_names.get(s, s), colours[s]) for s in strands] + [
        ("Flere ordninger", palette.MANY), ("Ordning ikke oppgitt", palette.UNKNOWN),
    ]
else:
    katalog = komponenter.indicators_or_stop(f)
    ind_names = katalog.navn
    with right:
        indikator = st.selectbox(
            "Indikator", list(ind_names), format_func=ind_names.get, key="kartindikator",
            bind="query-params",
        )
    higher_better = katalog.hoyere_er_bedre[indikator]
    results = {r["kommunenummer"]: r for r in queries.map_indicator(f, indikator).iter_rows(named=True)}
    bins = palette.score_bins(higher_better)

    def colour_of(row: dict) -> list[int]:
        result = results.get(row["kommunenummer"])
        if not row["i_utvalg"]:
            return palette.NONE
        if result is None or result["skaar"] is None:
            return palette.UNKNOWN
        return palette.score_colour(result["skaar"], bins)

    for code, r in results.items():
        details[code] = (
            f"{ind_names[indikator]}: {r['undertrykt_grunn']} ({r['runde']})" if r["undertrykt"]
            else f"{ind_names[indikator]}: {fmt.skaar(r['skaar'])} ({r['runde']}, {fmt.tall(r['antall_svar'])} svar)"
        )
    legend = [(label, colour) for label, colour in palette.score_legend(bins)] + [
        ("Ingen data eller skjult", palette.UNKNOWN),
    ]
    st.caption(
        f"Kommunenes siste resultat fram til runde {f.runde} for den valgte respondentgruppen. "
        + ("Høyere skår er bedre." if higher_better else "Høyere skår betyr mer av noe uønsket.")
    )
legend.append(("Ikke i utvalget", palette.NONE))

rows = [
    {
        "kommunenummer": row["kommunenummer"],
        "kommunenavn": row["kommunenavn"],
        "fylke": row["fylkesnavn_kort"],
        "samarbeid": "; ".join(names.get(p, p) for p in row["partnerskap_ider"]) or "ingen i utvalget",
        "ordninger": ", ".join(strand_names.get(s, s) for s in row["ordninger"]) or "–",
        "nokkeltall": details.get(row["kommunenummer"], ""),
        "farge": colour_of(row),
        "lat": row["lat"],
        "lon": row["lon"],
    }
    for row in kommuner.iter_rows(named=True)
]
tooltip = {
    "html": "<b>{kommunenavn}</b> ({kommunenummer})<br/>{fylke}<br/>Samarbeid: {samarbeid}"
    "<br/>Ordninger: {ordninger}<br/>{nokkeltall}",
    "style": {"backgroundColor": "#1b2631", "color": "white", "fontSize": "13px"},
}
geometries = queries.municipality_geometries()
layers = []
if geometries:
    features = [
        {"type": "Feature", "geometry": geometries[r["kommunenummer"]], "properties": r}
        for r in rows if r["kommunenummer"] in geometries
    ]
    layers.append(pdk.Layer(
        "GeoJsonLayer", {"type": "FeatureCollection", "features": features}, id="kommuner",
        get_fill_color="properties.farge", get_line_color=[255, 255, 255, 200],
        line_width_min_pixels=0.5, pickable=True, auto_highlight=True,
        highlight_color=[255, 200, 0, 160],
    ))
    counties = queries.county_geometries()
    if counties:
        layers.append(pdk.Layer(
            "GeoJsonLayer",
            {"type": "FeatureCollection", "features": [
                {"type": "Feature", "geometry": g, "properties": {"fylkesnummer": c}}
                for c, g in counties.items()
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

class CompactDeck(pdk.Deck):
    """pydeck indents its JSON (two spaces per nesting level of every coordinate): write it
    compact instead, with pydeck's own serialiser for the objects."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


deck = CompactDeck(
    layers=layers, map_provider=None, tooltip=tooltip,  # no basemap: the page sends nothing out
    initial_view_state=pdk.ViewState(latitude=64.6, longitude=15.5, zoom=3.7),
)
map_col, legend_col = st.columns([3, 1])
with map_col:
    event = st.pydeck_chart(
        deck, on_select="rerun", selection_mode="single-object", key="kartvalg", height=720,
        width="stretch", alt=f"Kart over Norges kommuner farget etter {mode.lower()}",
    )
    if geometries:
        st.caption(tekster.ATTRIBUSJON_KART)
with legend_col:
    st.markdown(f"**{mode}**")
    st.html(palette.legend_html(legend))


def _narrow_to(key: str, value: str) -> None:
    st.session_state[key] = [value]


selected = ((event or {}).get("selection") or {}).get("objects", {}).get("kommuner") or []
if selected:
    props = selected[0].get("properties", selected[0])
    with st.container(border=True):
        st.subheader(f"{props['kommunenavn']} ({props['kommunenummer']})")
        st.markdown(
            f"**Fylke:** {props['fylke']}  \n**Samarbeid:** {props['samarbeid']}  \n"
            f"**Ordninger:** {props['ordninger']}" + (f"  \n{props['nokkeltall']}" if props.get("nokkeltall") else "")
        )
        st.button(
            f"Vis bare {props['kommunenavn']} på alle sidene", on_click=_narrow_to,
            args=("kommune", props["kommunenummer"]), icon=":material/filter_alt:",
        )

"""Kart: municipalities coloured by collaboration, grant strand or an indicator, zoomed to the
selection, with labels on the map and a click that opens the municipality.

The boundaries travel once (kartgrunnlag: a static file the browser keeps); each rerun sends a
colour class per municipality, the labels and the view, a few kilobytes.
"""

from __future__ import annotations

import json

import polars as pl
import pydeck as pdk
import streamlit as st
from pydeck.bindings.json_tools import default_serialize

from dashboard import filters, fmt, kartgrunnlag, komponenter, palette, queries, tekster
from dashboard.tekster import t

f = filters.current()
kommuner = queries.map_municipalities(f)
n = filters.names()

MODES = ("samarbeid", "ordning", "indikator")
komponenter.heading(t("kart.tittel"), f)
left, right = st.columns([2, 2])
# notes go into one slot that is always there: an element that comes and goes above the map would
# move the map in the page, and the browser would then build it again and fetch the boundaries anew
notes = st.container()
filters.check_link("kartfarge", MODES, lambda m: t(f"kart.farge_{m}"))
mode = left.segmented_control(
    t("kart.farg_etter"), MODES, format_func=lambda m: t(f"kart.farge_{m}"), default="samarbeid",
    key="kartfarge", bind="query-params",
) or "samarbeid"

chosen = kommuner.filter(pl.col("i_utvalg"))
if chosen.is_empty():
    notes.info(t("felles.ingen_treff"))

# one colour class per municipality: an index into `colours`; 0 is "outside the selection"
colours: list[str] = [palette.OUTSIDE]
legend: list[tuple[str, str]] = []
klass: dict[str, int] = {}
labels: list[dict] = []  # text on the map: collaboration names, or scores
detail: dict[str, str] = {}  # kommunenummer -> the key figure of the detail panel
legend_title = t(f"kart.farge_{mode}")

if mode == "samarbeid":
    # each collaboration has its fixed colour (palette.collaboration: neighbours differ, the same
    # on every page); the name is written on the map
    centres = (chosen.explode("partnerskap_ider").group_by("partnerskap_ider")
               .agg(pl.col("lat").mean(), pl.col("lon").mean(), pl.len().alias("antall"))
               .drop_nulls("partnerskap_ider").sort("lon"))
    ids = centres["partnerskap_ider"].to_list()
    for p in ids:
        colours.append(palette.collaboration(p))
    legend = sorted(((n.partnerskap.get(p, p), palette.collaboration(p)) for p in ids), key=lambda item: item[0])
    labels = [{"tekst": n.partnerskap.get(r["partnerskap_ider"], r["partnerskap_ider"]),
               "lon": r["lon"], "lat": r["lat"]} for r in centres.iter_rows(named=True)]
    colours.append(palette.SEVERAL)
    legend.append((t("kart.flere_samarbeid"), palette.SEVERAL))
    for row in chosen.iter_rows(named=True):
        own = row["partnerskap_ider"]
        klass[row["kommunenummer"]] = 1 + ids.index(own[0]) if len(own) == 1 else len(colours) - 1
elif mode == "ordning":
    strands = list(palette.STRANDS)
    colours += [palette.STRANDS[s] for s in strands] + [palette.INK, palette.NOT_STATED]
    legend = [(tekster.kode("ordning", s), palette.STRANDS[s]) for s in strands] + [
        (t("kart.flere_ordninger"), palette.INK), (tekster.kode("ordning", "ikke_oppgitt"), palette.NOT_STATED)]
    for row in chosen.iter_rows(named=True):
        own = [s for s in row["ordninger"] if s in palette.STRANDS]
        klass[row["kommunenummer"]] = (
            len(colours) - 1 if not own else 1 + strands.index(own[0]) if len(own) == 1 else len(colours) - 2)
else:
    katalog = komponenter.indicators_or_stop(f)
    filters.check_link("kartindikator", list(katalog.navn), katalog.navn.get)
    indikator = right.selectbox(t("indikatorer.indikator"), list(katalog.navn), format_func=katalog.navn.get,
                                key="kartindikator", bind="query-params")
    legend_title = f"{katalog.navn[indikator]} ({t('kolonne.skaar').lower()})"
    results = {r["kommunenummer"]: r for r in queries.map_indicator(f, indikator).iter_rows(named=True)}
    scale = palette.SCORE_CLASSES if katalog.hoyere_er_bedre[indikator] else palette.SCORE_CLASSES[::-1]
    colours += scale + [palette.NO_DATA]
    edges = palette.SCORE_EDGES
    legend = [(t("kart.under", grense=edges[0]), scale[0])] + [
        (f"{lo}–{hi - 1}", c) for lo, hi, c in zip(edges, edges[1:], scale[1:])] + [
        (t("kart.og_over", grense=edges[-1]), scale[-1]), (t("kart.ingen_data"), palette.NO_DATA)]
    for row in chosen.iter_rows(named=True):
        r = results.get(row["kommunenummer"])
        score = None if r is None or r["undertrykt"] else r["skaar"]
        klass[row["kommunenummer"]] = len(colours) - 1 if score is None else 1 + palette.score_class(score)
        if r is not None:
            detail[row["kommunenummer"]] = (
                t("kart.skjult", runde=tekster.runde(r["runde"])) if score is None
                else t("kart.skaar_detalj", skaar=fmt.skaar(score), runde=tekster.runde(r["runde"]),
                       svar=fmt.tall(r["antall_svar"])))
        if score is not None and chosen.height <= 60:
            labels.append({"tekst": fmt.skaar(score), "lon": row["lon"], "lat": row["lat"]})
    notes.caption(t("kart.indikator_forklaring", runde=tekster.runde(f.runde)) + " "
                  + t("felles.hoyere_bedre" if katalog.hoyere_er_bedre[indikator] else "felles.lavere_bedre"))
legend.append((t("kart.utenfor"), palette.OUTSIDE))

geo = kartgrunnlag.geometry()
codes = kommuner["kommunenummer"].to_list()
fill = [palette.rgb(c, 230) for c in colours]
fill[0] = palette.rgb(palette.OUTSIDE, 255)
bounds = [geo.bounds[c] for c in chosen["kommunenummer"] if c in geo.bounds] or [
    (lon - 0.3, lat - 0.15, lon + 0.3, lat + 0.15) for lon, lat in zip(chosen["lon"], chosen["lat"])]
lat, lon, zoom = kartgrunnlag.fit(bounds)
layers = []
if geo.kommuner is not None:
    classes = [0] * len(geo.index)
    for code, k in klass.items():
        if code in geo.index:
            classes[geo.index[code]] = k
    trigger = json.dumps([classes, colours])
    layers.append(pdk.Layer(
        "GeoJsonLayer", geo.kommuner, id="kommuner",
        # a small lookup instead of the geometry: class per municipality, colour per class (the
        # parentheses let deck.gl's expression parser index an array literal)
        get_fill_color=f"({json.dumps(fill)})[({json.dumps(classes)})[properties.i]]",
        update_triggers={"getFillColor": trigger},
        get_line_color=[120, 120, 120, 255], line_width_min_pixels=0.6,
        pickable=True, auto_highlight=True, highlight_color=palette.rgb(palette.HIGHLIGHT, 200),
    ))
    if geo.fylker is not None:
        layers.append(pdk.Layer("GeoJsonLayer", geo.fylker, id="fylker", filled=False, stroked=True,
                                get_line_color=[40, 40, 40, 255], line_width_min_pixels=1.6, pickable=False))
else:
    points = [{"kommunenummer": c, "kommunenavn": name, "fylke": fylke, "samarbeid": "; ".join(
        n.partnerskap.get(p, p) for p in ids_) or "–", "lon": x, "lat": y_,
        "farge": fill[klass.get(c, 0)] if klass.get(c, 0) else palette.rgb("#d9d9d9")}
        for c, name, fylke, ids_, x, y_ in zip(codes, kommuner["kommunenavn"], kommuner["fylkesnavn_kort"],
                                                kommuner["partnerskap_ider"], kommuner["lon"], kommuner["lat"])]
    layers.append(pdk.Layer(
        "ScatterplotLayer", points, id="kommuner", get_position="[lon, lat]", get_fill_color="farge",
        get_radius=6000, radius_min_pixels=4, radius_max_pixels=14, pickable=True,
        stroked=True, get_line_color=[60, 60, 60], line_width_min_pixels=0.5,
    ))
if labels:
    layers.append(pdk.Layer(
        "TextLayer", labels, id="etiketter", get_position="[lon, lat]", get_text="tekst", get_size=16,
        size_units='"pixels"', get_color=palette.rgb(palette.INK), background=True,
        get_background_color=[255, 255, 255, 235], background_padding=[4, 2], pickable=False,
        # quoted: pydeck would otherwise read a plain string as an accessor expression
        character_set='"auto"', font_family='"Source Sans Pro, Arial, sans-serif"', font_weight=600,  # ikke-tekst
    ))


class CompactDeck(pdk.Deck):
    """pydeck indents its JSON; write it compact, with pydeck's own serialiser for the objects."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


tooltip = {
    "html": t("kart.verktoytips"),
    "style": {"backgroundColor": palette.INK, "color": "white", "fontSize": "16px"},
}
deck = CompactDeck(
    layers=layers, map_provider=None, tooltip=tooltip,  # no basemap: the page sends nothing out
    initial_view_state=pdk.ViewState(latitude=lat, longitude=lon, zoom=zoom),
)
map_col, legend_col = st.columns([3, 1])
with map_col:
    event = st.pydeck_chart(
        deck, on_select="rerun", selection_mode="single-object", key="kartvalg", height=680,
        width="stretch", alt=t("kart.alt", farge=legend_title.lower()),
    )
    st.caption(t("kart.klikk") + (" " + t("felles.attribusjon_kart") if geo.kommuner is not None
                                  else " " + t("kart.punkter")))
with legend_col:
    st.html(palette.legend_html(legend_title, legend))


def _narrow_to(key: str, value: str) -> None:
    st.session_state[key] = [value]


selected = ((event or {}).get("selection") or {}).get("objects", {}).get("kommuner") or []
if selected:
    props = selected[0].get("properties", selected[0])
    code = props["kommunenummer"]
    row = kommuner.row(by_predicate=pl.col("kommunenummer") == code, named=True)
    with st.container(border=True):
        st.subheader(f"{row['kommunenavn']} ({code})")
        lines = [
            f"**{t('kolonne.fylke')}:** {row['fylkesnavn_kort']}",
            f"**{t('kolonne.samarbeid')}:** " + ("; ".join(n.partnerskap.get(p, p) for p in row["partnerskap_ider"])
                                                 or t("kart.ingen_i_utvalget")),
            f"**{t('kolonne.ordninger')}:** " + (", ".join(tekster.kode("ordning", s) for s in row["ordninger"]) or "–"),
        ] + ([detail[code]] if code in detail else [])
        st.markdown("  \n".join(lines))
        st.button(t("kart.vis_bare", kommune=row["kommunenavn"]), on_click=_narrow_to, args=("kommune", code),
                  icon=":material/filter_alt:")

if not chosen.is_empty():
    with st.expander(t("kart.tabell")):
        table = chosen.with_columns(
            pl.col("partnerskap_ider").list.eval(pl.element().replace(n.partnerskap)).list.join("; ").alias("samarbeid"),
            pl.col("ordninger").list.eval(pl.element().replace(tekster.kode_map("ordning", palette.STRANDS)))
            .list.join(", ").alias("ordninger_vist"),
            pl.col("kommunenummer").replace_strict(detail, default="").alias("nokkeltall"),
        )
        komponenter.table(table, [
            ("kommunenummer", t("kolonne.kommunenr"), komponenter.TEXT),
            ("kommunenavn", t("kolonne.kommune"), komponenter.TEXT),
            ("fylkesnavn_kort", t("kolonne.fylke"), komponenter.TEXT),
            ("samarbeid", t("kolonne.samarbeid"), komponenter.TEXT),
            ("ordninger_vist", t("kolonne.ordninger"), komponenter.TEXT),
            *([("nokkeltall", legend_title, komponenter.TEXT)] if mode == "indikator" else []),
        ], key="kart_tabell")

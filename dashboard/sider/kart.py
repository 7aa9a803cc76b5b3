"""Kart: municipalities coloured by collaboration, grant strand or an indicator, framed to the
selection, with labels that never cover each other and a click that selects a municipality.

The boundaries travel once (kartgrunnlag: a static file the browser keeps); each rerun sends a
colour class per municipality, the labels and the view, a few kilobytes. The map has a fixed size
in pixels, so the labels are laid out on the server (kartetiketter) for exactly what the reader
sees. A click selects a municipality: the page shows it, outlines and names it on the map, and
writes it into the link (`?valgt=Kongsberg`), so a shared link shows the same selection.
"""

from __future__ import annotations

import json

import polars as pl
import pydeck as pdk
import streamlit as st
from pydeck.bindings.json_tools import default_serialize

from dashboard import (
    filters,
    fmt,
    kartetiketter,
    kartgrunnlag,
    komponenter,
    markup,
    palette,
    queries,
    tekster,
)
from dashboard.tekster import t

WIDTH, HEIGHT = kartetiketter.MAP
MODES = ("samarbeid", "ordning", "indikator")
CLICK = "kartvalg"  # the map widget's key, with a generation number (see _clicked)

f = filters.current()
kommuner = queries.map_municipalities(f)
n = filters.names()
geo = kartgrunnlag.geometry()


def _clicked() -> str | None:
    """The municipality clicked in the last run's map, if any. Each click starts a new generation
    of the map widget: Streamlit would otherwise keep the click as the map's own selection and fade
    every other area, and a chosen municipality must look the same whether it came from a click or
    from a link."""
    generation = st.session_state.get("_kartvalg_gen", 0)
    state = st.session_state.get(f"{CLICK}{generation}")
    objects = ((state or {}).get("selection") or {}).get("objects", {}).get("kommuner") or []
    if not objects:
        return None
    st.session_state["_kartvalg_gen"] = generation + 1
    props = objects[0].get("properties", objects[0])
    return props.get("kommunenummer")


def _chosen_municipality() -> str | None:
    """A click, else `?valgt=` (name or kommunenummer); a click writes the name into the link."""
    code = _clicked()
    if code in n.kommuner:
        st.query_params["valgt"] = n.kommuner[code]
        return code
    filters.check_link("valgt", list(n.kommuner), n.kommuner.get)
    wanted = st.query_params.get("valgt")
    by_name = {name: c for c, name in n.kommuner.items()}
    return wanted if wanted in n.kommuner else by_name.get(wanted)


def _clear() -> None:
    st.query_params.pop("valgt", None)


def _narrow_to(key: str, value: str) -> None:
    st.session_state[key] = [value]


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
valgt = _chosen_municipality()

chosen = kommuner.filter(pl.col("i_utvalg"))
if chosen.is_empty():
    notes.info(t("felles.ingen_treff"))
in_view = chosen["kommunenummer"].to_list()
bounds = [geo.bounds[c] for c in in_view if c in geo.bounds] or [
    (lon - 0.3, lat - 0.15, lon + 0.3, lat + 0.15) for lon, lat in zip(chosen["lon"], chosen["lat"])]
lat, lon, zoom = kartgrunnlag.fit(bounds, WIDTH, HEIGHT, margin=14)
view = kartetiketter.View(lat, lon, zoom, WIDTH, HEIGHT)
points = dict(zip(kommuner["kommunenummer"], zip(kommuner["lon"], kommuner["lat"])))

# one colour class per municipality: an index into `colours`; 0 is "outside the selection"
colours: list[str] = [palette.OUTSIDE]
legend: list[tuple[str, str]] = []
klass: dict[str, int] = {}
labels: list[kartetiketter.Label] = []  # what is written on the map, most important first
leaders = True  # labels with no room on their area go into a column, with a line to the area
detail: dict[str, str] = {}  # kommunenummer -> the key figure of the detail panel
legend_title = t(f"kart.farge_{mode}")
SELECTED = 1e12  # priority of the chosen municipality's labels: before any area

if mode == "samarbeid":
    # each collaboration in its fixed colour (palette.collaboration: neighbours differ, the same
    # on every page), its name written on the map at the member nearest its middle
    members = chosen.explode("partnerskap_ider").drop_nulls("partnerskap_ider")
    ids = sorted(members["partnerskap_ider"].unique().to_list(), key=lambda p: n.partnerskap.get(p, p))
    colours += [palette.collaboration(p) for p in ids] + [palette.SEVERAL]
    legend = [(n.partnerskap.get(p, p), palette.collaboration(p)) for p in ids] + [
        (t("kart.flere_samarbeid"), palette.SEVERAL)]
    for row in chosen.iter_rows(named=True):
        own = row["partnerskap_ider"]
        klass[row["kommunenummer"]] = 1 + ids.index(own[0]) if len(own) == 1 else len(colours) - 1
    boxes = {c: geo.bounds[c] for c in in_view if c in geo.bounds}
    for p, group in members.group_by("partnerskap_ider", maintain_order=True):
        codes = group["kommunenummer"].to_list()
        mx, my = group["lon"].mean(), group["lat"].mean()
        anchor = min(codes, key=lambda c: (points[c][0] - mx) ** 2 + (points[c][1] - my) ** 2)
        labels.append(kartetiketter.Label(
            n.partnerskap.get(p[0], p[0]), *points[anchor],
            priority=(SELECTED if valgt in codes else 0) + sum(geo.areas.get(c, 0.0) for c in codes),
            avoid=tuple(b for c, b in boxes.items() if c not in codes)))
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
    scale = palette.score_scale(katalog.hoyere_er_bedre[indikator])
    colours += scale + [palette.NO_DATA]
    edges = palette.SCORE_EDGES
    legend = [(t("kart.under", grense=fmt.tall(edges[0])), scale[0])] + [
        (f"{fmt.tall(lo)}–{fmt.tall(hi - 1)}", c) for lo, hi, c in zip(edges, edges[1:], scale[1:])] + [
        (t("kart.og_over", grense=fmt.tall(edges[-1])), scale[-1]), (t("kart.ingen_data"), palette.NO_DATA)]
    leaders = False  # a score belongs on its municipality; one that does not fit is in the tooltip and table
    for row in chosen.iter_rows(named=True):
        code = row["kommunenummer"]
        r = results.get(code)
        score = None if r is None or r["undertrykt"] else r["skaar"]
        klass[code] = len(colours) - 1 if score is None else 1 + palette.score_class(score)
        if r is not None:
            detail[code] = (
                t("kart.skjult", runde=tekster.runde(r["runde"])) if score is None
                else t("kart.skaar_detalj", skaar=fmt.skaar(score), runde=tekster.runde(r["runde"]),
                       svar=fmt.tall(r["antall_svar"])))
        if score is not None:
            labels.append(kartetiketter.Label(fmt.skaar(score), row["lon"], row["lat"],
                                              priority=(SELECTED if code == valgt else 0) + geo.areas.get(code, 0.0)))
    notes.caption(t("kart.indikator_forklaring", runde=tekster.runde(f.runde)) + " "
                  + t("felles.hoyere_bedre" if katalog.hoyere_er_bedre[indikator] else "felles.lavere_bedre"))
legend.append((t("kart.utenfor"), palette.OUTSIDE))
if valgt is not None and valgt in points and mode != "indikator":
    # the chosen municipality is named first, on itself
    labels.append(kartetiketter.Label(n.kommuner[valgt], *points[valgt], priority=2 * SELECTED))
placed = kartetiketter.place(labels, view, leaders)

fill = [palette.rgb(c, 230) for c in colours]
fill[0] = palette.rgb(palette.OUTSIDE, 255)
layers = []
if geo.kommuner is not None:
    classes = [0] * len(geo.index)
    for code, k in klass.items():
        if code in geo.index:
            classes[geo.index[code]] = k
    layers.append(pdk.Layer(
        "GeoJsonLayer", geo.kommuner, id="kommuner",
        # a small lookup instead of the geometry: class per municipality, colour per class (the
        # parentheses let deck.gl's expression parser index an array literal)
        get_fill_color=f"({json.dumps(fill)})[({json.dumps(classes)})[properties.i]]",
        update_triggers={"getFillColor": json.dumps([classes, colours])},
        # no outline in the layer that is clicked: deck.gl draws a clicked layer again to find what
        # was hit, and with 31 000 outline points that took 600 ms in software rendering, longer
        # than deck.gl waits between press and release for a click (the click was lost)
        stroked=False, pickable=True, auto_highlight=True, highlight_color=palette.rgb(palette.HIGHLIGHT, 200),
    ))
    layers.append(pdk.Layer("GeoJsonLayer", geo.kommuner, id="kommunegrenser", filled=False, stroked=True,
                            get_line_color=[170, 170, 170, 255], line_width_min_pixels=0.5, pickable=False))
    if geo.fylker is not None:
        layers.append(pdk.Layer("GeoJsonLayer", geo.fylker, id="fylker", filled=False, stroked=True,
                                get_line_color=[70, 70, 70, 255], line_width_min_pixels=1.2, pickable=False))
    if valgt in geo.shapes:
        outline = {"type": "Feature", "geometry": geo.shapes[valgt], "properties": {}}  # ikke-tekst
        for colour, px in ((palette.INK, 5), (palette.HIGHLIGHT, 2.5)):
            layers.append(pdk.Layer("GeoJsonLayer", outline, id=f"valgt-{px}", filled=False, stroked=True,
                                    get_line_color=palette.rgb(colour), line_width_min_pixels=px, pickable=False))
else:
    dots = [{"kommunenummer": c, "kommunenavn": name, "fylke": fylke, "samarbeid": "; ".join(
        n.partnerskap.get(p, p) for p in ids_) or "–", "lon": x, "lat": y_,
        "farge": fill[klass.get(c, 0)] if klass.get(c, 0) else palette.rgb("#d9d9d9")}
        for c, name, fylke, ids_, x, y_ in zip(kommuner["kommunenummer"], kommuner["kommunenavn"],
                                                kommuner["fylkesnavn_kort"], kommuner["partnerskap_ider"],
                                                kommuner["lon"], kommuner["lat"])]
    layers.append(pdk.Layer(
        "ScatterplotLayer", dots, id="kommuner", get_position="[lon, lat]", get_fill_color="farge",
        get_radius=6000, radius_min_pixels=4, radius_max_pixels=14, pickable=True,
        stroked=True, get_line_color=[60, 60, 60], line_width_min_pixels=0.5,
    ))
lines = [{"fra": list(p.anchor), "til": list(p.line_end)} for p in placed if p.line_end]
if lines:
    # a white halo keeps the line visible where it crosses dark areas
    for lid, colour, px in (("ledere-halo", palette.BACKGROUND, 4), ("ledere", palette.INK, 1.5)):
        layers.append(pdk.Layer("LineLayer", lines, id=lid, get_source_position="fra", get_target_position="til",
                                get_color=palette.rgb(colour), get_width=px, width_units='"pixels"', pickable=False))
    layers.append(pdk.Layer("ScatterplotLayer", [{"p": d["fra"]} for d in lines], id="ankere", get_position="p",
                            get_fill_color=palette.rgb(palette.INK), get_line_color=palette.rgb(palette.BACKGROUND),
                            stroked=True, line_width_min_pixels=1.5, get_radius=3.5, radius_units='"pixels"',
                            pickable=False))
if placed:
    layers.append(pdk.Layer(
        "TextLayer", [{"tekst": p.text, "p": list(p.centre), "kant": palette.rgb(
            palette.HIGHLIGHT if valgt is not None and p.text == n.kommuner.get(valgt) else palette.MUTED)}
            for p in placed], id="etiketter", get_position="p",
        get_text="tekst", get_size=kartetiketter.SIZE, size_units='"pixels"', get_color=palette.rgb(palette.INK),
        background=True, get_background_color=[255, 255, 255, 240], background_padding=list(kartetiketter.PADDING),
        get_border_color="kant", get_border_width=2, pickable=False,
        # quoted: pydeck would otherwise read a plain string as an accessor expression
        character_set='"auto"', font_family=json.dumps(kartetiketter.FONT), font_weight=kartetiketter.WEIGHT,
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
with st.container(horizontal=True, gap="medium"):
    st.pydeck_chart(
        deck, on_select="rerun", selection_mode="single-object",
        key=f"{CLICK}{st.session_state.get('_kartvalg_gen', 0)}", height=HEIGHT, width=WIDTH,
        alt=t("kart.alt", farge=legend_title.lower()),
    )
    with st.container(width="stretch"):
        if valgt is not None:
            row = kommuner.row(by_predicate=pl.col("kommunenummer") == valgt, named=True)
            with st.container(border=True, key="kl-valgt-kommune"):
                st.subheader(f"{markup.md(row['kommunenavn'])} ({markup.md(valgt)})")
                facts = [
                    f"**{t('kolonne.fylke')}:** {markup.md(row['fylkesnavn_kort'])}",
                    f"**{t('kolonne.samarbeid')}:** " + ("; ".join(markup.md(n.partnerskap.get(p, p)) for p in row["partnerskap_ider"])
                                                         or t("kart.ingen_i_utvalget")),
                    f"**{t('kolonne.ordninger')}:** "
                    + (", ".join(markup.md(tekster.kode("ordning", s)) for s in row["ordninger"]) or "–"),
                ] + ([markup.md(detail[valgt])] if valgt in detail else [])
                st.markdown("  \n".join(facts))
                with st.container(horizontal=True):
                    st.button(t("kart.vis_bare", kommune=markup.md(row["kommunenavn"])), on_click=_narrow_to,
                              args=("kommune", valgt), icon=":material/filter_alt:")
                    st.button(t("kart.fjern_valg"), on_click=_clear, icon=":material/close:")
        palette.legend(legend_title, legend)
st.caption(t("kart.klikk") + (" " + t("felles.attribusjon_kart") if geo.kommuner is not None
                              else " " + t("kart.punkter")))

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

"""Offentlig statistikk: number texts, notes, the two charts (Vega-Lite dicts in the shared theme)
and the map of the page. Texts come from tekster.yaml (section `offentlig`).

The figures are real (Udir, NLOD 2.0) and carry «Kilde: Utdanningsdirektoratet». Nothing here
computes a figure from other figures: every value, bound and count comes from mart_offentlig;
this module only words and draws them.
"""

from __future__ import annotations

import json
import math

import polars as pl
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from dashboard import charts, fmt, kartgrunnlag, palette, tekster
from dashboard.tekster import t

NIVA_ORDER = {"partnerskap": 0, "kommune": 1, "fylke": 2, "land": 3}
# series colours: the collaboration, up to two counties, the country; municipalities lighter
COLOURS = {"partnerskap": palette.SERIES[0], "fylke": palette.SERIES[1], "fylke2": palette.SERIES[2],
           "land": palette.SERIES[5], "kommune": palette.SERIES[4]}
MAP_CLASSES = palette.COMPETENCE_CLASSES[1:]  # five blues: more is darker, no judgement
BAND = "#f3e3a8"  # the collaboration's period behind the lines: light, text on it stays 4.5:1
HIDDEN = palette.NO_DATA
NONE = palette.OUTSIDE
HEIGHT = 360  # px of the chart over time
# Streamlit sizes charts with autosize "fit", which already keeps room for the value texts drawn
# right of the plot; a little padding covers what it measures before the web font has loaded
LABEL_SLACK = 40


# --- words and numbers -------------------------------------------------------------------------------


def indicator_name(indikator: str, fallback: str) -> str:
    return tekster.kode("offentlig_indikator", indikator, fallback)


def description(ind: dict) -> str:
    """The indicator's definition in the language of the run, from its table and type."""
    code = ind["indikator"]
    if code == "andel_itos":
        return t("offentlig.beskrivelse_itos")
    if code == "andel_norsk":
        return t("offentlig.beskrivelse_norsk")
    if ind["tabell"] == "gsi":
        return t("offentlig.beskrivelse_antall")
    if ind["tabell"] == "np":
        _, fag, trinn = code.split("_")
        return t("offentlig.beskrivelse_np", fag=tekster.kode("offentlig_fag", fag), trinn=trinn)
    if ind["tabell"] == "fravaer":
        return t("offentlig.beskrivelse_fravaer_median" if ind["type"] == "median" else "offentlig.beskrivelse_fravaer_snitt")
    return t("offentlig.beskrivelse_mobbing", trinn=code.split("_")[1])


def series_note(ind: dict) -> str | None:
    """The series break or gap the catalogue states for the indicator, in this language."""
    if ind["indikator"] == "andel_itos":
        return t("offentlig.brudd_itos")
    if ind["tabell"] == "np":
        return t("offentlig.brudd_np")
    return None


def school_year(ar: int) -> str:
    return f"{ar}–{(ar + 1) % 100:02d}"


def number(value: float | None, enhet: str, desimaler: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return fmt.DASH
    suffix = "\u00a0%" if enhet == "prosent" else (t(f"offentlig.suffiks.{enhet}") if enhet in ("dager", "timer") else "")
    return fmt.tall(value, desimaler) + suffix


def value_text(row: dict, enhet: str, desimaler: int) -> str:
    """How a figure reads: the value, or why there is none, with the bounds that can be given."""
    status = row["status"]
    if status == "ok":
        return number(row["verdi"], enhet, desimaler)
    if status == "delvis":
        if row.get("antall_skjult") and row.get("antall_skjult") == row.get("antall_omrader"):
            return t("offentlig.skjult_av_udir")
        if row.get("nedre") is not None and row.get("ovre") is not None:
            return t("offentlig.skjult_mellom", nedre=number(row["nedre"], enhet, desimaler),
                     ovre=number(row["ovre"], enhet, desimaler))
        if row.get("nedre") is not None:
            return t("offentlig.skjult_minst", nedre=number(row["nedre"], enhet, desimaler))
        return t("offentlig.kan_ikke")
    return t("offentlig.skjult_av_udir") if status == "skjult" else t("offentlig.ingen_tall_kort")


def area_name(row: dict) -> str:
    if row["niva"] == "fylke":
        return t("offentlig.fylke", navn=row["niva_navn"])
    if row["niva"] == "partnerskap":
        return t("offentlig.samlet", navn=row["niva_navn"])
    if row["niva"] == "land":
        return t("offentlig.hele_landet")
    return row["niva_navn"]


def note(row: dict, enhet: str, desimaler: int) -> str:
    """The note of a summed area: hidden and missing members, the bounds, how the country is made."""
    parts = []
    if row["antall_skjult"]:
        parts.append(t("offentlig.merknad_skjult", antall=row["antall_skjult"], av=row["antall_omrader"],
                       navn=", ".join(row["skjulte"])))
        if row["nedre"] is not None and row["ovre"] is not None:
            parts.append(t("offentlig.merknad_grenser"))
        elif row["nedre"] is not None:
            parts.append(t("offentlig.merknad_minst"))
        elif row["verdi_synlige"] is not None:
            parts.append(t("offentlig.merknad_synlige", verdi=number(row["verdi_synlige"], enhet, desimaler),
                           elever=fmt.tall(row["nevner_synlige"])))
    if row["antall_mangler"]:
        parts.append(t("offentlig.merknad_mangler", antall=row["antall_mangler"], navn=", ".join(row["manglende"])))
    if row["niva"] == "land" and row["grunnlag"] == "summert":
        parts.append(t("offentlig.merknad_land"))
    if row["niva"] == "fylke" and row["grunnlag"] == "summert":
        parts.append(t("offentlig.merknad_fylke_summert"))
    return " ".join(parts)


def with_text(rows: pl.DataFrame, enhet: str, desimaler: int) -> pl.DataFrame:
    """The rows with what the page shows: area name, value text, note, school year label."""
    records = list(rows.iter_rows(named=True))
    return rows.with_columns(
        pl.Series("omrade", [area_name(r) for r in records], pl.Utf8),
        pl.Series("tekst", [value_text(r, enhet, desimaler) for r in records], pl.Utf8),
        pl.Series("notat", [note(r, enhet, desimaler) if r["niva"] != "kommune" else "" for r in records], pl.Utf8),
        pl.Series("skolear_tekst", [school_year(r["ar"]) for r in records], pl.Utf8),
    )


def period_text(aar: list[int], start: int | None, slutt: int | None) -> str:
    """How the school years with figures lie against the collaboration's calendar years."""
    if not aar:
        return ""
    join = f" {t('offentlig.og')} "
    if start is None and slutt is None:
        return t("offentlig.aar_uten_periode", aar=join.join(school_year(a) for a in aar))
    start, slutt = start or slutt, slutt or start
    groups: dict[str, list[str]] = {"for": [], "under": [], "etter": []}
    for a in aar:
        groups["etter" if a > slutt else "for" if a + 1 < start else "under"].append(school_year(a))
    text = " ".join(t(f"offentlig.aar_{k}", aar=join.join(v)) for k, v in groups.items() if v)
    return text if groups["under"] else f"{text} {t('offentlig.aar_ingen_overlapp')}"


def period_years(start: int | None, slutt: int | None) -> tuple[int, int] | None:
    """The school years (by their first year) that overlap the calendar years start..slutt."""
    if start is None and slutt is None:
        return None
    return (start or slutt) - 1, slutt or start


# --- charts ------------------------------------------------------------------------------------------


def colours(rows: pl.DataFrame) -> tuple[list[str], list[str]]:
    """Area names and their colours: the collaboration, counties (two at most differ), the country."""
    names, out, counties = [], [], 0
    for niva, omrade in rows.select("niva", "omrade").unique(maintain_order=True).iter_rows():
        names.append(omrade)
        if niva == "fylke":
            out.append(COLOURS["fylke2" if counties else "fylke"])
            counties += 1
        else:
            out.append(COLOURS[niva])
    return names, out


def _padded(values: list[float]) -> list[float]:
    """A value axis for scale scores: at least five points either side, so a one-point gap never
    fills the chart."""
    low, high = min(values or [0.0]), max(values or [0.0])
    pad = max((high - low) * 0.5, 5.0)
    return [math.floor(low - pad), math.ceil(high + pad)]


def _nice_top(high: float) -> float:
    """The top of a value axis from zero: the next 1, 2 or 5 times a power of ten above high."""
    step = 10 ** math.floor(math.log10(high)) if high > 0 else 1.0
    return next(m * step for m in (1, 2, 2.5, 5, 10) if m * step >= high * 1.05)


def spread(values: list[float | None], chosen: list[bool], domain: list[float], height: int,
           gap_px: float = 22) -> list[float | None]:
    """Label positions for the chosen values, moved apart just enough that 16 px labels do not
    overlap (the line itself stays where the value is)."""
    gap = (domain[1] - domain[0]) * gap_px / height
    order = sorted((v, i) for i, (v, c) in enumerate(zip(values, chosen)) if c and v is not None)
    out = list(values)
    placed: list[float] = []
    for v, i in order:
        y = max(v, placed[-1] + gap) if placed else v
        placed.append(y)
        out[i] = y
    over = (placed[-1] - domain[1]) if placed else 0
    if over > 0:  # pushed above the axis: move the whole stack down, keeping the gaps
        for v, i in order:
            out[i] -= over
    return out


def _shown(data: pl.DataFrame) -> list[float]:
    return [v for c in ("verdi", "nedre", "ovre") for v in data[c].to_list() if v is not None]


def _tooltip() -> list[dict]:
    return [{"field": "omrade", "title": t("offentlig.kol_omrade")},
            {"field": "skolear_tekst", "title": t("offentlig.kol_skolear")},
            {"field": "tekst", "title": t("offentlig.kol_verdi")}]


def over_time(data: pl.DataFrame, periode: tuple[int, int] | None, y_title: str, zero: bool,
              brudd_ar: int | None) -> tuple[dict, pl.DataFrame]:
    """Collaboration, counties and country across school years, each line named at its end; the
    school years of the collaboration's period shaded; a series break marked before its year."""
    first, last = data["ar"].min(), data["ar"].max()
    if periode and periode[0] < first <= periode[1] + 1:
        first -= 1  # one school year of the period before the figures, not the whole period
    if periode and periode[0] - 1 <= last < periode[1]:
        last += 1
    if periode and (periode[1] < first or periode[0] > last):
        periode = None  # the period lies outside the years shown: the text above says so
    names, range_ = colours(data)
    last_year = data.filter(pl.col("verdi").is_not_null() | pl.col("nedre").is_not_null())["ar"].max()
    data = data.with_columns(
        (pl.col("ar") == last_year).alias("siste"),
        pl.col("omrade").alias("etikett"),
    )
    scale_x = {"domain": [first - 0.5, last + 0.5], "nice": False}
    x = {"field": "ar", "type": "quantitative", "title": t("offentlig.skolear"), "scale": scale_x,
         "axis": {"values": list(range(first, last + 1)), "grid": False,
                  "labelExpr": "datum.value + '–' + substring(toString(datum.value + 1), 2, 4)"}}
    domain_y = [0.0, _nice_top(max(_shown(data) or [1.0]))] if zero else _padded(_shown(data))
    scale_y = {"domain": domain_y, "nice": False, "zero": zero}
    y = {"field": "verdi", "type": "quantitative", "title": y_title, "scale": scale_y}
    colour = {"field": "omrade", "type": "nominal", "legend": None, "scale": {"domain": names, "range": range_}}
    layers: list[dict] = []
    if periode:
        band = [{"fra": max(periode[0], first) - 0.45, "til": min(periode[1], last) + 0.45, "navn": t("offentlig.band")}]
        layers += [
            {"data": {"values": band}, "mark": {"type": "rect", "color": BAND, "aria": False},
             "encoding": {"x": {"field": "fra", "type": "quantitative", "scale": scale_x}, "x2": {"field": "til"}}},
            {"data": {"values": band}, "mark": {"type": "text", "align": "left", "baseline": "top", "dx": 6, "dy": 6,
                                                "aria": False},
             "encoding": {"x": {"field": "fra", "type": "quantitative", "scale": scale_x}, "y": {"value": 0},
                          "text": {"field": "navn"}, "color": {"value": palette.INK}}},
        ]
    if brudd_ar is not None and first < brudd_ar <= last:
        rule = [{"x": brudd_ar - 0.5, "navn": t("offentlig.brudd_kort")}]
        layers += [
            {"data": {"values": rule}, "mark": {"type": "rule", "strokeDash": [6, 4], "strokeWidth": 2,
                                                "color": palette.REFERENCE, "aria": False},
             "encoding": {"x": {"field": "x", "type": "quantitative", "scale": scale_x}}},
            {"data": {"values": rule}, "mark": {"type": "text", "align": "right", "baseline": "top", "dx": -6,
                                                "dy": 30, "aria": False},
             "encoding": {"x": {"field": "x", "type": "quantitative", "scale": scale_x}, "y": {"value": 0},
                          "text": {"field": "navn"}, "color": {"value": palette.INK}}},
        ]
    shown = {"filter": "datum.verdi != null"}
    bounds = {"filter": "datum.nedre != null && datum.ovre != null"}
    layers += [
        {"transform": [shown], "mark": {"type": "line", "strokeWidth": 3}, "encoding": {"x": x, "y": y, "color": colour}},
        {"transform": [shown], "mark": {"type": "point", "filled": True, "size": 160, "opacity": 1},
         "encoding": {"x": x, "y": y, "color": colour, "tooltip": _tooltip()}},
        {"transform": [bounds], "mark": {"type": "rule", "strokeWidth": 6, "opacity": 0.6},
         "encoding": {"x": x, "y": y | {"field": "nedre"}, "y2": {"field": "ovre"}, "color": colour,
                      "tooltip": _tooltip()}},
        {"transform": [{"filter": "datum.siste && (datum.verdi != null || datum.nedre != null)"}],
         "mark": {"type": "text", "align": "left", "dx": 12, "aria": False},
         "encoding": {"x": x, "y": {"field": "etikett_y", "type": "quantitative", "scale": scale_y},
                      "text": {"field": "etikett"}, "color": {"value": palette.INK}}},
    ]
    data = data.with_columns(pl.coalesce("verdi", "nedre").alias("etikett_y"))
    data = data.with_columns(pl.Series("etikett_y", spread(
        data["etikett_y"].to_list(), data["siste"].to_list(), domain_y, HEIGHT), pl.Float64))
    spec = {"height": HEIGHT, "padding": {"right": LABEL_SLACK}, "layer": layers}
    return spec, data


def municipalities(data: pl.DataFrame, x_title: str, zero: bool) -> tuple[dict, pl.DataFrame]:
    """One bar (a dot for scale scores) per municipality, then the collaboration, its counties and
    the country; a figure that cannot be given prints its reason instead of a bar."""
    data = data.with_columns(pl.col("niva").replace_strict(NIVA_ORDER, return_dtype=pl.Int32).alias("rekke")).sort(
        "rekke", pl.col("verdi").fill_null(-1e18), descending=[False, True])
    shown = _shown(data)
    domain = [0.0, max(shown or [1.0])] if zero else _padded(shown)
    data = data.with_columns(pl.coalesce("ovre", "verdi", pl.lit(domain[0])).alias("etikett_x"))
    names, range_ = colours(data)
    scale = {"domain": domain, "nice": True, "zero": zero}
    # the rows in the frame's order: a null sort would take the first layer's rows first, and
    # that layer leaves out the areas without a value
    y = {"field": "omrade", "type": "nominal", "sort": data["omrade"].to_list(), "title": None,
         "axis": {"labelFontWeight": {"condition": {"test": f"indexof({charts.js(names[:1])}, datum.value) >= 0",
                                                    "value": "bold"}, "value": "normal"}}}
    x = {"field": "verdi", "type": "quantitative", "title": x_title, "scale": scale}
    colour = {"field": "omrade", "type": "nominal", "legend": None, "scale": {"domain": names, "range": range_}}
    mark = {"type": "bar", "height": 22} if zero else {"type": "point", "filled": True, "size": 200, "opacity": 1}
    spec = {
        "height": {"step": charts.ROW},
        "padding": {"right": LABEL_SLACK},
        "layer": [
            {"transform": [{"filter": "datum.verdi != null"}], "mark": mark,
             "encoding": {"y": y, "x": x, "color": colour, "tooltip": _tooltip()}},
            {"transform": [{"filter": "datum.nedre != null && datum.ovre != null"}],
             "mark": {"type": "rule", "strokeWidth": 8, "opacity": 0.6},
             "encoding": {"y": y, "x": x | {"field": "nedre"}, "x2": {"field": "ovre"}, "color": colour,
                          "tooltip": _tooltip()}},
            {"mark": {"type": "text", "align": "left", "dx": 8, "aria": False},
             "encoding": {"y": y, "x": {"field": "etikett_x", "type": "quantitative", "scale": scale},
                          "text": {"field": "tekst"}, "color": {"value": palette.INK}}},
        ],
    }
    return spec, data


# --- map ---------------------------------------------------------------------------------------------


class CompactDeck(pdk.Deck):
    """pydeck indents its JSON; write it compact, with pydeck's own serialiser for the objects."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


def class_edges(values: list[float]) -> list[float]:
    """Four edges that split the municipalities' values into five groups of about equal size."""
    ordered = sorted(values)
    if not ordered:
        return []
    return [ordered[min(len(ordered) - 1, int(len(ordered) * q / 5))] for q in range(1, 5)]


def uncluttered(labels: list[dict], zoom: float, char_px: float = 8.5, line_px: float = 24) -> list[dict]:
    """The labels that fit at the map's first zoom without covering one another (in the order
    given); the rest are left off, their figures stand in the chart and the table."""
    scale = 512 * 2 ** zoom  # deck.gl's Web Mercator world in pixels at this zoom

    def box(label: dict) -> tuple[float, float, float, float]:
        x = (label["lon"] + 180) / 360 * scale
        rad = math.radians(label["lat"])
        y = (1 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2 * scale
        half = (len(label["tekst"]) * char_px + 8) / 2
        return x - half, y - line_px / 2, x + half, y + line_px / 2

    kept, boxes = [], []
    for label in labels:
        b = box(label)
        if all(b[2] <= o[0] or o[2] <= b[0] or b[3] <= o[1] or o[3] <= b[1] for o in boxes):
            kept.append(label)
            boxes.append(b)
    return kept


def map_deck(kart: pl.DataFrame, kommuner: pl.DataFrame, medlemmer: set[str], fylker: set[str],
             enhet: str, desimaler: int) -> tuple[CompactDeck, list[tuple[str, str]], pl.DataFrame]:
    """The municipalities coloured by the figure in five classes, the collaboration's outlined and
    labelled with their figure; returns the deck, the legend and the table of the same content.

    kart: kommunenummer, verdi, status (one school year); kommuner: every municipality with
    lat/lon and fylkesnummer (the map page's query)."""
    geo = kartgrunnlag.geometry()
    values = [v for v, s in zip(kart["verdi"], kart["status"]) if s == "ok" and v is not None]
    edges = class_edges(values)
    by_code = {r["kommunenummer"]: r for r in kart.iter_rows(named=True)}
    palette_rgb = [palette.rgb(NONE, 255)] + [palette.rgb(c, 235) for c in MAP_CLASSES] + [palette.rgb(HIDDEN, 235)]
    klass, rows = {}, []
    for p in kommuner.iter_rows(named=True):
        r = by_code.get(p["kommunenummer"])
        if r is None or r["status"] == "mangler":
            k, text = 0, t("offentlig.ingen_tall_kort")
        elif r["status"] == "skjult":
            k, text = len(palette_rgb) - 1, t("offentlig.skjult_av_udir")
        else:
            k, text = 1 + palette.classes(r["verdi"], edges), number(r["verdi"], enhet, desimaler)
        klass[p["kommunenummer"]] = k
        rows.append({"kommunenummer": p["kommunenummer"], "kommune": p["kommunenavn_kort"],
                     "fylke": p["fylkesnavn_kort"], "tekst": text, "verdi": r["verdi"] if r else None,
                     "medlem": p["kommunenummer"] in medlemmer, "lat": p["lat"], "lon": p["lon"],
                     "fylkesnummer": p["fylkesnummer"]})
    table = pl.DataFrame(rows, infer_schema_length=None)
    labels = [{"tekst": f"{r['kommune']}: {r['tekst']}", "lon": r["lon"], "lat": r["lat"]}  # ikke-tekst
              for r in sorted(rows, key=lambda r: r["verdi"] is None) if r["medlem"]]
    layers = []
    if geo.kommuner is not None:
        classes = [0] * len(geo.index)
        outline = [[0, 0, 0, 0]] * len(geo.index)
        for code, k in klass.items():
            if code in geo.index:
                classes[geo.index[code]] = k
                if code in medlemmer:
                    outline[geo.index[code]] = palette.rgb(palette.INK)
        layers += [
            pdk.Layer("GeoJsonLayer", geo.kommuner, id="kommuner",
                      get_fill_color=f"({json.dumps(palette_rgb)})[({json.dumps(classes)})[properties.i]]",
                      update_triggers={"getFillColor": json.dumps([classes, palette_rgb])},
                      get_line_color=[150, 150, 150, 255], line_width_min_pixels=0.5, pickable=True,
                      auto_highlight=True, highlight_color=palette.rgb(palette.HIGHLIGHT, 200)),
        ]
        if geo.fylker is not None:
            layers.append(pdk.Layer("GeoJsonLayer", geo.fylker, id="fylker", filled=False, stroked=True,
                                    get_line_color=[40, 40, 40, 255], line_width_min_pixels=1.2, pickable=False))
        layers.append(pdk.Layer(
            "GeoJsonLayer", geo.kommuner, id="samarbeid", filled=False, stroked=True, pickable=False,
            get_line_color=f"({json.dumps(outline)})[properties.i]", line_width_min_pixels=3,
            update_triggers={"getLineColor": json.dumps(sorted(medlemmer))},
        ))
        bounds = [geo.bounds[c] for c in table.filter(pl.col("fylkesnummer").is_in(list(fylker)))["kommunenummer"]
                  if c in geo.bounds]
    else:
        points = [{"kommunenavn": r["kommune"], "kommunenummer": r["kommunenummer"], "fylke": r["fylke"],
                   "lon": r["lon"], "lat": r["lat"], "farge": palette_rgb[klass[r["kommunenummer"]]]} for r in rows]
        layers.append(pdk.Layer(
            "ScatterplotLayer", points, id="kommuner", get_position="[lon, lat]", get_fill_color="farge",
            get_radius=6000, radius_min_pixels=4, radius_max_pixels=14, pickable=True, stroked=True,
            get_line_color=[60, 60, 60], line_width_min_pixels=0.5,
        ))
        bounds = [(r["lon"] - 0.3, r["lat"] - 0.15, r["lon"] + 0.3, r["lat"] + 0.15)
                  for r in rows if r["fylkesnummer"] in fylker]
    lat, lon, zoom = kartgrunnlag.fit(bounds, width=640, height=600, max_zoom=8.0)
    labels = uncluttered(labels, zoom)
    if labels:
        layers.append(pdk.Layer(
            "TextLayer", labels, id="etiketter", get_position="[lon, lat]", get_text="tekst", get_size=15,
            size_units='"pixels"', get_color=palette.rgb(palette.INK), background=True,
            get_background_color=[255, 255, 255, 235], background_padding=[4, 2], pickable=False,
            character_set='"auto"', font_family='"Source Sans Pro, Arial, sans-serif"', font_weight=600,  # ikke-tekst
        ))
    deck = CompactDeck(
        layers=layers, map_provider=None,  # no basemap: the page sends nothing out
        tooltip={"html": t("offentlig.kart_verktoytips"),
                 "style": {"backgroundColor": palette.INK, "color": "white", "fontSize": "16px"}},
        initial_view_state=pdk.ViewState(latitude=lat, longitude=lon, zoom=zoom),
    )
    bounds_all = [min(values or [0]), *edges, max(values or [0])]
    legend = [(f"{number(bounds_all[i], enhet, desimaler)} – {number(bounds_all[i + 1], enhet, desimaler)}",
               MAP_CLASSES[i]) for i in range(5)] if values else [(t("offentlig.kart_ingen_klasser"), NONE)]
    legend += [(t("offentlig.skjult_av_udir"), HIDDEN), (t("offentlig.ingen_tall_kort"), NONE),
               (t("offentlig.kart_ramme"), palette.INK)]
    return deck, legend, table

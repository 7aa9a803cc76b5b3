"""Charts as plain Vega-Lite dicts with one theme (docs/design.md).

Building the dict by hand costs microseconds; Altair re-validated every spec against the schema
on each rerun, which was most of a chart page's server time. Text on charts is 16 px or larger,
dark on white (≥ 4.5:1); every entity is labelled on the chart itself, not by colour alone.
Charts render as SVG, so the browser test can read the colour and size of every chart text.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from dashboard import palette, tekster
from dashboard.tekster import t

FONT_SIZE = 16
ROW = 36  # px per labelled row: 16 px text with room to breathe

NUMBER_LOCALE = {
    "nb": {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0kr"]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", "\u00a0kr"]},
}


def time_locale() -> dict:
    """d3 time names in the language of the run (nn has its own day names)."""
    return {
        "dateTime": "%e. %B %Y %X", "date": "%d.%m.%Y", "time": "%H:%M:%S", "periods": ["", ""],
        "days": t("felles.dager").split(), "shortDays": t("felles.dager_kort").split(),
        "months": t("felles.maaneder").split(), "shortMonths": t("felles.maaneder_kort").split(),
    }


def config() -> dict:
    """The shared Vega-Lite config: sizes and colours for a projector, the language's formats."""
    lang = tekster.lang()
    text = {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE, "labelColor": palette.INK,
            "titleColor": palette.INK, "titleFontWeight": "bold"}
    return {
        "font": "Source Sans Pro, Source Sans 3, sans-serif",  # ikke-tekst: a CSS font list
        "background": palette.BACKGROUND,
        "view": {"stroke": None},
        "axis": text | {"domainColor": palette.MUTED, "tickColor": palette.MUTED,
                        "gridColor": palette.GRID, "labelLimit": 320, "labelOverlap": False,
                        "labelPadding": 6, "titlePadding": 10},
        "legend": text | {"labelLimit": 400, "symbolSize": 220, "orient": "bottom", "direction": "vertical"},
        "header": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE, "labelColor": palette.INK},
        "title": {"fontSize": FONT_SIZE + 2, "color": palette.INK, "anchor": "start"},
        "text": {"fontSize": FONT_SIZE, "color": palette.INK},
        "locale": {
            "number": NUMBER_LOCALE["en" if lang == "en" else "nb"],
            "time": time_locale(),
        },
    }


def show(spec: dict, data: pl.DataFrame, alt_text: str, **selection):
    """Draw a spec full width (SVG, our theme, Streamlit's theme off). Pass on_select="rerun" and
    a key to get the selection event back."""
    import streamlit as st  # here, not on top: reports build specs without Streamlit

    full = spec | {"config": config(), "description": alt_text,
                   "usermeta": {"embedOptions": {"renderer": "svg"}}}
    return st.vega_lite_chart(data, full, theme=None, width="stretch", alt=alt_text, **selection)


def js(values) -> str:
    """A Python value as a Vega expression literal."""
    return json.dumps(values, ensure_ascii=False)


def score_domain(low: float | None, high: float | None) -> list[float]:
    """±2 standard deviations around the reference, widened only when the data go further: a
    tenth of a standard deviation must look small."""
    return [min(300.0, (low or 500) - 10), max(700.0, (high or 500) + 10)]


def dot_intervals(frame: pl.DataFrame, *, x_title: str, highlight: list[str], tooltip: list[dict],
                  grouped: bool = False, group_title: str = "") -> dict:
    """Score and 95 % interval per row, the score printed beside it, chosen rows in bold.

    frame columns: navn, skaar, ki_lav, ki_hoy, etikett (and gruppe when grouped)."""
    domain = score_domain(frame["ki_lav"].min(), frame["ki_hoy"].max())
    x = {"field": "skaar", "type": "quantitative", "title": x_title,
         "scale": {"domain": domain, "nice": False}, "axis": {"tickCount": 8, "format": ",.0f"}}
    y = {"field": "navn", "type": "nominal", "sort": None, "title": None,
         "axis": {"labelFontWeight": {"condition": {"test": f"indexof({js(highlight)}, datum.value) >= 0",
                                                    "value": "bold"}, "value": "normal"}}}
    chosen = {"test": f"indexof({js(highlight)}, datum.navn) >= 0"}
    if grouped:
        groups = frame["gruppe"].unique(maintain_order=True).to_list()
        colour = {"field": "gruppe", "type": "nominal", "title": group_title,
                  "scale": {"domain": groups, "range": palette.SERIES[: len(groups)]}}
        offset = {"yOffset": {"field": "gruppe", "type": "nominal", "sort": groups}}
    else:
        colour = {"condition": chosen | {"value": palette.SERIES[1]}, "value": palette.SERIES[0]}
        offset = {}
    rows = frame["navn"].n_unique() * (frame["gruppe"].n_unique() if grouped else 1)
    return {
        "height": {"step": ROW} if rows >= 4 else 160,
        "padding": {"right": 60},
        "layer": [
            {**reference_rule("x"), "encoding": {"x": {"datum": 500, "type": "quantitative", "scale": x["scale"]}}},
            {"mark": {"type": "rule", "strokeWidth": 3},
             "encoding": {"y": y, **offset, "x": x | {"field": "ki_lav"}, "x2": {"field": "ki_hoy"},
                          "color": colour, "opacity": {"value": 0.55}}},
            {"mark": {"type": "point", "filled": True, "size": 150, "opacity": 1},
             "encoding": {"y": y, **offset, "x": x, "color": colour, "tooltip": tooltip}},
            {"mark": {"type": "text", "aria": False, "align": "left", "dx": 8, "fontSize": FONT_SIZE},
             "encoding": {"y": y, **offset, "x": {"field": "ki_hoy", "type": "quantitative"},
                          "text": {"field": "etikett"}, "color": {"value": palette.INK}}},
        ],
    }


def reference_rule(channel: str) -> dict:
    return {"mark": {"type": "rule", "aria": False, "color": palette.REFERENCE, "strokeDash": [6, 4], "strokeWidth": 2},
            "encoding": {channel: {"datum": 500}}}


def lines(frame: pl.DataFrame, *, order: list[str], names: list[str], x_title: str, y_title: str,
          tooltip: list[dict], shape_title: str, shapes: dict[str, str]) -> dict:
    """Scores across rounds, one line per entity, labelled at its last point with name and score.

    frame columns: navn, runde, skaar, tydelig, etikett, siste."""
    domain = [min(400.0, (frame["skaar"].min() or 500) - 10), max(600.0, (frame["skaar"].max() or 500) + 10)]
    colour = {"field": "navn", "type": "nominal", "legend": None,
              "scale": {"domain": names, "range": [palette.SERIES[i % len(palette.SERIES)] for i in range(len(names))]}}
    x = {"field": "runde", "type": "ordinal", "sort": order, "title": x_title,
         "axis": {"labelAngle": 0}, "scale": {"paddingOuter": 0.2}}
    y = {"field": "skaar", "type": "quantitative", "title": y_title,
         "scale": {"domain": domain, "nice": False}, "axis": {"format": ",.0f"}}
    return {
        "height": 380,
        "padding": {"right": 190},
        "layer": [
            {**reference_rule("y"), "encoding": {"y": {"datum": 500, "type": "quantitative", "scale": y["scale"]}}},
            {"mark": {"type": "line", "strokeWidth": 3},
             "encoding": {"x": x, "y": y, "color": colour, "detail": {"field": "navn"}}},
            {"mark": {"type": "point", "filled": True, "size": 160},
             "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltip,
                          "shape": {"field": "tydelig", "type": "nominal", "title": shape_title,
                                    "scale": {"domain": list(shapes), "range": list(shapes.values())}}}},
            {"transform": [{"filter": "datum.siste"}],
             "mark": {"type": "text", "aria": False, "align": "left", "dx": 12, "fontSize": FONT_SIZE},
             "encoding": {"x": x, "y": y, "text": {"field": "etikett"}, "color": {"value": palette.INK}}},
        ],
    }


def heatmap(frame: pl.DataFrame, *, rows: list[str], columns: list[str], edges: list[float],
            colours: list[str], legend_title: str, tooltip: list[dict], classes: list[str] | None = None) -> dict:
    """Cells coloured by class, each printing its value in black or white (whichever reads on the
    cell); hidden cells grey with «–». The class is the value's place among `edges` (one
    direction for every column), or, with `classes`, the frame's column «klasse» naming one of
    them (scores: palette.goodness, so columns of opposite direction share one colour for «better»).

    frame columns: rad, kolonne, verdi, tekst, tekstfarge (and klasse with classes)."""
    if classes is None:
        colour = {"field": "verdi", "type": "quantitative", "title": legend_title,
                  "scale": {"type": "threshold", "domain": edges, "range": colours}}
    else:
        colour = {"field": "klasse", "type": "ordinal", "title": legend_title, "sort": classes,
                  "scale": {"domain": classes, "range": colours}}
    return {
        # a step per row, not a fixed height: Streamlit sizes the element to the whole drawing,
        # angled area labels included, so nothing below is drawn over
        "height": {"step": round(ROW * 1.3)},
        "encoding": {
            "x": {"field": "kolonne", "type": "nominal", "sort": columns, "title": None,
                  "axis": {"orient": "top", "labelAngle": -40, "labelLimit": 260}},
            "y": {"field": "rad", "type": "nominal", "sort": rows, "title": None},
        },
        "layer": [
            {"mark": {"type": "rect", "stroke": "#ffffff", "strokeWidth": 2, "color": "#e0e0e0"},
             "encoding": {"tooltip": tooltip}},
            {"transform": [{"filter": "datum.verdi !== null"}],
             "mark": {"type": "rect", "stroke": "#ffffff", "strokeWidth": 2},
             "encoding": {"color": colour | {"legend": {"orient": "right", "direction": "vertical"}},
                          "tooltip": tooltip}},
            {"mark": {"type": "text", "aria": False, "fontSize": FONT_SIZE},
             "encoding": {"text": {"field": "tekst"}, "color": {"condition": {"test": "datum.tekstfarge === '#ffffff'", "value": "#ffffff"},
                                    "value": palette.INK}}},
        ],
    }


def gantt(bars: pl.DataFrame, extensions: pl.DataFrame, *, today: dt.date, order: list[str], strands: dict[str, str],
          today_label: str, tooltip: list[dict], legend_title: str) -> tuple[dict, pl.DataFrame]:
    """One row per collaboration, one thin bar per grant strand (fixed strand colours), the
    period printed after the bars, extensions as a dark line, today as a dashed rule.

    bars: id, samarbeid, ordning (label), fra, til, periode, er_siste; extensions: samarbeid, fra, til.
    Returns the spec and the single data frame it reads (bars and extensions stacked)."""
    data = pl.concat([bars.with_columns(pl.lit("stolpe").alias("lag")),
                      extensions.with_columns(pl.lit("forlengelse").alias("lag"))], how="diagonal_relaxed")
    y = {"field": "samarbeid", "type": "nominal", "sort": order, "title": None}
    x = {"field": "fra", "type": "temporal", "title": None,
         "axis": {"format": "%Y", "tickCount": {"interval": "year", "step": 1}, "grid": True, "labelAngle": 0}}
    pick = {"name": "valg", "select": {"type": "point", "fields": ["id"], "on": "click"}}
    return {
        "height": {"step": 9, "for": "offset"},  # a row holds one thin bar per strand
        "layer": [
            {"transform": [{"filter": "datum.lag === 'stolpe'"}],
             "params": [pick],
             "mark": {"type": "bar", "cornerRadius": 2},
             "encoding": {"y": y, "x": x, "x2": {"field": "til"}, "yOffset": {"field": "ordning", "type": "nominal"},
                          "color": {"field": "ordning", "type": "nominal", "title": legend_title,
                                    "scale": {"domain": list(strands), "range": list(strands.values())},
                                    "legend": {"orient": "bottom", "columns": 3}},
                          "opacity": {"condition": {"param": "valg", "value": 1, "empty": True}, "value": 0.45},
                          "tooltip": tooltip}},
            {"transform": [{"filter": "datum.lag === 'forlengelse'"}],
             "mark": {"type": "bar", "aria": False, "height": 5, "color": palette.INK},
             "encoding": {"y": y, "x": x, "x2": {"field": "til"}}},
            {"transform": [{"filter": "datum.lag === 'stolpe' && datum.er_siste"}],
             "mark": {"type": "text", "aria": False, "align": "left", "dx": 8, "fontSize": FONT_SIZE},
             "encoding": {"y": y, "x": {"field": "slutt", "type": "temporal"}, "text": {"field": "periode"},
                          "color": {"value": palette.INK}}},
            {"mark": {"type": "rule", "aria": False, "color": palette.REFERENCE, "strokeDash": [6, 4], "strokeWidth": 2},
             "encoding": {"x": {"datum": {"year": today.year, "month": today.month, "date": today.day},
                                "type": "temporal"},
                          "tooltip": {"value": today_label}}},
        ],
    }, data

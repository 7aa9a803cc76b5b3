"""Every dashboard page under Streamlit's AppTest, on two demo warehouses (A: with boundaries,
B: without), plus a strict test that runs every query file in sql/queries/.

Filters are seeded the way a shared link does it: through `at.query_params`. Bound multiselects
take the *formatted* option in the URL (`?region=Bodø`, `?kommune=Hamar`), the period slider two
repeated values (`?periode=2027&periode=2027`), bound segmented controls their label
(`?niva=Kommuner`). The same filters can be set through `at.session_state[key]` before a run.
"""

from __future__ import annotations

import inspect
import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path

import browser_helpers
import pyarrow as pa
import pytest
import vl_convert
from browser_helpers import APP, DEMO_MERKE, PAGE_NAMES, page_paths
from streamlit.testing.v1 import AppTest

from dashboard import kartetiketter, palette
from dashboard.filters import last_year

# shared session fixtures: the two demo warehouses
demo_warehouse_a = browser_helpers.demo_warehouse_a
demo_warehouse_b = browser_helpers.demo_warehouse_b

K = 10  # the build's suppression threshold (KL_MIN_SVAR default)
KART_WIDTH, KART_HEIGHT = kartetiketter.MAP  # the map's fixed size on the Kart page
INGEN_TREFF = "Ingen samarbeid passer med filtrene"
ATTRIBUSJON = "© Kartverket (CC BY 4.0)"
# a narrow filter: two dated collaborations with demo survey and mapping data
NARROW = {"region": ["Gjøvikregionen", "Hamarregionen"]}
# the slider's last year (2027 on this clock): no collaboration in the sources runs then
LAST = str(last_year())
# a filter with no data: a collaboration that ended in 2024, in the slider's last year
NO_DATA = {"region": "Bodø", "periode": [LAST, LAST]}
# pages whose content depends on the collaboration filters (Data lists extracts, Om is static)
FILTERED_PAGES = ["oversikt", "kart", "tidslinje", "indikatorer", "sammenligning", "kartlegging"]


# --- helpers ------------------------------------------------------------------------------------


def app(monkeypatch: pytest.MonkeyPatch, warehouse: Path, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("KL_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at


def open_page(at: AppTest, name: str) -> AppTest:
    return at.switch_page(page_paths()[name]).run()


def no_exception(at: AppTest, where: str) -> None:
    assert not at.exception, f"{where}: " + "; ".join(
        f"{e.message}\n{''.join(e.stack_trace)}" for e in at.exception
    )


def texts(at: AppTest) -> list[str]:
    """Every visible text of the run: markdown, captions, headings, alerts, plain html."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info", "warning",
                 "error", "success"):
        out += [str(el.value) for el in getattr(at, kind)]
    out += [el.proto.body for el in at.get("html")]
    return out


def metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; metrics: {[m.label for m in at.metric]}"
    return found[0]


def deck_spec(at: AppTest) -> tuple[dict, str]:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1, f"expected one map, found {len(charts)}"
    raw = charts[0].proto.json
    return json.loads(raw), raw


def vega_datasets(at: AppTest) -> list[pa.Table]:
    tables = []
    for chart in at.get("vega_lite_chart"):
        if chart.proto.data.data:
            tables.append(pa.ipc.open_stream(chart.proto.data.data).read_all())
        for ds in chart.proto.datasets:
            tables.append(pa.ipc.open_stream(ds.data.data).read_all())
    return tables


def vega_specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def map_layer(spec: dict, layer_id: str) -> dict:
    return next(layer for layer in spec["layers"] if layer.get("id") == layer_id)


def fill_classes(layer: dict) -> list[int]:
    """The colour class per municipality from the layer's fill expression ([colours][[classes][i]])."""
    expression = layer["getFillColor"]
    match = re.fullmatch(r"@@=\((\[\[.*\]\])\)\[\((\[.*\])\)\[properties\.i\]\]", expression)
    assert match, expression[:200]
    return json.loads(match.group(2))


def fill_colours(layer: dict) -> list[list[int]]:
    """The colour per class ([r, g, b, a]) from the layer's fill expression."""
    return json.loads(re.fullmatch(r"@@=\((\[\[.*\]\])\)\[.*", layer["getFillColor"]).group(1))


def geometry_file(layer: dict) -> dict:
    """The boundary file a map layer points to (served from dashboard/static/)."""
    url = layer["data"]
    assert isinstance(url, str) and url.startswith("app/static/kart/"), str(url)[:100]
    return json.loads((APP.parent / "static" / url.removeprefix("app/static/")).read_text(encoding="utf-8"))


# --- every page, three filter states ------------------------------------------------------------


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_page_renders_with_default_filters(page, monkeypatch, demo_warehouse_a):
    at = open_page(app(monkeypatch, demo_warehouse_a), page)
    no_exception(at, page)
    assert at.title, f"{page}: no title"
    assert any(DEMO_MERKE in w.value for w in at.warning), f"{page}: the demo banner is missing"
    # the shared filters live in the entrypoint's sidebar on every page
    assert {m.key for m in at.sidebar.multiselect} >= {"region", "ordning", "fylke", "kommune"}


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_page_renders_with_narrow_filter(page, monkeypatch, demo_warehouse_a):
    at = open_page(app(monkeypatch, demo_warehouse_a, NARROW), page)
    no_exception(at, page)
    assert at.sidebar.multiselect(key="region").value == [
        "gjovikregionen-kompetanseloftet", "hamarregionen-inkluderende-laeringsmiljo",
    ], "the region filter from the URL was not applied"
    assert any(DEMO_MERKE in w.value for w in at.warning)


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_page_without_matching_data_says_so(page, monkeypatch, demo_warehouse_a):
    at = open_page(app(monkeypatch, demo_warehouse_a, NO_DATA), page)
    no_exception(at, page)
    assert at.sidebar.slider(key="periode").value == (int(LAST), int(LAST))
    if page in FILTERED_PAGES:
        assert at.info, f"{page}: no st.info saying that nothing matches the filters"
        assert not at.dataframe, f"{page}: shows a table although nothing matches"
        assert not at.get("vega_lite_chart"), f"{page}: draws a chart although nothing matches"
    elif page == "data":
        counts = [m.value for m in at.markdown if " rader" in m.value]
        assert counts, "data: no extract with a row count"
        filtered = counts[:3]  # collaborations, collaborations × municipalities, map municipalities
        assert all("· 0 rader" in c for c in filtered), filtered


def test_period_without_collaborations_shows_none(monkeypatch, demo_warehouse_a, connect_ro):
    """No collaboration in the sources runs in the slider's last year; collaborations without a
    stated period must only be kept while the period filter is open (sql/marts/macros.sql)."""
    with connect_ro(demo_warehouse_a) as con:
        [(latest,)] = con.sql("select max(coalesce(forlenget_til, slutt_ar)) from mart_partnerskap").fetchall()
    assert latest < int(LAST), "precondition: no collaboration may run in the slider's last year"
    at = open_page(app(monkeypatch, demo_warehouse_a, {"periode": [LAST, LAST]}), "oversikt")
    no_exception(at, "oversikt")
    shown = [m.value for m in at.metric if m.label == "Samarbeid"]
    assert any(INGEN_TREFF in i.value for i in at.info), (
        f"period {LAST}–{LAST} should match no collaboration, Oversikt shows Samarbeid={shown}"
    )


# --- filters change the numbers -----------------------------------------------------------------


def test_region_filter_changes_oversikt_numbers(monkeypatch, demo_warehouse_a):
    default = open_page(app(monkeypatch, demo_warehouse_a), "oversikt")
    all_count = int(metric(default, "Samarbeid"))
    assert all_count > 2

    by_url = open_page(app(monkeypatch, demo_warehouse_a, {"region": "Bodø"}), "oversikt")
    assert metric(by_url, "Samarbeid") == "1"
    assert metric(by_url, "Kommuner") != metric(default, "Kommuner")

    by_state = app(monkeypatch, demo_warehouse_a)
    by_state.session_state["region"] = ["bodo-kompetanseloftet-inkluderende-praksis"]
    open_page(by_state, "oversikt")
    assert metric(by_state, "Samarbeid") == "1"

    # and through the widget, in one session: pick, rerun, reset
    at = open_page(app(monkeypatch, demo_warehouse_a), "oversikt")
    at.sidebar.multiselect(key="region").select("bodo-kompetanseloftet-inkluderende-praksis").run()
    no_exception(at, "oversikt after picking a region")
    assert metric(at, "Samarbeid") == "1"
    reset = [b for b in at.sidebar.button if b.label == "Nullstill filtre"]
    assert reset, "no reset button in the sidebar"
    reset[0].click().run()
    assert metric(at, "Samarbeid") == str(all_count)


def test_entrypoint_runs_on_every_rerun(monkeypatch, demo_warehouse_a):
    """Sidebar filters and banner must come back on every rerun and page switch (with a `pages/`
    folder next to the entrypoint Streamlit runs page files alone: no filters, no banner)."""
    at = open_page(app(monkeypatch, demo_warehouse_a), "oversikt")
    for step in ("rerun", "kart", "data"):
        if step == "rerun":
            at.run()
        else:
            open_page(at, step)
        no_exception(at, step)
        assert at.sidebar.multiselect, f"{step}: sidebar filters missing"
        assert any(DEMO_MERKE in w.value for w in at.warning), f"{step}: banner missing"


def test_kommune_filter_changes_indikatorer_rows(monkeypatch, demo_warehouse_a):
    default = open_page(app(monkeypatch, demo_warehouse_a), "indikatorer")
    no_exception(default, "indikatorer")
    table = default.dataframe[0].value
    kommune = table["Kommune"].value_counts().index[0]
    assert kommune in default.sidebar.multiselect(key="kommune").options

    narrow = open_page(app(monkeypatch, demo_warehouse_a, {"kommune": kommune}), "indikatorer")
    no_exception(narrow, "indikatorer")
    rows = narrow.dataframe[0].value
    assert 0 < len(rows) < len(table), (len(rows), len(table))
    assert set(rows["Kommune"]) == {kommune}


# --- the map --------------------------------------------------------------------------------------


def test_map_with_boundaries(monkeypatch, demo_warehouse_a):
    at = open_page(app(monkeypatch, demo_warehouse_a), "kart")
    no_exception(at, "kart")
    spec, raw = deck_spec(at)
    kommuner = map_layer(spec, "kommuner")
    assert kommuner["@@type"] == "GeoJsonLayer"
    # the layer a click hits draws no outline (the outlines made a click too slow to count)
    assert kommuner["stroked"] is False and kommuner["pickable"] is True
    assert map_layer(spec, "kommunegrenser")["pickable"] is False
    # the geometry travels once, as a file the browser fetches; the rerun carries only colours
    assert len(geometry_file(kommuner)["features"]) == 357
    assert len(fill_classes(kommuner)) == 357
    assert len(raw) < 40_000, f"the map sends {len(raw)} bytes per rerun"
    _assert_no_basemap(spec, raw)
    assert any(ATTRIBUSJON in t for t in texts(at)), "boundary attribution missing"
    # each collaboration in its fixed colour (the one every page uses), two at once in «several»
    features = {f["properties"]["kommunenummer"]: f["properties"]["i"] for f in geometry_file(kommuner)["features"]}
    colours, classes = fill_colours(kommuner), fill_classes(kommuner)
    shown = {code: palette.hex_of(colours[classes[i]]) for code, i in features.items()}
    assert shown["3303"] == palette.collaboration("kongsbergregionen-alle-med")  # Kongsberg
    assert shown["1804"] == palette.collaboration("bodo-kompetanseloftet-inkluderende-praksis")
    assert shown["3240"] == palette.SEVERAL  # Eidsvoll: two collaborations
    assert shown["0301"] == palette.OUTSIDE  # Oslo: none


def test_map_without_boundaries_uses_points(monkeypatch, demo_warehouse_b):
    at = open_page(app(monkeypatch, demo_warehouse_b), "kart")
    no_exception(at, "kart")
    spec, raw = deck_spec(at)
    types = [layer["@@type"] for layer in spec["layers"]]
    assert types[0] == "ScatterplotLayer" and "GeoJsonLayer" not in types, types
    assert len(spec["layers"][0]["data"]) == 357
    _assert_no_basemap(spec, raw)
    assert not any("Kartverket" in t for t in texts(at)), "attribution shown without boundaries"
    assert any(DEMO_MERKE in w.value for w in at.warning)


def _assert_no_basemap(spec: dict, raw: str) -> None:
    assert "cartocdn" not in raw.lower()
    assert spec.get("mapProvider") in (None, ""), spec.get("mapProvider")
    style = spec.get("mapStyle")
    assert not (isinstance(style, str) and re.match(r"(https?|mapbox):", style)), style
    assert not re.search(r"https?://", json.dumps({k: v for k, v in spec.items() if k != "layers"}))


def test_narrow_filter_colours_only_chosen_municipalities(monkeypatch, demo_warehouse_a):
    at = open_page(app(monkeypatch, demo_warehouse_a, {"region": "Bodø"}), "kart")
    no_exception(at, "kart")
    spec, _ = deck_spec(at)
    kommuner = map_layer(spec, "kommuner")
    classes = fill_classes(kommuner)
    coloured = [
        f["properties"]["kommunenavn"] for f in geometry_file(kommuner)["features"]
        if classes[f["properties"]["i"]] != 0
    ]
    assert coloured == ["Bodø"], coloured
    # the collaboration is named on the map, and the view is zoomed in on it
    labels = map_layer(spec, "etiketter")["data"]
    assert [label["tekst"] for label in labels] == ["Bodø"]
    assert spec["initialViewState"]["zoom"] > 6, spec["initialViewState"]


def _view(spec: dict) -> kartetiketter.View:
    v = spec["initialViewState"]
    return kartetiketter.View(v["latitude"], v["longitude"], v["zoom"], *kartetiketter.MAP)


def _label_boxes(spec: dict) -> list[tuple[float, float, float, float, str]]:
    """Screen boxes of the map's labels, from the view the page sends and the map's fixed size."""
    view = _view(spec)
    boxes = []
    for label in map_layer(spec, "etiketter")["data"]:
        x, y = view.screen(*label["p"])
        w, h = kartetiketter.box_size(label["tekst"])
        boxes.append((x - w / 2, y - h / 2, x + w / 2, y + h / 2, label["tekst"]))
    return boxes


def test_map_labels_never_cover_each_other_and_norway_fills_the_map(monkeypatch, demo_warehouse_a):
    at = open_page(app(monkeypatch, demo_warehouse_a), "kart")
    no_exception(at, "kart")
    spec, _ = deck_spec(at)
    boxes = _label_boxes(spec)
    assert len(boxes) >= 12, [b[4] for b in boxes]  # most collaborations are named on the map
    for a, b in itertools.combinations(boxes, 2):
        assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    for x0, y0, x1, y1, text in boxes:
        assert 0 <= x0 and x1 <= KART_WIDTH and 0 <= y0 and y1 <= KART_HEIGHT, (text, x0, y0, x1, y1)
    # every label that moved off its area has a leader line back to it
    lines = map_layer(spec, "ledere")["data"]
    assert lines and all(len(line["fra"]) == 2 and len(line["til"]) == 2 for line in lines)
    # the collaborations reach from Sandnes to Øst-Finnmark: the view fits them, with little room left
    view = _view(spec)
    south_west = view.screen(5.2, 58.3)  # Sandnes' corner of the map
    north_east = view.screen(31.1, 71.2)  # Vardø and Nordkapp
    height, width = south_west[1] - north_east[1], north_east[0] - south_west[0]
    assert height > 0.85 * KART_HEIGHT or width > 0.85 * KART_WIDTH, (width, height)


def test_map_link_selects_a_municipality_by_name_or_number(monkeypatch, demo_warehouse_a):
    for given in ("Kongsberg", "3303"):
        at = open_page(app(monkeypatch, demo_warehouse_a, {"valgt": given}), "kart")
        no_exception(at, "kart")
        assert "Kongsberg (3303)" in [h.value for h in at.subheader], given
        spec, _ = deck_spec(at)
        assert "Kongsberg" in [label["tekst"] for label in map_layer(spec, "etiketter")["data"]]
        outline = map_layer(spec, "valgt-2.5")
        assert outline["data"]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    at = open_page(app(monkeypatch, demo_warehouse_a, {"valgt": "Atlantis"}), "kart")
    no_exception(at, "kart")
    assert not at.subheader
    assert any("valgt=Atlantis" in w.value for w in at.warning), [w.value for w in at.warning]


# --- missing warehouse ----------------------------------------------------------------------------


def test_missing_warehouse_shows_norwegian_error(monkeypatch, tmp_path):
    at = app(monkeypatch, tmp_path / "finnes-ikke.duckdb").run()
    no_exception(at, "missing warehouse")
    assert at.error, "no error message"
    assert "Fant ikke datalageret" in at.error[0].value
    assert "finnes-ikke.duckdb" in at.error[0].value


# --- suppression at page level --------------------------------------------------------------------


def numbers(column) -> list[float | None]:
    """A table column's values: numbers stay numbers (they sort as numbers); hidden is empty."""
    import math

    values = [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in column]
    assert all(v is None or isinstance(v, (int, float)) for v in values), values[:5]
    return values


@pytest.mark.parametrize("niva", ["Enheter", "Kommuner", "Regioner og samarbeid"])
@pytest.mark.parametrize("fordeling", ["Alle", "Trinn", "Kjønn"])
def test_indikatorer_never_show_fewer_than_k_answers(niva, fordeling, monkeypatch, demo_warehouse_a):
    at = open_page(app(monkeypatch, demo_warehouse_a, {"niva": niva, "fordeling": fordeling}), "indikatorer")
    no_exception(at, "indikatorer")
    assert at.dataframe, "no table"
    for frame in (d.value for d in at.dataframe):
        svar, skaar, snitt = numbers(frame["Svar"]), numbers(frame["Skår"]), numbers(frame["Snitt (1–5)"])
        visible = [v for v in svar if v is not None]
        assert visible, "the table shows no numbers at all"
        assert all(v >= K for v in visible), f"{niva}/{fordeling}: Svar below {K}: {sorted(visible)[:5]}"
        hidden = [i for i, v in enumerate(skaar) if v is None]
        assert all(svar[i] is None and snitt[i] is None for i in hidden), "a hidden row shows numbers"

    for table in vega_datasets(at):
        if "Svar" in table.column_names:
            values = [v for v in table.column("Svar").to_pylist() if v is not None]
            assert all(v >= K for v in values), f"chart data with Svar below {K}"


def test_sammenligning_and_kartlegging_never_show_fewer_than_k(monkeypatch, demo_warehouse_a):
    at = open_page(app(monkeypatch, demo_warehouse_a), "sammenligning")
    no_exception(at, "sammenligning")
    for frame in (d.value for d in at.dataframe):
        assert all(v >= K for v in numbers(frame["Svar"]) if v is not None)
    open_page(at, "kartlegging")
    no_exception(at, "kartlegging")
    tables = vega_datasets(at)
    assert tables, "kartlegging drew no heatmap"
    for table in tables:
        if "svar" in table.column_names:
            rows = table.to_pylist()
            assert all(r["svar"] is None or r["svar"] >= K for r in rows)
            assert all(r["verdi"] is None for r in rows if r["svar"] is None or r["svar"] < K)


# --- every query file runs (strict build) ---------------------------------------------------------


def test_every_query_file_runs(monkeypatch, demo_warehouse_a):
    """Call every public function of dashboard/queries.py outside a Streamlit run (st.cache_data
    and st.cache_resource fall back to memory with a warning) and check that together they run
    each file in sql/queries/ without error."""
    import polars as pl
    import streamlit as st

    from dashboard import db, queries
    from dashboard.filters import Filters

    monkeypatch.setenv("KL_WAREHOUSE", str(demo_warehouse_a))
    st.cache_data.clear()
    st.cache_resource.clear()
    ran: set[str] = set()
    real_run = db._run

    def recording_run(build, scope, name, params):
        ran.add(name)
        return real_run(build, scope, name, params)

    monkeypatch.setattr(db, "_run", recording_run)

    options = queries.filter_options()
    gruppe = options.respondentgrupper["respondentgruppe"][0]
    runde = options.runder["runde"][-1]
    f = Filters(respondentgruppe=gruppe, runde=runde)
    indikator = queries.indicators(gruppe)["indikator"][0]
    mapping_rounds = queries.mapping_rounds()
    assert mapping_rounds, "the demo warehouse has no mapping rounds"
    choices: dict[str, list] = {
        "f": [f, Filters(partnerskap=("bodo-kompetanseloftet-inkluderende-praksis",),
                         respondentgruppe=gruppe, runde=runde)],
        "niva": ["enhet", "kommune", "partnerskap", "fylke"],
        "niva_id": ["kongsbergregionen-alle-med"],
        "indikator": [indikator],
        "gruppering": ["alle", "trinn", "kjonn"],
        "respondentgruppe": [gruppe, None],
        "runde": ["siste", *mapping_rounds],
        # public statistics (Offentlig statistikk)
        "partnerskap_id": ["kongsbergregionen-alle-med"],
        "skolear": ["2024-25"],
    }

    def calls(fn: Callable) -> list[dict]:
        params = [p for p in inspect.signature(fn).parameters.values()]
        combos: list[dict] = [{}]
        for p in params:
            if p.name == "ider":
                continue  # filled in from indicator_by_level below
            if p.name not in choices:
                if p.default is not inspect.Parameter.empty:
                    continue
                pytest.fail(f"queries.{fn.__name__}: no test value for parameter {p.name!r}; "
                            "add it to `choices` in test_every_query_file_runs")
            combos = [c | {p.name: v} for c in combos for v in choices[p.name]]
        if "ider" in inspect.signature(fn).parameters:
            with_ids = []
            for c in combos:
                level = queries.indicator_by_level(c["f"], c["niva"], c["indikator"])
                with_ids.append(c | {"ider": level["niva_id"].unique().to_list()[:4]})
            combos = with_ids
        return combos

    functions = [
        fn for name, fn in inspect.getmembers(queries, inspect.isfunction)
        if not name.startswith("_") and fn.__module__ == queries.__name__
    ]
    assert functions
    for fn in functions:
        for kwargs in calls(fn):
            try:
                result = fn(**kwargs)
            except Exception as exc:  # noqa: BLE001 - report which call failed
                pytest.fail(f"queries.{fn.__name__}({kwargs}) failed: {type(exc).__name__}: {exc}")
            assert result is not None, fn.__name__
            if isinstance(result, pl.DataFrame) and fn.__name__ in ("partnerships", "sources"):
                assert result.height > 0, fn.__name__

    missing = sorted(set(db.query_names()) - ran)
    assert not missing, f"query files never run by any function in dashboard/queries.py: {missing}"


# --- languages, defaults, headings and links ------------------------------------------------------


@pytest.mark.parametrize("lang", ["nn", "en"])
@pytest.mark.parametrize("page", PAGE_NAMES)
def test_page_in_nynorsk_and_english(page, lang, monkeypatch, demo_warehouse_a):
    """Every page renders from the catalogue in the chosen language (a missing key raises) and
    sets <html lang> to it."""
    from dashboard import tekster

    at = open_page(app(monkeypatch, demo_warehouse_a, {"lang": lang}), page)
    no_exception(at, f"{page} ({lang})")
    assert at.sidebar.get("button_group")[0].value == lang if at.sidebar.get("button_group") else True
    assert any(f'documentElement.lang = "{lang}"' in h.proto.body for h in at.get("html")), "html lang"
    banner = tekster.catalogue()["felles.demo_merke"][lang]
    assert any(banner in w.value for w in at.warning), f"{page}: the demo banner is not in {lang}"
    title = at.title[0].value
    assert title == tekster.catalogue()[f"{_title_key(page)}"][lang], title


def _title_key(page: str) -> str:
    return {"data": "data.tittel", "om": "om.tittel"}.get(page, f"{page}.tittel")


def test_default_round_is_the_latest_with_data(monkeypatch, demo_warehouse_a, connect_ro):
    with connect_ro(demo_warehouse_a) as con:
        [(latest,)] = con.sql(
            "select runde from stg_runde where runde in (select runde from mart_deltakelse) "
            "order by runde_sort desc limit 1").fetchall()
    at = open_page(app(monkeypatch, demo_warehouse_a), "indikatorer")
    assert at.sidebar.selectbox(key="runde").value == latest
    shown = " ".join(m.value for m in at.get("html") if "kl-viser" in m.value)  # one escaping helper: st.html
    assert f"Runde {latest}" in shown and "Elever 5.–10. trinn" in shown, shown


def test_a_link_with_an_unknown_value_says_so(monkeypatch, demo_warehouse_a):
    at = open_page(app(monkeypatch, demo_warehouse_a, {"region": "Finnes ikke", "niva": "Galaksen"}), "indikatorer")
    no_exception(at, "indikatorer")
    warned = " ".join(w.value for w in at.warning)
    assert "Finnes ikke" in warned and "Galaksen" in warned, warned


def test_sammenligning_keeps_a_selection_across_levels(monkeypatch, demo_warehouse_a):
    at = open_page(app(monkeypatch, demo_warehouse_a), "sammenligning")
    chosen = at.multiselect(key="s_valgt").value
    assert len(chosen) >= 2
    at.segmented_control(key="s_niva").set_value("kommune").run()
    no_exception(at, "sammenligning (kommuner)")
    after = at.multiselect(key="s_valgt").value
    assert len(after) >= 2 and not set(after) & set(chosen), "switching level emptied the selection"
    assert len(vega_specs(at)) == 2


def test_sammenligning_selection_comes_from_the_link(monkeypatch, demo_warehouse_a):
    """The chosen places are in the URL by their shown names (a link reproduces the view)."""
    first = open_page(app(monkeypatch, demo_warehouse_a), "sammenligning")
    labels = first.multiselect(key="s_valgt").options[-2:]
    at = open_page(app(monkeypatch, demo_warehouse_a, {"s_valgt": labels}), "sammenligning")
    chosen = at.multiselect(key="s_valgt")
    assert sorted(chosen.options[i] for i in chosen.indices) == sorted(labels)


def test_charts_use_the_projector_theme(monkeypatch, demo_warehouse_a):
    """Chart text is 16 px or larger and dark enough on white (4.5:1), on every chart page."""
    from dashboard import palette

    for page in ("tidslinje", "indikatorer", "sammenligning", "kartlegging"):
        at = open_page(app(monkeypatch, demo_warehouse_a), page)
        specs = vega_specs(at)
        assert specs, f"{page}: no chart"
        for spec in specs:
            config = spec["config"]
            for part in ("axis", "legend"):
                assert config[part]["labelFontSize"] >= 16 and config[part]["titleFontSize"] >= 16
                for key in ("labelColor", "titleColor"):
                    assert palette.contrast(config[part][key], config["background"]) >= 4.5
            assert config["text"]["fontSize"] >= 16
            assert spec["usermeta"]["embedOptions"]["renderer"] == "svg"
        # each spec compiles (Vega-Lite draws nothing at all for a spec it cannot compile)
        for chart, table in zip(at.get("vega_lite_chart"), vega_datasets(at)):
            spec = json.loads(chart.proto.spec)
            spec["data"] = {"values": [{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.items()}
                                       for row in table.to_pylist()]}
            vl_convert.vegalite_to_vega(spec)

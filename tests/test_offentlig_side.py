"""The page Offentlig statistikk under AppTest and in a real browser, on demo warehouse A (demo
survey data, the shared 2024 boundaries and the bundled Udir responses).

The page shows only Udir's real figures: «Kilde: Utdanningsdirektoratet», never the demo mark.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import browser_helpers
import pytest
from browser_helpers import APP, DEMO_MERKE, guarded_context, start_server, wait_for_app
from conftest import PROJECT_ROOT, connect_ro
from playwright.sync_api import expect
from streamlit.testing.v1 import AppTest

demo_warehouse_a = browser_helpers.demo_warehouse_a
playwright_instance = browser_helpers.playwright_instance
chromium = browser_helpers.chromium

PAGE = "sider/offentlig.py"
KILDE = "Kilde: Utdanningsdirektoratet"
SCREENSHOTS = PROJECT_ROOT / "screenshots"
EXPECT_TIMEOUT = 90_000  # ms: the machine is shared; a loaded one draws the map slowly
READY_TIMEOUT = 240  # s


def page(monkeypatch, warehouse: Path, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("KL_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(APP), default_timeout=90)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(PAGE).run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, "; ".join(f"{e.message}\n{''.join(e.stack_trace)}" for e in at.exception)


def all_text(at: AppTest) -> str:
    parts = [str(e.value) for kind in ("title", "subheader", "markdown", "caption", "info", "warning")
             for e in getattr(at, kind)]
    parts += [e.proto.body for e in at.get("html")]
    return "\n".join(parts)


def figures_table(at: AppTest):
    """The page's table of all figures (the map's table of municipalities comes first)."""
    [table] = [d.value for d in at.dataframe if "Nivå" in d.value.columns]
    return table


def mart_row(warehouse: Path, niva_id: str, indikator: str, skolear: str) -> dict:
    with connect_ro(warehouse) as con:
        cur = con.execute("select * from mart_offentlig where niva_id = ? and indikator = ? and skolear = ?",
                          [niva_id, indikator, skolear])
        return dict(zip([d[0] for d in cur.description], cur.fetchone()))


def test_page_shows_real_figures_without_the_demo_mark(monkeypatch, demo_warehouse_a):
    at = page(monkeypatch, demo_warehouse_a, {"o_samarbeid": "Nord-Østerdal"})
    no_exception(at)
    text = all_text(at)
    assert KILDE in text and "Ekte tall" in text
    assert DEMO_MERKE not in text, "real figures must never carry the demo mark"
    assert at.selectbox(key="o_samarbeid").value == "nord-osterdal-regional-kompetanseutvikling"
    # two charts (years; municipalities) and one map without a basemap
    assert len(at.get("vega_lite_chart")) == 2
    [deck] = at.get("deck_gl_json_chart")
    spec = json.loads(deck.proto.json)
    assert "cartocdn" not in deck.proto.json.lower() and spec.get("mapProvider") in (None, "")
    assert not re.search(r"https?://", json.dumps({k: v for k, v in spec.items() if k != "layers"}))
    assert {layer["id"] for layer in spec["layers"]} >= {"kommuner", "samarbeid"}
    # the collaboration's hand-checked share (test_offentlig_marts) is what the table shows
    row = mart_row(demo_warehouse_a, "nord-osterdal-regional-kompetanseutvikling", "andel_itos", "2024-25")
    shown = figures_table(at)
    line = shown[(shown["Område"] == "Nord-Østerdal samlet") & (shown["Skoleår"] == "2024–25")]
    assert line["Verdi"].tolist() == [f"{row['verdi']:.1f}".replace(".", ",") + "\u00a0%"]
    # the period and what the years are relative to it, and the series break
    assert "2021-2025" in text and "overlapper samarbeidsperioden: 2024–25" in text
    assert "individuelt tilrettelagt opplæring" in text and "Tidsserien:" in text
    assert "Dette kan du ikke lese ut av to skoleår" in text


def test_a_collaboration_with_hidden_municipalities_shows_bounds_not_a_number(monkeypatch, demo_warehouse_a):
    at = page(monkeypatch, demo_warehouse_a, {"o_samarbeid": "Kongsbergregionen"})
    no_exception(at)
    text = all_text(at)
    row = mart_row(demo_warehouse_a, "kongsbergregionen-alle-med", "andel_itos", "2025-26")
    assert row["status"] == "delvis"
    assert "Udir har skjult tallet for 4 av 8 kommuner (Hjartdal, Notodden, Rollag, Tinn)" in text
    shown = figures_table(at)
    line = shown[(shown["Område"] == "Kongsbergregionen samlet") & (shown["Skoleår"] == "2025–26")]
    nedre = f"{row['nedre']:.1f}".replace(".", ",")
    assert line["Verdi"].tolist()[0].startswith(f"skjult – mellom {nedre}")
    hidden = shown[(shown["Område"] == "Rollag")]["Verdi"].tolist()
    assert hidden and set(hidden) == {"skjult av Udir"}
    assert "Ingen av tallene er fra samarbeidsperioden" in text
    over_time, members = (json.loads(c.proto.spec) for c in at.get("vega_lite_chart"))
    # the period 2017-2023 ended before the figures: one school year of it is shown, not seven
    x_domains = {json.dumps(layer["encoding"]["x"]["scale"]["domain"]) for layer in over_time["layer"]}
    assert x_domains == {json.dumps([2022.5, 2025.5])}
    # the collaboration comes first though it has no value (only bounds), then its municipalities
    [order] = {json.dumps(layer["encoding"]["y"]["sort"]) for layer in members["layer"]}
    assert json.loads(order)[:2] == ["Kongsbergregionen samlet", "Kongsberg"]
    # the chart data never carries a number for a hidden municipality
    import pyarrow as pa

    for chart in at.get("vega_lite_chart"):
        for ds in chart.proto.datasets:
            table = pa.ipc.open_stream(ds.data.data).read_all().to_pylist()
            assert all(r.get("verdi") is None for r in table if r.get("status") in ("skjult", "delvis"))


def test_indicators_that_cannot_be_summed_say_so(monkeypatch, demo_warehouse_a):
    at = page(monkeypatch, demo_warehouse_a, {"o_samarbeid": "Hamarregionen"})
    at.selectbox(key="o_indikator").set_value("fravaer_median_dager").run()
    no_exception(at)
    assert any("kan ikke regnes sammen" in i.value and "median" in i.value for i in at.info)
    at.selectbox(key="o_indikator").set_value("mobbing_10_indeks").run()
    no_exception(at)
    assert any("Udir har ingen tall" in i.value for i in at.info)
    assert len(at.get("deck_gl_json_chart")) == 1, "the map still shows the municipalities that have figures"


def test_unit_and_kindergarten_collaborations_are_qualified(monkeypatch, demo_warehouse_a):
    at = page(monkeypatch, demo_warehouse_a, {"o_samarbeid": "Innbygda skole"})
    no_exception(at)
    assert "Udirs tall gjelder hele kommunen, ikke bare enheten" in all_text(at)
    at.selectbox(key="o_samarbeid").set_value("eidsvoll-barnehage-regional-kompetanseutvikling").run()
    no_exception(at)
    assert "gjelder samarbeidet barnehage" in all_text(at)


def test_the_sidebar_filter_narrows_the_collaborations(monkeypatch, demo_warehouse_a):
    at = page(monkeypatch, demo_warehouse_a, {"region": ["Bodø", "Sandnes"]})
    no_exception(at)
    assert set(at.selectbox(key="o_samarbeid").options) == {"Bodø", "Sandnes"}
    # a filter that leaves no collaboration with named municipalities says so
    at = page(monkeypatch, demo_warehouse_a, {"region": ["Gjøvikregionen"]})
    no_exception(at)
    assert any("Ingen samarbeid med navngitte kommuner" in i.value for i in at.info)


# --- in the browser -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(demo_warehouse_a, tmp_path_factory):
    srv = start_server(demo_warehouse_a, tmp_path_factory.mktemp("server-offentlig"))
    try:
        yield srv
    finally:
        srv.stop()


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1440, 900), (1920, 1080)])
def test_page_in_browser(size, server, chromium):
    guarded = guarded_context(chromium)
    try:
        browser_page = guarded.new_page()
        browser_page.set_viewport_size({"width": size[0], "height": size[1]})
        browser_page.set_default_timeout(EXPECT_TIMEOUT)
        browser_page.goto(server.url + "/offentlig?o_samarbeid=Kongsbergregionen")
        wait_for_app(browser_page, READY_TIMEOUT)
        assert browser_page.locator('[data-testid="stException"]').count() == 0
        expect(browser_page.get_by_text("Ekte tall · Kilde: Utdanningsdirektoratet")).to_be_visible(timeout=EXPECT_TIMEOUT)
        assert browser_page.get_by_text(DEMO_MERKE).count() == 0
        expect(browser_page.locator('[data-testid="stVegaLiteChart"]')).to_have_count(2, timeout=EXPECT_TIMEOUT)
        canvas = browser_page.locator("canvas").first
        canvas.scroll_into_view_if_needed()
        expect(canvas).to_be_visible(timeout=EXPECT_TIMEOUT)
        # choose the other school year: the URL keeps it, the municipality chart follows
        browser_page.get_by_role("radio", name="2024–25").click()
        wait_for_app(browser_page, READY_TIMEOUT)
        expect(browser_page.get_by_text("Kommunene i samarbeidet, skoleår 2024–25")).to_be_visible(timeout=EXPECT_TIMEOUT)
        assert "o_ar=2024" in browser_page.url
        SCREENSHOTS.mkdir(exist_ok=True)
        browser_page.screenshot(path=str(SCREENSHOTS / f"offentlig-{size[0]}x{size[1]}.png"))
        # the CSV of the figures: real data, no DEMODATA in its name, every row with the source
        with browser_page.expect_download() as info:
            browser_page.get_by_role("button", name="Last ned tallene (CSV)").click()
        download = info.value
        assert "DEMODATA" not in download.suggested_filename
        text = Path(download.path()).read_bytes().decode("utf-8-sig")
        header = [line for line in text.splitlines() if line.startswith("# ")]
        assert any("Ekte tall fra Udir" in line for line in header) and not any("Demodata" in line for line in header)
        body = "\n".join(line for line in text.splitlines() if not line.startswith("# "))
        rows = list(csv.DictReader(io.StringIO(body), delimiter=";"))
        assert rows and {r["kilde"] for r in rows} == {KILDE} and {r["syntetisk"] for r in rows} == {"false"}
        assert guarded.blocked == [], sorted(set(guarded.blocked))
    finally:
        guarded.context.close()


@pytest.mark.parametrize("lang", ["nn", "en"])
def test_page_in_nynorsk_and_english(lang, monkeypatch, demo_warehouse_a):
    """Every text of the page comes from the catalogue in the chosen language; no demo mark."""
    from dashboard import tekster

    at = page(monkeypatch, demo_warehouse_a, {"o_samarbeid": "Kongsbergregionen", "lang": lang})
    no_exception(at)
    catalogue = tekster.catalogue()
    assert at.title[0].value == catalogue["offentlig.tittel"][lang]
    text = all_text(at)
    assert catalogue["offentlig.merke"][lang] in text
    assert catalogue["felles.demo_merke"][lang] not in text
    hidden = catalogue["offentlig.merknad_skjult"][lang].split("{")[0]
    assert hidden in text, "the note on hidden municipalities is in the chosen language"
    assert at.selectbox(key="o_indikator").format_func("andel_itos") == catalogue["kode.offentlig_indikator.andel_itos"][lang]


# --- universal design in the browser -------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_no_serious_axe_violations(lang, server, chromium):
    from test_accessibility import AXE, RULES

    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make test` (it installs the npm lockfile with `npm ci`)", pytrace=False)
    guarded = guarded_context(chromium)
    try:
        browser_page = guarded.new_page()
        browser_page.set_default_timeout(EXPECT_TIMEOUT)
        browser_page.goto(server.url + "/offentlig" + ("" if lang == "nb" else f"?lang={lang}"))
        wait_for_app(browser_page, READY_TIMEOUT)
        browser_page.wait_for_function(f"document.documentElement.lang === '{lang}'")
        browser_page.add_script_tag(path=str(AXE))
        result = browser_page.evaluate("async rules => await axe.run(document, rules)", RULES)
        serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious, json.dumps([{"id": v["id"], "nodes": [n["target"] for n in v["nodes"][:5]]}
                                        for v in serious], ensure_ascii=False)
        assert guarded.blocked == []
    finally:
        guarded.context.close()


@pytest.mark.browser
def test_chart_text_is_large_and_dark_enough(server, chromium):
    from test_accessibility import CHART_TEXTS, hex_of_css

    from dashboard import palette

    guarded = guarded_context(chromium)
    try:
        browser_page = guarded.new_page()
        browser_page.set_default_timeout(EXPECT_TIMEOUT)
        browser_page.goto(server.url + "/offentlig?o_samarbeid=Kongsbergregionen")
        wait_for_app(browser_page, READY_TIMEOUT)
        browser_page.mouse.move(0, 0)
        texts = []
        charts = browser_page.locator('[data-testid="stVegaLiteChart"]')
        expect(charts).to_have_count(2, timeout=EXPECT_TIMEOUT)
        for i in range(charts.count()):
            charts.nth(i).scroll_into_view_if_needed()
            browser_page.wait_for_function("el => el.querySelectorAll('svg text').length > 0",
                                           arg=charts.nth(i).element_handle())
            texts += browser_page.evaluate(CHART_TEXTS)
    finally:
        guarded.context.close()
    assert len(texts) > 10
    assert not [x for x in texts if x["size"] < 16], "chart text under 16 px"
    faint = [x["text"] for x in texts
             if palette.contrast(hex_of_css(x["fill"]), hex_of_css(x["under"])) < 4.5]
    assert not faint, faint[:5]

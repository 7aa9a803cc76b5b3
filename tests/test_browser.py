"""The dashboard in a real browser: a `streamlit run` server per module and Debian's Chromium.

Every context aborts and records requests to any host but the loopback interface, and each test
ends by asserting that list is empty: the pages send nothing out (no usage statistics, no
basemap tiles, no CDN). Full-page screenshots go to <project>/screenshots/ (git-ignored).
"""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import browser_helpers
import pytest
from browser_helpers import (
    DEMO_MERKE,
    PAGE_NAMES,
    URL_PATHS,
    Guarded,
    Server,
    guarded_context,
    start_server,
    wait_for_app,
)
from conftest import PROJECT_ROOT
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# shared fixtures (session: the demo warehouses; module: Playwright and Chromium)
demo_warehouse_a = browser_helpers.demo_warehouse_a
demo_warehouse_b = browser_helpers.demo_warehouse_b
playwright_instance = browser_helpers.playwright_instance
chromium = browser_helpers.chromium

SCREENSHOTS = PROJECT_ROOT / "screenshots"
BOM = b"\xef\xbb\xbf"
EXPECT_TIMEOUT = 30_000  # ms, for values that change after a rerun


# --- fixtures -------------------------------------------------------------------------------------


def _warm_up(server: Server, browser) -> None:
    """One session through the entrypoint, so the first test does not pay the cold start."""
    guarded = guarded_context(browser)
    try:
        page = guarded.new_page()
        page.goto(server.url + "/")
        wait_for_app(page)
    finally:
        guarded.context.close()


@pytest.fixture(scope="module")
def server_a(demo_warehouse_a, chromium, tmp_path_factory) -> Iterator[Server]:
    server = start_server(demo_warehouse_a, tmp_path_factory.mktemp("server-a"))
    try:
        _warm_up(server, chromium)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server_b(demo_warehouse_b, chromium, tmp_path_factory) -> Iterator[Server]:
    server = start_server(demo_warehouse_b, tmp_path_factory.mktemp("server-b"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def guarded(chromium) -> Iterator[Guarded]:
    g = guarded_context(chromium)
    yield g
    g.context.close()


# --- helpers --------------------------------------------------------------------------------------


def open_app(guarded: Guarded, url: str):
    page = guarded.new_page()
    page.goto(url)
    wait_for_app(page)
    return page


def assert_healthy(page, where: str) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, f"{where}: {exceptions.first.inner_text()[:2000]}"
    expect(page.get_by_text(DEMO_MERKE).first).to_be_visible(timeout=EXPECT_TIMEOUT)
    page.wait_for_function("document.documentElement.lang === 'nb'", timeout=EXPECT_TIMEOUT)


def metric_value(page, label: str):
    return (
        page.locator('[data-testid="stMetric"]')
        .filter(has=page.locator('[data-testid="stMetricLabel"]', has_text=label))
        .locator('[data-testid="stMetricValue"]')
    )


def region_select(page):
    return page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has_text="Region / samarbeid"
    )


def screenshot(page, name: str) -> Path:
    """Full page: Streamlit scrolls inside its main container, so grow the viewport to the
    content's height (bounded) for the shot, then restore it."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    size = page.viewport_size
    height = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll('[data-testid="stMain"], [data-testid="stSidebarContent"], body')]
                     .map(e => e.scrollHeight))"""
    )
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height), 8000))})
    try:
        page.wait_for_timeout(300)  # let charts re-layout to the new size
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
    return path


def wait_for_painted_canvas(page, timeout: float = 30.0) -> int:
    """The deck.gl canvas is present and shows more than a blank fill; returns its colour count."""
    from PIL import Image

    canvas = page.locator("canvas:visible").first  # deck.gl also keeps a hidden canvas
    canvas.wait_for(state="visible", timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    colours = 0
    while time.monotonic() < deadline:
        image = Image.open(io.BytesIO(canvas.screenshot())).convert("RGB")
        colours = len(image.getcolors(maxcolors=1 << 20) or [])
        if colours > 8:
            return colours
        page.wait_for_timeout(300)
    raise AssertionError(f"the map canvas stayed blank ({colours} colours)")


def assert_nothing_sent_out(guarded: Guarded) -> None:
    assert guarded.blocked == [], f"third-party requests (blocked): {sorted(set(guarded.blocked))}"


# --- every page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_in_browser(name, server_a, guarded):
    page = open_app(guarded, server_a.url + URL_PATHS[name])
    assert urlparse(page.url).path.rstrip("/") == URL_PATHS[name].rstrip("/"), page.url
    assert_healthy(page, name)
    assert page.locator("h1").count() >= 1, f"{name}: no heading"
    if name == "kart":
        wait_for_painted_canvas(page)
        expect(page.get_by_text("© Kartverket (CC BY 4.0)").first).to_be_visible()
    screenshot(page, name)
    assert_nothing_sent_out(guarded)


def coloured_share(png: bytes) -> float:
    """Share of clearly coloured (not grey/white/black) pixels in a screenshot."""
    from PIL import Image

    raw = Image.open(io.BytesIO(png)).convert("RGB").tobytes()
    total = len(raw) // 3
    coloured = sum(
        1 for i in range(0, len(raw), 3)
        if max(raw[i], raw[i + 1], raw[i + 2]) - min(raw[i], raw[i + 1], raw[i + 2]) > 60
    )
    return coloured / max(total, 1)


def test_kartlegging_heatmaps_show_cells(server_a, guarded):
    """Both heatmaps (all roles, and by role for one region) must draw their coloured cells."""
    page = open_app(guarded, server_a.url + "/kartlegging")
    assert_healthy(page, "kartlegging")
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts).to_have_count(2, timeout=EXPECT_TIMEOUT)
    shares = []
    for i in range(2):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        # a chart is drawn (as SVG) once it has been scrolled into view
        page.wait_for_function("el => el.querySelectorAll('svg path').length > 10",
                               arg=chart.element_handle(), timeout=EXPECT_TIMEOUT)
        page.wait_for_timeout(500)
        deadline = time.monotonic() + 15
        share = 0.0
        while time.monotonic() < deadline:
            share = coloured_share(chart.screenshot())
            if share > 0.05:
                break
            page.wait_for_timeout(300)
        shares.append((i, round(share, 3), chart.bounding_box()))
    assert all(share > 0.05 for _, share, _ in shares), f"heatmaps without coloured cells: {shares}"
    assert_nothing_sent_out(guarded)


# --- filters in the URL ---------------------------------------------------------------------------


def test_filter_in_url_and_shared_link(server_a, guarded):
    page = open_app(guarded, server_a.url + "/")
    assert_healthy(page, "oversikt")
    samarbeid = metric_value(page, "Samarbeid")
    before = samarbeid.inner_text().strip()
    assert int(before) > 1

    select = region_select(page)
    select.click()
    select.locator("input").fill("Bodø")
    page.get_by_role("option", name="Bodø", exact=True).click()
    page.keyboard.press("Escape")

    page.wait_for_function(
        "() => new URLSearchParams(location.search).getAll('region').includes('Bodø')",
        timeout=EXPECT_TIMEOUT,
    )
    expect(samarbeid).to_have_text("1", timeout=EXPECT_TIMEOUT)
    wait_for_app(page)
    assert parse_qs(urlparse(page.url).query)["region"] == ["Bodø"], page.url
    kommuner = metric_value(page, "Kommuner").inner_text().strip()
    shared = page.url

    # the link, opened fresh in another tab, shows the same narrowed view
    other = open_app(guarded, shared)
    assert_healthy(other, "shared link")
    expect(region_select(other).get_by_text("Bodø", exact=True)).to_be_visible()
    expect(metric_value(other, "Samarbeid")).to_have_text("1", timeout=EXPECT_TIMEOUT)
    expect(metric_value(other, "Kommuner")).to_have_text(kommuner)

    # and the filter travels with the page navigation
    other.goto(server_a.url + "/kart?region=" + quote("Bodø"))
    wait_for_app(other)
    expect(region_select(other).get_by_text("Bodø", exact=True)).to_be_visible()
    assert_nothing_sent_out(guarded)


# --- CSV download ---------------------------------------------------------------------------------


def test_csv_download(server_a, guarded):
    page = open_app(guarded, server_a.url + "/data")
    assert_healthy(page, "data")
    buttons = page.get_by_role("button", name="Last ned CSV")
    expect(buttons.first).to_be_visible()
    with page.expect_download(timeout=EXPECT_TIMEOUT) as info:
        buttons.first.click()
    download = info.value
    data = Path(download.path()).read_bytes()
    name = download.suggested_filename
    today = dt.date.today().isoformat()
    assert name.endswith(".csv") and today in name and name.isascii(), name
    assert data.startswith(BOM), data[:20]
    text = data[len(BOM):].decode("utf-8")
    meta = [line for line in text.splitlines() if line.startswith("# ")]
    # the file says what it is: title, filters, source, date and the demo mark
    assert len(meta) >= 4 and any(DEMO_MERKE in line for line in meta), meta
    header, *rows = [line for line in text.splitlines() if not line.startswith("# ")]
    assert ";" in header and "," not in header, header
    assert "partnerskap_id" in header.split(";")
    assert rows, "the extract has no rows"

    # the indicator extract is synthetic: DEMODATA in the name and a note in every row
    count = buttons.count()
    names = []
    for i in range(count):
        with page.expect_download(timeout=EXPECT_TIMEOUT) as info:
            buttons.nth(i).click()
        names.append(info.value.suggested_filename)
        if names[-1].startswith("indikatorer_"):
            body = Path(info.value.path()).read_bytes()[len(BOM):].decode("utf-8")
            head, *lines = [line for line in body.splitlines() if not line.startswith("# ")]
            assert "DEMODATA" in names[-1], names[-1]
            assert head.split(";")[-1] == "datamerknad", head
            assert lines and all(line.endswith("Demodata (syntetiske tall)") for line in lines)
            break
    else:
        pytest.fail(f"no indicator extract among the downloads: {names}")
    assert_nothing_sent_out(guarded)


# --- the map: labels on screen, a click selects ------------------------------------------------------

# The deck.gl instance behind the map, found through React's fiber tree from the chart's element
# (Streamlit exposes no handle): its viewport projects a label's position to the screen exactly
# as it was drawn, and its layers hold what was drawn.
FIND_DECK = """() => {
  const el = document.querySelector('[data-testid="stDeckGlJsonChart"]');
  const key = el && Object.keys(el).find(k => k.startsWith('__reactFiber'));
  const stack = key ? [el[key]] : [], seen = new Set();
  while (stack.length) {
    const node = stack.pop();
    if (!node || seen.has(node)) continue;
    seen.add(node);
    for (let s = node.memoizedState, i = 0; s && i < 40; s = s.next, i++) {
      for (const v of [s.memoizedState, s.memoizedState?.current, s.memoizedState?.current?.deck]) {
        if (v && typeof v === 'object' && typeof v.getViewports === 'function' && v.props?.layers) {
          window.__klDeck = v;
          return true;
        }
      }
    }
    stack.push(node.child, node.sibling);
  }
  return false;
}"""

# Each label's box on screen: its position through the deck's own viewport, its width as deck.gl
# lays text out (glyph advances in the label's font, no kerning), its padding and size.
LABEL_BOXES = """async () => {
  const deck = window.__klDeck, viewport = deck.getViewports()[0];
  const layer = deck.props.layers.find(l => l.id === 'etiketter');
  if (!layer) return {width: viewport.width, height: viewport.height, boxes: []};
  const p = layer.props, [padX, padY] = p.backgroundPadding, size = p.getSize;
  const font = `${p.fontWeight} ${size}px ${p.fontFamily}`;
  await document.fonts.load(font);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = font;
  const boxes = p.data.map(d => {
    const [x, y] = viewport.project(d.p);
    const w = [...d.tekst].reduce((sum, ch) => sum + ctx.measureText(ch).width, 0) + 2 * padX;
    const h = size + 2 * padY;
    return {text: d.tekst, x0: x - w / 2, y0: y - h / 2, x1: x + w / 2, y1: y + h / 2};
  });
  return {width: viewport.width, height: viewport.height, boxes};
}"""

KONGSBERG = (9.67113, 59.59443)  # its representative point (data/geo/kommuner_2024.csv)


def map_labels(page) -> dict:
    page.wait_for_function(FIND_DECK, timeout=EXPECT_TIMEOUT)
    return page.evaluate(LABEL_BOXES)


def overlapping(boxes: list[dict], tolerance: float = 0.5) -> list[tuple[str, str]]:
    return [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > tolerance
            and min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > tolerance]


def test_map_labels_do_not_overlap_on_screen(server_a, guarded):
    """«Alle samarbeid» at 1920×1080: every label on the map, measured where the browser drew it."""
    page = guarded.new_page()
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(server_a.url + "/kart")
    wait_for_app(page)
    assert_healthy(page, "kart")
    wait_for_painted_canvas(page)
    drawn = map_labels(page)
    boxes = drawn["boxes"]
    assert len(boxes) >= 12, [b["text"] for b in boxes]
    assert overlapping(boxes) == []
    outside = [b["text"] for b in boxes
               if b["x0"] < 0 or b["y0"] < 0 or b["x1"] > drawn["width"] or b["y1"] > drawn["height"]]
    assert outside == []
    assert_nothing_sent_out(guarded)


def test_map_click_selects_a_municipality_and_the_link_keeps_it(server_a, guarded):
    page = guarded.new_page()
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(server_a.url + "/kart")
    wait_for_app(page)
    assert_healthy(page, "kart")
    canvas = page.locator("canvas:visible").first
    canvas.scroll_into_view_if_needed()
    wait_for_painted_canvas(page)
    page.wait_for_function(FIND_DECK, timeout=EXPECT_TIMEOUT)
    x, y = page.evaluate(f"() => window.__klDeck.getViewports()[0].project({list(KONGSBERG)})")
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    expect(page.locator(".deck-tooltip")).to_contain_text("Kongsberg (3303)", timeout=EXPECT_TIMEOUT)
    page.mouse.click(box["x"] + x, box["y"] + y)
    # the selection comes back from the server and goes into the link
    page.wait_for_function("() => new URLSearchParams(location.search).get('valgt') === 'Kongsberg'",
                           timeout=60_000)
    wait_for_app(page)
    heading = page.get_by_role("heading", name="Kongsberg (3303)")
    expect(heading).to_be_visible(timeout=EXPECT_TIMEOUT)
    assert "Kongsberg" in [b["text"] for b in map_labels(page)["boxes"]]
    screenshot(page, "kart-valgt")

    # the link, opened fresh, shows the same selection
    other = open_app(guarded, page.url)
    assert_healthy(other, "shared map link")
    expect(other.get_by_role("heading", name="Kongsberg (3303)")).to_be_visible(timeout=EXPECT_TIMEOUT)
    # and clearing the selection takes it out of the link
    other.get_by_role("button", name="Fjern valget").click()
    other.wait_for_function("() => !new URLSearchParams(location.search).has('valgt')", timeout=EXPECT_TIMEOUT)
    expect(other.get_by_role("heading", name="Kongsberg (3303)")).to_have_count(0, timeout=EXPECT_TIMEOUT)
    assert_nothing_sent_out(guarded)


# --- warehouse B: no boundaries -------------------------------------------------------------------


def test_map_without_boundaries(server_b, guarded):
    page = open_app(guarded, server_b.url + "/kart")
    assert_healthy(page, "kart (no boundaries)")
    expect(page.get_by_text("kommunene vises som punkter")).to_be_visible()
    assert page.get_by_text("© Kartverket (CC BY 4.0)").count() == 0
    wait_for_painted_canvas(page)
    screenshot(page, "kart-uten-grenser")
    assert_nothing_sent_out(guarded)


# --- a deep link as the very first request of a fresh server --------------------------------------


def test_deep_link_on_fresh_server(demo_warehouse_a, chromium, tmp_path):
    """The first visitor after a (re)start may arrive through a shared link to a sub-page; the
    entrypoint must still run (filters, banner, language)."""
    server = start_server(demo_warehouse_a, tmp_path)
    guarded = guarded_context(chromium)
    try:
        page = open_app(guarded, server.url + "/kart?region=" + quote("Bodø"))
        assert_healthy(page, "first request /kart")
        expect(region_select(page).get_by_text("Bodø", exact=True)).to_be_visible()
        assert_nothing_sent_out(guarded)
    finally:
        guarded.context.close()
        server.stop()

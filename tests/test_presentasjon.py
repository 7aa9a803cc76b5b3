"""Presentation mode (page Presentasjon) under AppTest and in a real browser, on demo warehouse A.

* the leader's sequence: the chosen views in the chosen order, one per screen, the slide number
  from a shared link, next/previous;
* `?present=1`: the projector sheet (no sidebar, no Streamlit chrome, large type), the demo mark
  on the slide instead of the banner, and ending the mode takes the sheet and the link away;
* in Chromium: the arrow keys move between slides and the URL follows, a slide's URL opened
  fresh shows that slide in presentation mode, Escape ends it;
* the chart and map export: framed PNG at slide and print size and SVG, each with title,
  selection, source, date and the demo mark.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import browser_helpers
import pytest
from browser_helpers import APP, DEMO_MERKE, guarded_context, page_paths, start_server, wait_for_app
from PIL import Image
from playwright.sync_api import expect
from streamlit.testing.v1 import AppTest

demo_warehouse_a = browser_helpers.demo_warehouse_a
playwright_instance = browser_helpers.playwright_instance
chromium = browser_helpers.chromium

PLACE = "Kongsbergregionen"  # the collaboration with the most municipalities, as the link names it
PLACE_ID = "kongsbergregionen-alle-med"
MAP_TITLE = "Kommunene på kartet"
SOURCES_TITLE = "Kilder og forbehold"
EXPECT_TIMEOUT = 60_000


def presentation(monkeypatch, warehouse, query: dict) -> AppTest:
    monkeypatch.setenv("KL_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(APP), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    return at.switch_page(page_paths()["presentasjon"]).run()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, "; ".join(e.message for e in at.exception)
    return at


def slide_title(at: AppTest) -> str:
    """The slide's heading (the page's own heading comes first)."""
    return at.title[-1].value


def html_bodies(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.get("html")]


def sheet(at: AppTest) -> str:
    """The presentation style sheet the entrypoint puts into <head> (empty when the mode is off)."""
    [script] = [b for b in html_bodies(at) if "kl-presentasjon" in b]
    return script


# --- AppTest --------------------------------------------------------------------------------------


def test_the_leaders_sequence_and_the_slide_of_a_link(monkeypatch, demo_warehouse_a):
    at = ok(presentation(monkeypatch, demo_warehouse_a, {"sted": PLACE, "vis": ["Kilder", "Kart"], "lysbilde": "2"}))
    assert at.selectbox(key="sted").value == PLACE_ID
    assert at.multiselect(key="vis").value == ["kilder", "kart"], "the chosen order was not kept"
    assert at.number_input(key="lysbilde").value == 2
    assert slide_title(at) == MAP_TITLE
    [picture] = at.get("image")
    assert "Kongsbergregionen" in str(picture.proto), "the map is not drawn with its alt text"
    assert at.button(key="kl_neste").disabled, "the last slide offers a next one"

    ok(at.button(key="kl_forrige").click().run())
    assert at.number_input(key="lysbilde").value == 1
    assert slide_title(at) == SOURCES_TITLE
    assert at.button(key="kl_forrige").disabled
    ok(at.button(key="kl_neste").click().run())
    assert slide_title(at) == MAP_TITLE


def test_a_link_beyond_the_sequence_shows_the_first_slide(monkeypatch, demo_warehouse_a):
    at = ok(presentation(monkeypatch, demo_warehouse_a, {"sted": PLACE, "vis": "Kart", "lysbilde": "9"}))
    assert at.number_input(key="lysbilde").value == 1
    assert slide_title(at) == MAP_TITLE


def test_present_from_the_link_and_ending_it(monkeypatch, demo_warehouse_a):
    at = ok(presentation(monkeypatch, demo_warehouse_a, {"sted": PLACE, "present": "1"}))
    assert at.toggle(key="present").value is True
    css = sheet(at)
    assert 'section[data-testid=\\"stSidebar\\"]' in css and "stToolbar" in css and "3.2rem" in css, css[:400]
    # the slide carries the demo mark itself; the page-wide banner is left out on the projector
    assert not any(DEMO_MERKE in w.value for w in at.warning)
    assert any('class="kl-demo"' in b and DEMO_MERKE in b for b in html_bodies(at)), "no demo mark on the slide"
    assert not at.get("download_button"), "presentation mode shows the export buttons"

    ok(at.button(key="kl_avslutt").click().run())
    assert at.toggle(key="present").value is False
    assert "present" not in at.query_params, "the link still presents after the mode was ended"
    assert "stSidebar" not in sheet(at), "the projector sheet stays after the mode was ended"
    assert any(DEMO_MERKE in w.value for w in at.warning)
    assert {b.key for b in at.get("download_button")} >= {"dl_rapport_pptx", "dl_rapport_pdf"}


def test_the_toggle_writes_present_into_the_link(monkeypatch, demo_warehouse_a):
    at = ok(presentation(monkeypatch, demo_warehouse_a, {"sted": PLACE}))
    assert "stSidebar" not in sheet(at)
    ok(at.toggle(key="present").set_value(True).run())
    assert at.query_params.get("present") == ["1"] or at.query_params.get("present") == "1", dict(at.query_params)
    assert "stSidebar" in sheet(at)


def test_chart_and_map_export_are_framed(demo_warehouse_a):
    """The files behind the export buttons: PNG 1920×1080, PNG for print (300 ppi) and SVG, each
    with title, selection, source, date, n and the demo mark."""
    from dashboard import fmt
    from dashboard.eksport import innhold, lager, ramme

    with lager.Lager(demo_warehouse_a) as store:
        rapport = innhold.build(store.query, innhold.Region("partnerskap", PLACE_ID), "nb",
                                ("kart", "indikatorer"))
    kart, chart = rapport.lysbilder[0], rapport.lysbilder[1]
    assert kart.kart is not None and chart.spec is not None
    for s in (kart, chart):
        svg = ramme.slide_svg(rapport, s)
        for text in (s.tittel, s.utvalg, fmt.dato(rapport.dato), DEMO_MERKE.upper()):
            assert text.replace("«", "").replace("»", "") in svg.replace("«", "").replace("»", ""), (s.id, text)
        assert "SePU" in svg and "http" not in svg.replace("http://www.w3.org", "")
        slide = Image.open(io.BytesIO(ramme.png(svg)))
        assert slide.size == (1920, 1080)
        printed = Image.open(io.BytesIO(ramme.png(svg, print_size=True)))
        assert printed.size[0] == 3508 and abs(printed.size[1] - 1973) <= 1
    assert chart.n and chart.n in ramme.slide_svg(rapport, chart)
    assert "Kartverket" in ramme.slide_svg(rapport, kart)


# --- the browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(demo_warehouse_a, tmp_path_factory) -> Iterator[browser_helpers.Server]:
    server = start_server(demo_warehouse_a, tmp_path_factory.mktemp("server-presentasjon"))
    try:
        yield server
    finally:
        server.stop()


def _slide_heading(page):
    return page.locator(".st-key-kl-lysbilde h1")


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


@pytest.mark.browser
def test_arrow_keys_move_between_slides_and_the_url_follows(server, chromium):
    guarded = guarded_context(chromium)
    try:
        page = guarded.new_page()
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.goto(f"{server.url}/presentasjon?sted={PLACE}&present=1")
        wait_for_app(page)
        expect(_slide_heading(page)).to_have_text(PLACE, timeout=EXPECT_TIMEOUT)
        # no sidebar, no Streamlit header or toolbar, no setup; large type on the slide
        for hidden in ('[data-testid="stSidebar"]', 'header[data-testid="stHeader"]', ".st-key-kl-oppsett"):
            expect(page.locator(hidden).first).to_be_hidden()
        size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.st-key-kl-lysbilde h1')).fontSize)")
        assert size >= 48, size
        expect(page.locator(".kl-demo")).to_have_text(DEMO_MERKE)

        first = _slide_heading(page).inner_text()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => new URLSearchParams(location.search).get('lysbilde') === '2'",
                               timeout=EXPECT_TIMEOUT)
        expect(_slide_heading(page)).not_to_have_text(first, timeout=EXPECT_TIMEOUT)
        wait_for_app(page)
        second = _slide_heading(page).inner_text()
        assert _query(page)["present"] == ["1"], page.url
        shared = page.url

        page.keyboard.press("ArrowLeft")
        page.wait_for_function("() => !new URLSearchParams(location.search).has('lysbilde')", timeout=EXPECT_TIMEOUT)
        expect(_slide_heading(page)).to_have_text(first, timeout=EXPECT_TIMEOUT)

        # the second slide's link, opened fresh, presents that slide
        other = guarded.new_page()
        other.set_viewport_size({"width": 1920, "height": 1080})
        other.goto(shared)
        wait_for_app(other)
        expect(_slide_heading(other)).to_have_text(second, timeout=EXPECT_TIMEOUT)
        expect(other.locator('[data-testid="stSidebar"]')).to_be_hidden()

        # Escape ends the presentation: the sidebar and the setup come back, the link stops presenting
        other.keyboard.press("Escape")
        expect(other.locator(".st-key-kl-oppsett")).to_be_visible(timeout=EXPECT_TIMEOUT)
        other.wait_for_function("() => !new URLSearchParams(location.search).has('present')", timeout=EXPECT_TIMEOUT)
        expect(other.locator('[data-testid="stSidebar"]')).to_be_visible()
        assert guarded.blocked == [], guarded.blocked
    finally:
        guarded.context.close()

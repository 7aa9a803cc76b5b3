"""A hostile short name on every page, in a real Streamlit server and Debian's Chromium.

The name of issue 23 (an outside image, a fake login link, a style that blanks the page) is the
short name of a collaboration, with Markdown links, images and autolinks in its other texts and
in a URL value. On every page it must show as plain text: no request leaves the machine (every
non-loopback request is blocked and recorded), no link or image points outside, the page stays
visible.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import browser_helpers
import pytest
from browser_helpers import URL_PATHS, guarded_context, start_server, wait_for_app
from conftest import FYLKE_GEOJSON, KOMMUNE_GEOJSON, copy_project, describe, etl_env, run_cli

pytestmark = pytest.mark.browser

playwright_instance = browser_helpers.playwright_instance
chromium = browser_helpers.chromium

OUTSIDE = "203.0.113.7"
KORTNAVN = (f'Eidsvoll <img src="http://{OUTSIDE}/b.png"><a href="http://{OUTSIDE}/login">Logg inn her</a>'
            "<style>body{display:none}</style>")
MARKDOWN = (f"Eidsvoll ![bilde](http://{OUTSIDE}/m.png) [Logg inn](http://{OUTSIDE}/login) "
            f"<http://{OUTSIDE}/auto> http://{OUTSIDE}/bar www.eksempel-{OUTSIDE}.no :red[rød] $x^2$ **fet**")
PAGES = {**URL_PATHS, "offentlig": "/offentlig"}
# pages whose heading says what the filters select («Viser: …»)
SELECTION_HEADING = ("oversikt", "kart", "tidslinje", "indikatorer", "sammenligning", "kartlegging", "data")
EIDSVOLL = "  - id: eidsvoll-barnehage-regional-kompetanseutvikling\n"


def _hostile_yaml(text: str) -> str:
    """Eidsvoll's record with the hostile texts (its other records untouched)."""
    start = text.index(EIDSVOLL)
    end = text.index("\n  - id: ", start + 1)
    record = text[start:end]
    record = record.replace('    kortnavn: "Eidsvoll (barnehage)"\n', f"    kortnavn: '{KORTNAVN}'\n", 1)
    record = record.replace('    navn: "Regional kompetanseutvikling i Eidsvoll kommune"\n',
                            f"    navn: '{MARKDOWN}'\n", 1)
    record = record.replace('    region: "Eidsvoll kommune"\n', f"    region: '[Logg inn](http://{OUTSIDE}/r)'\n", 1)
    assert record.count(OUTSIDE) == 8, "the fixture data changed: Eidsvoll's record was not edited"
    return text[:start] + record + text[end:]


@pytest.fixture(scope="module")
def hostile_server(chromium, tmp_path_factory, geo_dir: Path) -> Iterator[browser_helpers.Server]:
    root = copy_project(tmp_path_factory.mktemp("fiendtlig") / "project")
    yaml_path = root / "data" / "partnerships.yaml"
    yaml_path.write_text(_hostile_yaml(yaml_path.read_text(encoding="utf-8")), encoding="utf-8")
    warehouse = root / "data" / "warehouse.duckdb"
    env = etl_env(warehouse, root / "cache", KL_DEMO_DIR=str(root / "demo"), KL_IMPORT_DIR=str(root / "imports"),
                  KL_GEOJSON=str(geo_dir / KOMMUNE_GEOJSON), KL_FYLKE_GEOJSON=str(geo_dir / FYLKE_GEOJSON))
    proc = run_cli(["demo", "--scale", browser_helpers.DEMO_SCALE, "--out", str(root / "demo"),
                    "--warehouse", str(warehouse)], cwd=root, env=env)
    assert proc.returncode == 0, describe(proc)
    server = start_server(warehouse, tmp_path_factory.mktemp("server-fiendtlig"))
    try:
        yield server
    finally:
        server.stop()


INSPECT = """(outside) => {
    const main = document.querySelector('[data-testid="stMain"]');
    const shown = (el) => el && getComputedStyle(el).display !== 'none' && getComputedStyle(el).visibility !== 'hidden';
    return {
        links: [...document.querySelectorAll('a')].filter(a => (a.getAttribute('href') || '').includes(outside)
                 || a.textContent.includes('Logg inn')).map(a => a.outerHTML),
        images: [...document.querySelectorAll('img, image, source')].filter(i =>
                 (i.getAttribute('src') || i.getAttribute('href') || i.getAttribute('srcset') || '').includes(outside)).map(i => i.outerHTML),
        styles: [...document.querySelectorAll('style')].filter(s => s.textContent.includes('body{display:none}')).length,
        visible: shown(document.body) && shown(main) && main.getBoundingClientRect().height > 100,
        heading: [...document.querySelectorAll('.kl-viser')].map(p => p.textContent),
        text: document.body.innerText.replaceAll('\u2060', ''),  // the word joiner that stops autolinks
    };
}"""


def hover_over_eidsvoll(page) -> dict | None:
    """Move over the map (zoomed to the selection) until the tooltip names the hostile collaboration;
    its text and the number of img/a/style elements in it (a poll over points, not a timing)."""
    box = page.locator('[data-testid="stDeckGlJsonChart"]').first.bounding_box()
    for fx, fy in [(0.5, 0.5), (0.45, 0.6), (0.55, 0.4), (0.4, 0.5), (0.6, 0.5), (0.5, 0.65), (0.5, 0.35)]:
        page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        for _ in range(20):
            tip = page.evaluate("""() => { const t = document.querySelector('.deck-tooltip');
                return t && t.textContent ? {text: t.textContent, elements: t.querySelectorAll('img, a, style').length} : null; }""")
            if tip and "Eidsvoll <img" in tip["text"]:
                return tip
            page.wait_for_timeout(100)
    return None


@pytest.mark.parametrize("name", list(PAGES))
def test_the_hostile_short_name_is_plain_text_on_every_page(name: str, hostile_server, chromium):
    guarded = guarded_context(chromium)
    try:
        page = guarded.new_page()
        query = f"?region={quote(KORTNAVN)}&kommune={quote(MARKDOWN)}"
        if name == "offentlig":
            query += f"&o_samarbeid={quote(KORTNAVN)}"
        page.goto(hostile_server.url + PAGES[name] + query)
        wait_for_app(page)
        tooltip = hover_over_eidsvoll(page) if name == "kart" else None
        found = page.evaluate(INSPECT, OUTSIDE)
        assert page.locator('[data-testid="stException"]').count() == 0, found["text"][:2000]
        assert guarded.blocked == [], f"{name}: requests to another host: {sorted(set(guarded.blocked))}"
        assert found["links"] == [], f"{name}: links from data: {found['links']}"
        assert found["images"] == [], f"{name}: images from data: {found['images']}"
        assert found["styles"] == 0, f"{name}: a style from data is on the page"
        assert found["visible"], f"{name}: the page is not visible"
        if name == "kart":  # the tooltip is HTML with the names filled in: as text
            assert tooltip is not None, "no tooltip over the map's selection"
            assert tooltip["elements"] == 0 and KORTNAVN in tooltip["text"], tooltip
        if name in SELECTION_HEADING:
            assert any(KORTNAVN in h for h in found["heading"]), f"{name}: {found['heading']}"
        if name == "tidslinje":
            assert MARKDOWN in found["text"] and f"[Logg inn](http://{OUTSIDE}/r)" in found["text"], found["text"][:3000]
        # the link's value that matches nothing is named as text too (on the pages that run to the
        # end: a page without results for the selection stops before the notice)
        if name not in ("indikatorer", "sammenligning"):
            assert f"kommune={MARKDOWN}" in found["text"], found["text"][:3000]
    finally:
        guarded.context.close()

"""Universal design in a real browser: axe-core (from the npm lockfile, `make test` installs it)
injected by Playwright into every page in bokmål, nynorsk and English, and a contrast and size
check of the chart texts, which axe does not judge (SVG text drawn by Vega).

Every page must have 0 serious or critical axe violations (WCAG 2.1 A and AA rules). The
results per page go to <project>/screenshots/axe.txt (git-ignored) for the report.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import browser_helpers
import pytest
from browser_helpers import PAGE_NAMES, URL_PATHS, guarded_context, start_server, wait_for_app
from conftest import PROJECT_ROOT

from dashboard import palette

pytestmark = pytest.mark.browser

demo_warehouse_a = browser_helpers.demo_warehouse_a
playwright_instance = browser_helpers.playwright_instance
chromium = browser_helpers.chromium

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
REPORT = PROJECT_ROOT / "screenshots" / "axe.txt"
LANGS = ["nb", "nn", "en"]
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
CHART_PAGES = ["tidslinje", "indikatorer", "sammenligning", "kartlegging"]


@pytest.fixture(scope="module")
def server(demo_warehouse_a, tmp_path_factory) -> Iterator[browser_helpers.Server]:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make test` (it installs the npm lockfile with `npm ci`)",
                    pytrace=False)
    server = start_server(demo_warehouse_a, tmp_path_factory.mktemp("server-axe"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def report() -> Iterator[list[str]]:
    lines: list[str] = []
    yield lines
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(sorted(lines)) + "\n", encoding="utf-8")


def open_page(chromium, server, name: str, lang: str):
    guarded = guarded_context(chromium)
    page = guarded.new_page()
    suffix = "" if lang == "nb" else f"?lang={lang}"
    page.goto(server.url + URL_PATHS[name] + suffix)
    wait_for_app(page)
    page.wait_for_function(f"document.documentElement.lang === '{lang}'", timeout=60_000)
    page.wait_for_timeout(800)  # charts draw after the script has finished
    return guarded, page


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_no_serious_axe_violations(name, lang, server, chromium, report):
    guarded, page = open_page(chromium, server, name, lang)
    try:
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async rules => await axe.run(document, rules)", RULES)
    finally:
        guarded.context.close()
    violations = result["violations"]
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    report.append(f"{name:14} {lang}  serious/critical: {len(serious)}  moderate/minor: "
                  f"{len(violations) - len(serious)}  passed rules: {len(result['passes'])}"
                  + "".join(f"\n    {v['impact']}: {v['id']} ({len(v['nodes'])})" for v in violations))
    assert not serious, json.dumps(
        [{"id": v["id"], "impact": v["impact"], "help": v["help"],
          "nodes": [n["target"] for n in v["nodes"][:5]]} for v in serious], indent=1, ensure_ascii=False)
    assert guarded.blocked == [], guarded.blocked


CHART_TEXTS = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('[data-testid="stVegaLiteChart"] svg')) {
    // filled shapes, topmost (drawn last) first
    const shapes = [...svg.querySelectorAll('path')].reverse().map(el => {
      const style = getComputedStyle(el);
      return {fill: style.fill, opacity: parseFloat(style.fillOpacity || '1'), box: el.getBoundingClientRect()};
    }).filter(s => s.fill && s.fill !== 'none' && !/rgba\\(.*,\\s*0\\)$/.test(s.fill) && s.opacity > 0.5);
    for (const text of svg.querySelectorAll('text')) {
      const content = text.textContent.trim();
      const box = text.getBoundingClientRect();
      if (!content || box.width === 0 || box.height === 0) continue;
      const x = box.x + box.width / 2, y = box.y + box.height / 2;
      const hit = shapes.find(s => s.box.width < 2000 && x >= s.box.left && x <= s.box.right && y >= s.box.top && y <= s.box.bottom
                                   && s.box.width * s.box.height < 200000);
      const style = getComputedStyle(text);
      out.push({text: content, fill: style.fill, size: parseFloat(style.fontSize), under: hit ? hit.fill : 'rgb(255, 255, 255)'});
    }
  }
  return out;
}"""


def hex_of_css(colour: str) -> str:
    numbers = [int(float(x)) for x in colour[colour.index("(") + 1 : colour.index(")")].split(",")[:3]]
    return palette.hex_of(numbers)


@pytest.mark.parametrize("name", CHART_PAGES)
def test_chart_text_is_large_and_dark_enough(name, server, chromium):
    guarded, page = open_page(chromium, server, name, "nb")
    try:
        page.mouse.move(0, 0)  # no tooltip
        texts = []
        charts = page.locator('[data-testid="stVegaLiteChart"]')
        for i in range(charts.count()):
            # charts below the fold are drawn when scrolled into view
            charts.nth(i).scroll_into_view_if_needed()
            page.wait_for_function(
                "el => el.querySelectorAll('svg text').length > 0", arg=charts.nth(i).element_handle(),
                timeout=30_000)
            texts += page.evaluate(CHART_TEXTS)
    finally:
        guarded.context.close()
    assert len(texts) > 5, f"{name}: found {len(texts)} chart texts (is the renderer SVG?)"
    small = [t for t in texts if t["size"] < 16]
    assert not small, f"{name}: chart text under 16 px: {small[:5]}"
    faint = [
        (t["text"], t["fill"], t["under"], round(palette.contrast(hex_of_css(t["fill"]), hex_of_css(t["under"])), 2))
        for t in texts if palette.contrast(hex_of_css(t["fill"]), hex_of_css(t["under"])) < 4.5
    ]
    assert not faint, f"{name}: chart text under 4.5:1: {faint[:5]}"

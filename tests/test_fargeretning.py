"""Colour direction, decided once (dashboard/palette.py): for every indicator where a lower score
is better (bullying), the best cell gets the «good» colour and the worst the «bad» one on every
chart that colours scores:

* the slides' municipality heat map, rendered by vl-convert and read from Vega's scenegraph (the
  drawing the presentation shows, its PNG/SVG export, the deck's picture and the PDF's image);
* the deck's heat table (python-pptx, through `python -m etl report`; in test_rapport.py, which
  builds the deck once) and the same table in the PDF (read from the rendered page);
* the Kart page's indicator colours (AppTest, the deck.gl layer's fill per municipality).

A colour is ranked by its place in palette.SCORE_CLASSES (worst first). Within one indicator, a
better score never has a worse colour, and the best cell has the best colour of the column. The
scores come from the warehouse's marts, not from the product's own tables.
"""

from __future__ import annotations

from pathlib import Path

import browser_helpers
import duckdb
import pytest
import vl_convert as vlc
from test_pages import (
    app,
    deck_spec,
    fill_classes,
    fill_colours,
    geometry_file,
    map_layer,
    no_exception,
    open_page,
)

from dashboard import palette, tekster
from dashboard.eksport import innhold, lager, ramme

demo_warehouse_a = browser_helpers.demo_warehouse_a

REGION = "kongsbergregionen-alle-med"  # the region of the issue: eight municipalities
GROUP = "elev_5_10"


def lower_is_better(warehouse: Path) -> dict[str, str]:
    with duckdb.connect(str(warehouse.resolve()), read_only=True) as conn:
        return dict(conn.execute("select indikator, navn from stg_indikator where not hoyere_er_bedre").fetchall())


def latest_round(warehouse: Path) -> str:
    """The region's latest round with a published score for the group (the heat map's round)."""
    with duckdb.connect(str(warehouse.resolve()), read_only=True) as conn:
        return conn.execute("""
            select runde from mart_indikator where niva = 'partnerskap' and niva_id = ?
              and respondentgruppe = ? and not undertrykt order by runde_sort desc limit 1""",
                            [REGION, GROUP]).fetchone()[0]


def municipal_scores(warehouse: Path, indikator: str, runde: str, by: str = "niva_navn") -> dict[str, float]:
    """Published municipality scores of the group for one indicator and round, by name or number."""
    with duckdb.connect(str(warehouse.resolve()), read_only=True) as conn:
        rows = conn.execute(f"""
            select {by}, skaar from mart_indikator
            where niva = 'kommune' and respondentgruppe = ? and indikator = ? and runde = ?
              and gruppering = 'alle' and not undertrykt""", [GROUP, indikator, runde]).fetchall()
    return dict(rows)


def assert_direction(cells: list[tuple[float, str]], hoyere_er_bedre: bool, where: str) -> None:
    """cells: (score, fill) of one indicator. Better scores never get worse colours; the best
    cell has the column's best colour, the worst its worst; the column has two colours at least
    (else the check could not fail)."""
    assert len(cells) >= 2, f"{where}: fewer than two coloured cells"
    for score, fill in cells:
        assert fill in palette.SCORE_CLASSES, f"{where}: {fill} for {score} is no score colour"
    ranked = sorted(cells, key=lambda c: c[0] if hoyere_er_bedre else -c[0])  # worst first
    ranks = [palette.SCORE_CLASSES.index(fill) for _, fill in ranked]
    assert len(set(ranks)) >= 2, f"{where}: one colour only ({cells}); the data cannot test the direction"
    assert ranks == sorted(ranks), (
        f"{where}: a better score has a worse colour (worst → best: "
        + ", ".join(f"{s:.0f} {f}" for s, f in ranked) + ")")
    assert ranks[-1] == max(ranks) and ranks[0] == min(ranks)


def test_palette_puts_good_at_the_good_end():
    assert palette.score_fill(600, True) == palette.GOOD and palette.score_fill(400, True) == palette.BAD
    assert palette.score_fill(400, False) == palette.GOOD and palette.score_fill(600, False) == palette.BAD
    assert palette.score_scale(False)[0] == palette.GOOD  # the lowest class of a lower-is-better score
    for score in range(300, 701, 7):
        # mirrored around 500: a lower-is-better score is as good as its mirror image is
        assert palette.goodness(score, False) == palette.goodness(1000 - score, True) or score in (480, 520)


def _rects(node, found: list[dict]) -> list[dict]:
    if isinstance(node, dict):
        if node.get("marktype") == "rect":
            found += node["items"]
        for value in node.values():
            _rects(value, found)
    elif isinstance(node, list):
        for value in node:
            _rects(value, found)
    return found


def _field(description: str, name: str) -> str | None:
    """A field of a mark's ARIA description («kolonne: Mestring; rad: Tinn; …»)."""
    for part in description.split("; "):
        key, _, value = part.partition(": ")
        if key == name:
            return value
    return None


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_slide_heat_map_colours_the_best_cell_good(lang, demo_warehouse_a):
    worse = lower_is_better(demo_warehouse_a)
    assert worse, "the instrument has no lower-is-better indicator: nothing to test"
    with lager.Lager(demo_warehouse_a) as store, tekster.sprak(lang):
        rapport = innhold.build(store.query, innhold.Region("partnerskap", REGION), lang)
        names, better = innhold.Kilde(store.query, rapport.region).indicator_names(GROUP)
    slide = next(s for s in rapport.lysbilder if s.id == f"kommuner-{GROUP}")
    runde = latest_round(demo_warehouse_a)
    # the drawing as every output renders it (the slide's size and theme)
    scene = vlc.vegalite_to_scenegraph(ramme.vega_full(slide.spec, 1800, 26))
    fills = {(_field(r.get("description", ""), "kolonne"), _field(r.get("description", ""), "rad")): r["fill"]
             for r in _rects(scene, []) if r.get("fill") in palette.SCORE_CLASSES}
    checked = 0
    for indikator, name in names.items():
        scores = municipal_scores(demo_warehouse_a, indikator, runde)
        cells = [(score, fills[(name, place)]) for place, score in scores.items() if (name, place) in fills]
        if indikator in worse:
            assert not better[indikator]
            assert_direction(cells, False, f"{lang} heat map, {name}")
            checked += 1
        elif len({f for _, f in cells}) >= 2:
            assert_direction(cells, True, f"{lang} heat map, {name}")
    assert checked == len(worse)


def test_kart_colours_the_least_bullying_good(monkeypatch, demo_warehouse_a):
    (indikator,) = [i for i in lower_is_better(demo_warehouse_a) if i == "mobbing"]
    at = open_page(app(monkeypatch, demo_warehouse_a, {"gruppe": GROUP}), "kart")
    at.segmented_control(key="kartfarge").set_value("indikator").run()
    at.selectbox(key="kartindikator").set_value(indikator).run()
    no_exception(at, "kart")
    runde = at.selectbox(key="runde").value
    layer = map_layer(deck_spec(at)[0], "kommuner")
    colours, classes = fill_colours(layer), fill_classes(layer)
    number = {f["properties"]["kommunenummer"]: f["properties"]["i"] for f in geometry_file(layer)["features"]}
    scores = municipal_scores(demo_warehouse_a, indikator, runde, by="kommunenummer")
    # class 0 is «outside the selection»: a municipality in no collaboration has no colour
    cells = [(score, palette.hex_of(colours[classes[number[code]]])) for code, score in scores.items()
             if classes[number[code]] != 0]
    assert len(cells) > len(scores) / 2
    assert_direction(cells, False, f"Kart, {indikator}, {runde}")

"""The region report through its public entry point, `python -m etl report`, on the demo
warehouse with boundaries: the files are opened and read back.

* PPTX (python-pptx): the slides and their titles, the native charts' data equal to the marts,
  no number of a hidden cell anywhere, the demo mark and the disclosure rule where they apply;
* PDF (pypdf): the text in the chosen language, tables with «skjult (personvern)», every page
  rendered to PNG by Debian's pdftoppm and not blank;
* errors in Norwegian with exit code 2; the command never loads Streamlit.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import browser_helpers
import duckdb
import pytest
from conftest import PROJECT_ROOT, describe, etl_env, run_cli
from PIL import Image
from pptx import Presentation
from pypdf import PdfReader

demo_warehouse_a = browser_helpers.demo_warehouse_a

LARGEST = "kongsbergregionen-alle-med"  # the collaboration with the most municipalities (8)
HIDDEN = {"nb": "skjult (personvern)", "nn": "skjult (personvern)", "en": "hidden (privacy)"}
DEMO = {"nb": "Demodata (syntetiske tall)", "nn": "Demodata (syntetiske tal)", "en": "Demo data (synthetic numbers)"}
RULE = {"nb": "færre enn 10 svar", "nn": "færre enn 10 svar", "en": "fewer than 10 answers"}


def report(warehouse: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    proc = run_cli(["report", *args, "--out", str(out)], env=etl_env(warehouse))
    assert proc.returncode == 0 and out.exists(), describe(proc)
    return proc


@pytest.fixture(scope="module")
def deck(demo_warehouse_a: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rapport") / "rapport.pptx"
    report(demo_warehouse_a, out, "--samarbeid", LARGEST, "--format", "pptx", "--lang", "nb")
    return out


@pytest.fixture(scope="module")
def pdf_nn(demo_warehouse_a: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rapport") / "rapport.pdf"
    report(demo_warehouse_a, out, "--samarbeid", LARGEST, "--format", "pdf", "--lang", "nn")
    return out


def marts(warehouse: Path, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(warehouse.resolve()), read_only=True) as conn:
        return conn.execute(sql, list(params)).fetchall()


def slide_texts(slide) -> list[str]:
    out = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            out.append(shape.text_frame.text)
        if shape.has_table:
            out += [cell.text for row in shape.table.rows for cell in row.cells]
    return out


def latest_region_scores(warehouse: Path, gruppe: str) -> tuple[str, dict[str, tuple]]:
    """The latest round with a published score of the collaboration for a group, and its cells."""
    rows = marts(warehouse, """
        select m.runde, i.navn, m.skaar, m.undertrykt, m.antall_svar
        from mart_indikator m join stg_indikator i using (indikator)
        where m.niva = 'partnerskap' and m.niva_id = ? and m.respondentgruppe = ? and m.gruppering = 'alle'
          and m.runde_sort = (select max(runde_sort) from mart_indikator where niva = 'partnerskap'
                              and niva_id = ? and respondentgruppe = ? and gruppering = 'alle' and not undertrykt)
        """, LARGEST, gruppe, LARGEST, gruppe)
    return rows[0][0], {r[1]: r for r in rows}


# --- PowerPoint -----------------------------------------------------------------------------------


def test_the_deck_has_the_report_slides_in_order(deck: Path):
    prs = Presentation(str(deck))
    titles = [s.shapes.title.text for s in prs.slides if s.shapes.title is not None]
    assert titles[0] == "Kongsbergregionen"
    expected = ["Nøkkeltall", "Kommunene på kartet", "Tidslinje", "Indikatorer: Elever 5.–10. trinn",
                "Utvikling over rundene: Elever 5.–10. trinn", "Kommunene: Elever 5.–10. trinn",
                "Kompetansebehov", "Offentlig statistikk", "Kilder og forbehold"]
    positions = [titles.index(e) for e in expected]  # ValueError names a missing slide
    assert positions == sorted(positions), titles
    assert prs.slide_width * 9 == prs.slide_height * 16  # 16:9
    # every slide after the title slide names the demo data; the title slide too
    for slide in prs.slides:
        assert any(DEMO["nb"] in text for text in slide_texts(slide)), slide.shapes.title.text


def test_native_charts_carry_the_marts_scores_and_no_hidden_number(deck: Path, demo_warehouse_a: Path):
    prs = Presentation(str(deck))
    by_title = {s.shapes.title.text: s for s in prs.slides if s.shapes.title is not None}
    slide = by_title["Indikatorer: Elever 5.–10. trinn"]
    charts = [sh.chart for sh in slide.shapes if sh.has_chart]
    assert len(charts) == 1, "the indicator slide has one native chart"
    chart = charts[0]
    runde, cells = latest_region_scores(demo_warehouse_a, "elev_5_10")
    categories = list(chart.plots[0].categories)
    assert set(categories) == set(cells), categories
    latest = [s for s in chart.series if s.name == runde]
    assert latest, f"no series for round {runde}: {[s.name for s in chart.series]}"
    for name, value in zip(categories, latest[0].values):
        _, _, skaar, undertrykt, _ = cells[name]
        if undertrykt:
            assert value is None, f"{name}: a hidden cell has a value in the chart"
        else:
            assert value == round(skaar), (name, value, skaar)
    # the bars start at the reference 500 and the axis says what 500 is
    assert chart.value_axis.axis_title.text_frame.text.startswith("Skår (500")


def test_the_municipality_table_shows_hidden_cells_as_hidden(deck: Path, demo_warehouse_a: Path):
    prs = Presentation(str(deck))
    table_slides = [s for s in prs.slides if s.shapes.title is not None
                    and s.shapes.title.text.startswith("Kommunene: Elever 5.–10. trinn")]
    tables = [sh.table for s in table_slides for sh in s.shapes if sh.has_table]
    assert tables, "the municipality table is a native table"
    grid = tables[0]
    header = [c.text for c in grid.rows[0].cells]
    runde = marts(demo_warehouse_a, """
        select runde from mart_indikator where niva = 'partnerskap' and niva_id = ? and respondentgruppe = 'elev_5_10'
          and gruppering = 'alle' and not undertrykt order by runde_sort desc limit 1""", LARGEST)[0][0]
    cells = {(r[0], r[1]): r for r in marts(demo_warehouse_a, """
        select k.kommunenavn_kort, i.navn, m.skaar, m.undertrykt
        from mart_indikator m join stg_indikator i using (indikator)
        join stg_kommune k on k.kommunenummer = m.niva_id
        where m.niva = 'kommune' and m.respondentgruppe = 'elev_5_10' and m.runde = ? and m.gruppering = 'alle'
          and m.niva_id in (select kommunenummer from mart_partnerskap_kommune where partnerskap_id = ?)""",
        runde, LARGEST)}
    assert any(c[3] for c in cells.values()), "the demo data should hide some municipalities"
    seen_hidden = 0
    for row in list(grid.rows)[1:]:
        values = [c.text for c in row.cells]
        for indicator, text in zip(header[1:], values[1:]):
            cell = cells.get((values[0], indicator))
            assert cell is not None, (values[0], indicator)
            if cell[3]:
                assert text == HIDDEN["nb"], (values[0], indicator, text)
                seen_hidden += 1
            else:
                assert text == str(round(cell[2])), (values[0], indicator, text, cell[2])
    assert seen_hidden == sum(1 for c in cells.values() if c[3])
    # the slide with hidden cells states the rule
    texts = " ".join(t for s in table_slides for t in slide_texts(s))
    assert RULE["nb"] in texts


def test_the_heat_table_colours_the_best_score_good_in_every_direction(deck: Path, demo_warehouse_a: Path):
    """The deck's (and the PDF's) municipality table: for each indicator, a better score never
    has a worse fill; for bullying (lower is better) the least bullying is the best (issue 18)."""
    from test_fargeretning import GROUP, REGION, assert_direction, latest_round, municipal_scores

    assert REGION == LARGEST
    prs = Presentation(str(deck))
    grid = next(sh.table for s in prs.slides if s.shapes.title is not None
                and s.shapes.title.text.startswith("Kommunene: Elever 5.–10. trinn") for sh in s.shapes if sh.has_table)
    header = [c.text for c in grid.rows[0].cells]
    direction = dict(marts(demo_warehouse_a, "select navn, hoyere_er_bedre from stg_indikator"))
    ids = dict(marts(demo_warehouse_a, "select navn, indikator from stg_indikator"))
    runde = latest_round(demo_warehouse_a)
    fills: dict[tuple[str, str], str] = {}
    for row in list(grid.rows)[1:]:
        place = row.cells[0].text
        for name, cell in zip(header[1:], list(row.cells)[1:]):
            if cell.fill.type is not None:
                fills[(name, place)] = "#" + str(cell.fill.fore_color.rgb).lower()
    assert not direction["Opplevd mobbing og krenkelser"]
    for name in header[1:]:
        cells = [(score, fills[(name, place)])
                 for place, score in municipal_scores(demo_warehouse_a, ids[name], runde).items()
                 if (name, place) in fills]
        if not direction[name] or len({f for _, f in cells}) >= 2:
            assert_direction(cells, direction[name], f"deck table, {name}")
    assert GROUP == "elev_5_10"


def test_no_slide_shows_a_number_the_marts_hide(deck: Path, demo_warehouse_a: Path):
    """Every score-like number (3 digits, 300–700) on any slide is a published score of the
    collaboration or one of its municipalities; hidden cells have none to leak, so a number that
    is not published anywhere would be one computed by the report."""
    published = {round(r[0]) for r in marts(demo_warehouse_a, """
        select skaar from mart_indikator where skaar is not null and (niva_id = ? or niva_id in
          (select kommunenummer from mart_partnerskap_kommune where partnerskap_id = ?))""", LARGEST, LARGEST)}
    published |= {round(v) for r in marts(demo_warehouse_a, """
        select ki_lav, ki_hoy, antall_svar from mart_indikator where skaar is not null and niva_id = ?""", LARGEST)
        for v in r}
    published |= {r[0] for r in marts(demo_warehouse_a, """
        select antall_svar from mart_indikator where antall_svar is not null and niva_id in
          (select kommunenummer from mart_partnerskap_kommune where partnerskap_id = ?)
        union select antall_svar from mart_kartlegging where antall_svar is not null and niva_id = ?""",
        LARGEST, LARGEST)}
    prs = Presentation(str(deck))
    for slide in prs.slides:
        for text in slide_texts(slide):
            for number in re.findall(r"(?<![\d,.])([3-7]\d\d)(?![\d,.])", text):
                if 300 <= int(number) <= 700:
                    assert int(number) in published, f"{slide.shapes.title.text}: {number} in «{text[:80]}»"
        for shape in slide.shapes:
            if shape.has_chart:
                for series in shape.chart.series:
                    for v in series.values:
                        assert v is None or v < 10 or round(v) in published, (slide.shapes.title.text, v)


def test_the_map_is_a_picture_and_public_statistics_point_to_their_page(deck: Path):
    prs = Presentation(str(deck))
    by_title = {s.shapes.title.text: s for s in prs.slides if s.shapes.title is not None}
    pictures = [sh for sh in by_title["Kommunene på kartet"].shapes if sh.shape_type == 13]
    assert pictures and pictures[0].image.content_type == "image/png"
    # every build holds Udir's bundled figures (mart_offentlig); the report does not draw them yet
    assert "Datalageret har offentlig statistikk, men rapporten viser den ikke ennå" in " ".join(
        slide_texts(by_title["Offentlig statistikk"]))


# --- PDF ------------------------------------------------------------------------------------------


def test_the_pdf_reads_in_nynorsk_with_tables_and_marks(pdf_nn: Path):
    reader = PdfReader(str(pdf_nn))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = re.sub(r"\s+", " ", text)
    for expected in ["Kongsbergregionen", "Nøkkeltal", "Kommunane på kartet", "Indikatorar: Elevar 5.–10. trinn",
                     "Kompetansebehov", "Offentleg statistikk", "Datalageret har offentleg statistikk",
                     "Kjelder og atterhald", HIDDEN["nn"], DEMO["nn"], RULE["nn"], "© Kartverket"]:
        assert expected in flat, f"{expected!r} not in the PDF text"
    assert "Nøkkeltall" not in flat, "bokmål in a nynorsk report"
    assert len(reader.pages) >= 8
    assert reader.metadata.title == "Kongsbergregionen"


def test_every_pdf_page_renders_to_a_png_that_is_not_blank(pdf_nn: Path, tmp_path: Path):
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm missing: `make test` and .ci/run install Debian's poppler-utils"
    subprocess.run([pdftoppm, "-r", "40", "-png", str(pdf_nn), str(tmp_path / "side")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("side-*.png"))
    assert len(pages) == len(PdfReader(str(pdf_nn)).pages)
    for page in pages:
        grey = Image.open(page).convert("L")
        dark = sum(grey.histogram()[:128])
        assert dark > 200, f"{page.name} looks blank"


def test_an_english_report_of_a_municipality(demo_warehouse_a: Path, tmp_path: Path):
    out = tmp_path / "kongsberg.pdf"
    report(demo_warehouse_a, out, "--kommune", "3303", "--format", "pdf", "--lang", "en")
    flat = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(str(out)).pages))
    for expected in ["Kongsberg", "Key figures", "Indicators: Pupils", "Sources and caveats", DEMO["en"]]:
        assert expected in flat, expected


# --- the command line -----------------------------------------------------------------------------


def test_unknown_collaboration_and_missing_folder_are_refused_in_norwegian(demo_warehouse_a: Path, tmp_path: Path):
    proc = run_cli(["report", "--samarbeid", "finnes-ikke", "--format", "pdf", "--out", str(tmp_path / "r.pdf")],
                   env=etl_env(demo_warehouse_a))
    assert proc.returncode == 2, describe(proc)
    assert "fant ikke samarbeidet «finnes-ikke»" in proc.stderr and LARGEST in proc.stderr
    assert not (tmp_path / "r.pdf").exists()
    proc = run_cli(["report", "--samarbeid", LARGEST, "--format", "pptx", "--out", str(tmp_path / "nei" / "r.pptx")],
                   env=etl_env(demo_warehouse_a))
    assert proc.returncode == 2 and "finnes ikke" in proc.stderr, describe(proc)
    proc = run_cli(["report", "--samarbeid", LARGEST, "--format", "docx", "--out", str(tmp_path / "r.docx")],
                   env=etl_env(demo_warehouse_a))
    assert proc.returncode == 2, describe(proc)


def test_the_report_command_never_loads_streamlit(demo_warehouse_a: Path, tmp_path: Path):
    code = (
        "import sys; from etl import cli; "
        f"rc = cli.main(['report', '--samarbeid', {LARGEST!r}, '--format', 'pptx', '--out', {str(tmp_path / 'r.pptx')!r}]); "
        "print(rc, 'streamlit' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], check=False, cwd=PROJECT_ROOT, env=etl_env(demo_warehouse_a),
                          capture_output=True, text=True, timeout=300)
    assert proc.stdout.split()[-2:] == ["0", "False"], describe(proc)

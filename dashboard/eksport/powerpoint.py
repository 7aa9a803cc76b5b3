"""The region report as a PowerPoint deck (python-pptx): native, editable charts with their data
where PowerPoint has the chart type (bars, lines), native tables (heat tables keep their colours),
the map, the timeline and heat maps as pictures. Every slide says what it shows and carries the
source, date, n, reference, disclosure rule and demo mark that apply to it."""

from __future__ import annotations

import io

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
from pptx.enum.text import PP_ALIGN
from pptx.util import Emu, Inches, Pt

from dashboard import palette, tekster
from dashboard.eksport import ramme
from dashboard.eksport.innhold import Lysbilde, Rapport, Tabell
from dashboard.tekster import t

W, H = Emu(12192000), Emu(6858000)  # 13.333 × 7.5 in: PowerPoint's own 16:9
MARGIN = Inches(0.5)
TITLE_ONLY = 5


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _text(slide, left, top, width, height, lines: list[str], size: int, colour: str = palette.INK,
          bold: bool = False):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        p.text = line
        p.font.size = Pt(size)
        p.font.bold = bold
        p.font.color.rgb = _rgb(colour)
    return box


def _frame(prs, rapport: Rapport, s: Lysbilde, title: str | None = None):
    """A slide with its title, the selection under it, and the footer of notes."""
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    slide.shapes.title.text = title or s.tittel
    title_shape = slide.shapes.title
    title_shape.left, title_shape.top, title_shape.width, title_shape.height = MARGIN, Inches(0.3), W - 2 * MARGIN - Inches(2.6), Inches(0.9)
    for p in title_shape.text_frame.paragraphs:
        p.alignment = PP_ALIGN.LEFT
        p.font.size = Pt(32)
        p.font.bold = True
    _text(slide, MARGIN, Inches(1.15), W - 2 * MARGIN, Inches(0.45), [s.utvalg], 16, palette.MUTED)
    frame = ramme.frame_of(rapport, s)
    footer = [f"{frame.kilde} · {frame.dato}" + (f" · {frame.n}" if frame.n else "")]
    footer += [m for m in frame.merknader if m != frame.demo]
    _text(slide, MARGIN, H - Inches(0.25) - Inches(0.24) * len(footer), W - 2 * MARGIN, Inches(0.3) * len(footer),
          footer, 10)
    if frame.demo:
        mark = slide.shapes.add_textbox(W - MARGIN - Inches(2.5), Inches(0.35), Inches(2.5), Inches(0.5))
        mark.fill.solid()
        mark.fill.fore_color.rgb = _rgb(ramme.DEMO)
        mark.text_frame.word_wrap = True
        p = mark.text_frame.paragraphs[0]
        p.text = frame.demo
        p.font.size, p.font.bold, p.font.color.rgb = Pt(14), True, RGBColor(255, 255, 255)
        p.alignment = PP_ALIGN.CENTER
    slide.notes_slide.notes_text_frame.text = "\n".join([s.utvalg, *footer, *s.punkter])
    return slide


BODY_TOP = Inches(1.7)


def _body_height(rapport: Rapport, s: Lysbilde):
    notes = 1 + len(rapport.merknader(s))
    return H - BODY_TOP - Inches(0.35) - Inches(0.24) * notes


def _chart(slide, s: Lysbilde, left, top, width, height) -> None:
    d = s.diagram
    data = CategoryChartData(number_format=d.format)
    data.categories = d.kategorier
    for name, values in d.serier:
        data.add_series(name, values)
    kind = XL_CHART_TYPE.BAR_CLUSTERED if d.type == "bar" else XL_CHART_TYPE.LINE_MARKERS
    chart = slide.shapes.add_chart(kind, left, top, width, height, data).chart
    chart.font.size = Pt(14)
    chart.has_legend = len(d.serier) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    axis = chart.value_axis
    axis.has_title = True
    axis.axis_title.text_frame.text = d.akse
    if d.minimum is not None:
        axis.minimum_scale = d.minimum
    if d.maksimum is not None:
        axis.maximum_scale = d.maksimum
    axis.tick_labels.number_format = d.format
    axis.tick_labels.number_format_is_linked = False
    axis.has_major_gridlines = True
    if d.kryss is not None:
        # bars grow from the reference (500), not from the axis minimum: below it they point left
        axis.crosses_at = d.kryss
        chart.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    if d.type == "bar":
        chart.category_axis.reverse_order = True  # first category on top, as in the table
        plot = chart.plots[0]
        plot.has_data_labels = True
        plot.data_labels.number_format = d.format
        plot.data_labels.number_format_is_linked = False
        plot.data_labels.font.size = Pt(12)
        plot.gap_width = 60
    for i, series in enumerate(chart.series):
        colour = _rgb(palette.SERIES[i % len(palette.SERIES)])
        if d.type == "bar":
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = colour
        else:
            series.format.line.color.rgb = colour
            series.format.line.width = Pt(3)
            series.smooth = False
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = colour


def _table(slide, table: Tabell, left, top, width, height) -> None:
    rows, cols = len(table.rader) + 1, len(table.kolonner)
    shape = slide.shapes.add_table(rows, cols, left, top, width, min(height, Inches(0.4) * rows))
    grid = shape.table
    size = Pt(14 if rows <= 10 and cols <= 6 else 11)
    first = Emu(int(width * (0.34 if cols > 3 else 0.45)))
    grid.columns[0].width = first
    for c in range(1, cols):
        grid.columns[c].width = Emu(int((width - first) / (cols - 1)))
    for r, values in enumerate([table.kolonner, *table.rader]):
        for c, value in enumerate(values):
            cell = grid.cell(r, c)
            cell.text = value
            p = cell.text_frame.paragraphs[0]
            p.font.size = size
            p.font.bold = r == 0
            if table.tall[c] and r > 0:
                p.alignment = PP_ALIGN.RIGHT
            fill = table.farger[r - 1][c] if table.farger and r > 0 else None
            if fill:
                cell.fill.solid()
                cell.fill.fore_color.rgb = _rgb(fill)
                p.font.color.rgb = _rgb(palette.text_on(fill))


def _picture(slide, png: bytes, left, top, width, height) -> None:
    from PIL import Image

    w, h = Image.open(io.BytesIO(png)).size
    scale = min(width / w, height / h)
    pic_w, pic_h = int(w * scale), int(h * scale)
    slide.shapes.add_picture(io.BytesIO(png), left + (width - pic_w) // 2, top, pic_w, pic_h)


def _body_png(rapport: Rapport, s: Lysbilde) -> bytes | None:
    if s.kart is not None:
        return ramme.png(s.kart.svg(1600, 820, font_size=22))
    if s.spec is not None:
        with tekster.sprak(rapport.sprak):
            return ramme.png(ramme.vega_svg(s.spec, width=1500, font_size=22))
    return None


def _title_slide(prs, rapport: Rapport, s: Lysbilde) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    # the default layout is 4:3 (10 in wide): place title and subtitle on the 16:9 slide
    title, subtitle = slide.shapes.title, slide.placeholders[1]
    title.left, title.top, title.width, title.height = MARGIN, Inches(1.2), W - 2 * MARGIN, Inches(1.6)
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = MARGIN, Inches(3.0), W - 2 * MARGIN, Inches(2.9)
    title.text = s.tittel
    subtitle.text = "\n".join(s.punkter)
    for p in title.text_frame.paragraphs:
        p.alignment, p.font.size, p.font.bold = PP_ALIGN.LEFT, Pt(48), True
    for p in subtitle.text_frame.paragraphs:
        p.alignment, p.font.size, p.font.color.rgb = PP_ALIGN.LEFT, Pt(22), _rgb(palette.INK)
    if rapport.demo_merke:
        _text(slide, MARGIN, H - Inches(1.0), W - 2 * MARGIN, Inches(0.6), [rapport.demo_merke], 20, ramme.DEMO, True)


def build(rapport: Rapport) -> bytes:
    """The deck as .pptx bytes, in the report's language."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = W, H
    with tekster.sprak(rapport.sprak):
        prs.core_properties.title = f"{rapport.navn} – {t('rapport.undertittel')}"
        prs.core_properties.language = tekster.LOCALES[rapport.sprak]
        for s in rapport.lysbilder:
            if s.visning == "tittel":
                _title_slide(prs, rapport, s)
                continue
            slide = _frame(prs, rapport, s)
            height = _body_height(rapport, s)
            width = W - 2 * MARGIN
            top = BODY_TOP
            if s.tomt:
                _text(slide, MARGIN, top, width, Inches(1.5), [s.tomt], 24, ramme.DEMO if s.visning == "offentlig" else palette.INK, True)
                continue
            if s.punkter and s.visning in ("nokkeltall", "kilder"):
                lines = s.punkter
                box_h = Inches(0.42) * len(lines) if s.tabell else height
                _text(slide, MARGIN, top, width, box_h, lines, 18 if s.visning == "nokkeltall" else 14)
                top += box_h + Inches(0.1)
                height -= box_h + Inches(0.1)
            if s.diagram is not None:
                _chart(slide, s, MARGIN, top, width, height)
            elif s.tabell is not None and s.spec is None and s.kart is None:
                _table(slide, s.tabell, MARGIN, top, width, height)
                continue
            else:
                picture = _body_png(rapport, s)
                if picture:
                    _picture(slide, picture, MARGIN, top, width, height)
            if s.tabell is not None:
                table_slide = _frame(prs, rapport, s, f"{s.tittel} – {t('rapport.tabell')}")
                _table(table_slide, s.tabell, MARGIN, BODY_TOP, W - 2 * MARGIN, _body_height(rapport, s))
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()

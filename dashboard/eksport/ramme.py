"""Charts and maps as files that say what they show: a 16:9 frame with title, selection, the
chart, and a footer with source, date, n, the disclosure rule and the demo mark. Rendered on the
server with vl-convert (Vega-Lite to SVG, SVG to PNG); nothing is fetched from anywhere.

Sizes: `slide` is 1920×1080 px; `print` is the same drawing at 300 ppi across an A4 landscape
width (3508×1973 px, 297 mm wide).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from html import escape

import vl_convert as vlc

from dashboard import charts, palette, tekster

WIDTH, HEIGHT = 1920, 1080
PRINT_SCALE = 3508 / WIDTH
PRINT_PPI = 300
FONT = "Liberation Sans, Arial, DejaVu Sans, sans-serif"  # ikke-tekst: a CSS font list
DEMO = "#b00020"  # the demo mark: dark red on white (7:1), never the only signal (it is written)


def config(font_size: int = 22) -> dict:
    """The dashboard's chart theme with text sized for a slide or a projector."""
    base = charts.config()
    for part in ("axis", "legend", "header"):
        base[part] = base[part] | {"labelFontSize": font_size, "titleFontSize": font_size}
    base["title"] = base["title"] | {"fontSize": font_size + 2}
    base["text"] = base["text"] | {"fontSize": font_size}
    base["font"] = FONT
    return base


def _bigger_marks(node, font_size: int):
    """Text marks inside a spec carry their own 16 px: raise them with the theme."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "fontSize" and isinstance(value, (int, float)):
                out[key] = font_size
            else:
                out[key] = _bigger_marks(value, font_size)
        return out
    if isinstance(node, list):
        return [_bigger_marks(v, font_size) for v in node]
    return node


def vega_full(spec: dict, width: int = 1400, font_size: int = 22) -> dict:
    """A slide's Vega-Lite spec as it is drawn: text raised to font_size, the theme, the width."""
    full = _bigger_marks(spec, font_size) | {"config": config(font_size), "width": width}
    full.setdefault("$schema", "https://vega.github.io/schema/vega-lite/v5.json")  # ikke-tekst
    return full


def vega_svg(spec: dict, width: int = 1400, font_size: int = 22) -> str:
    """A Vega-Lite spec (data inline) as SVG text, drawn offline."""
    return vlc.vegalite_to_svg(vega_full(spec, width, font_size), allowed_base_urls=[])


def _size(svg: str) -> tuple[float, float]:
    head = re.search(r"<svg[^>]*>", svg).group(0)
    w = re.search(r'\bwidth="([\d.]+)', head)
    h = re.search(r'\bheight="([\d.]+)', head)
    return float(w.group(1)), float(h.group(1))


def _nested(svg: str, x: float, y: float, width: float, height: float) -> str:
    """The drawing placed in a box, scaled to fit and centred (its own viewBox kept)."""
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg).strip()
    w, h = _size(svg)
    head = re.search(r"<svg[^>]*>", svg).group(0)
    inner = re.sub(r'\s(width|height|x|y|viewBox|preserveAspectRatio)="[^"]*"', "", head)
    inner = inner[:-1] + (f' x="{x:.0f}" y="{y:.0f}" width="{width:.0f}" height="{height:.0f}" '
                          f'viewBox="0 0 {w:.0f} {h:.0f}" preserveAspectRatio="xMidYMid meet">')  # ikke-tekst
    return inner + svg[len(head):]


def _lines(text: str, size: int, width: int) -> list[str]:
    return textwrap.wrap(text, max(20, int(width / (size * 0.5)))) or [""]


@dataclass
class Ramme:
    """What a file says about itself besides the drawing."""

    tittel: str
    utvalg: str
    kilde: str
    dato: str
    n: str | None = None
    merknader: tuple[str, ...] = ()
    demo: str | None = None


def framed(body_svg: str, frame: Ramme, width: int = WIDTH, height: int = HEIGHT) -> str:
    """The drawing in a 16:9 frame: title and selection above, source, date, n and notes below."""
    margin = 60
    text_w = width - 2 * margin
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
              f'viewBox="0 0 {width} {height}" font-family="{FONT}">'),
             f"<title>{escape(frame.tittel)}</title>",
             f'<rect width="{width}" height="{height}" fill="#ffffff"/>']
    y = margin + 40
    for line in _lines(frame.tittel, 48, text_w)[:2]:
        parts.append(f'<text x="{margin}" y="{y}" font-size="48" font-weight="bold" fill="{palette.INK}">'
                     f"{escape(line)}</text>")
        y += 56
    parts.append(f'<text x="{margin}" y="{y}" font-size="28" fill="{palette.MUTED}">{escape(frame.utvalg)}</text>')
    top = y + 24
    footer = [f"{frame.kilde} · {frame.dato}" + (f" · {frame.n}" if frame.n else "")]
    footer += [m for m in frame.merknader if m != frame.demo]
    foot_lines = [line for text in footer for line in _lines(text, 22, text_w)]
    bottom = height - margin - 30 * len(foot_lines) - (46 if frame.demo else 0)
    parts.append(_nested(body_svg, margin, top, width - 2 * margin, bottom - top - 10))
    y = bottom + 24
    for line in foot_lines:
        parts.append(f'<text x="{margin}" y="{y}" font-size="22" fill="{palette.INK}">{escape(line)}</text>')
        y += 30
    if frame.demo:
        label = escape(frame.demo.upper())
        parts.append(f'<rect x="{margin}" y="{y - 4}" width="{len(frame.demo) * 16 + 40}" height="40" fill="{DEMO}"/>'
                     f'<text x="{margin + 20}" y="{y + 25}" font-size="26" font-weight="bold" fill="#ffffff">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def png(svg: str, print_size: bool = False) -> bytes:
    """PNG of an SVG: 1920×1080 for a slide, or 300 ppi at A4 width for print."""
    if print_size:
        # vl-convert multiplies scale by ppi/72: divide it out so the width stays 3508 px
        return vlc.svg_to_png(svg, scale=PRINT_SCALE * 72 / PRINT_PPI, ppi=PRINT_PPI)
    return vlc.svg_to_png(svg, scale=1.0)


def frame_of(rapport, lysbilde) -> Ramme:
    """The frame of a report slide (title, selection, source, date, n, notes, demo mark)."""
    from dashboard import fmt

    with tekster.sprak(rapport.sprak):
        return Ramme(lysbilde.tittel, lysbilde.utvalg, lysbilde.kilde, fmt.dato(rapport.dato), lysbilde.n,
                     tuple(rapport.merknader(lysbilde)), rapport.demo_merke)


def slide_svg(rapport, lysbilde, width: int = WIDTH, height: int = HEIGHT) -> str | None:
    """A report slide's chart or map, framed; None for a slide without a drawing."""
    if lysbilde.kart is not None:
        body = lysbilde.kart.svg(1600, 800, font_size=22)
    elif lysbilde.spec is not None:
        with tekster.sprak(rapport.sprak):
            body = vega_svg(lysbilde.spec)
    else:
        return None
    return framed(body, frame_of(rapport, lysbilde), width, height)

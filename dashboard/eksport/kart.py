"""A static map drawn from the warehouse's boundary polygons as SVG: no tiles, no basemap, no
browser. Web Mercator like the dashboard's map, zoomed to the places in focus, with names on the
map and a legend with text (never colour alone)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from html import escape

from dashboard import palette

FONT = "Liberation Sans, Arial, DejaVu Sans, sans-serif"  # ikke-tekst: a CSS font list


def _project(lon: float, lat: float) -> tuple[float, float]:
    lat = max(min(lat, 85.0), -85.0)
    return math.radians(lon), -math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":  # ikke-tekst
        return geometry["coordinates"]
    if geometry["type"] == "MultiPolygon":  # ikke-tekst
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


@dataclass
class Kart:
    kommuner: dict[str, str]  # kommunenummer -> GeoJSON geometry (text)
    fylker: dict[str, str]
    fyll: dict[str, str]  # kommunenummer -> fill colour; the rest are white
    etiketter: list[tuple[str, float, float]]  # text, lon, lat
    fokus: list[str]  # the municipalities the view is zoomed to
    tegnforklaring: list[tuple[str, str]]  # label, colour
    alt: str
    _projected: dict[str, list[list[tuple[float, float]]]] = field(default_factory=dict, repr=False)

    def _shapes(self, source: dict[str, str]) -> dict[str, list[list[tuple[float, float]]]]:
        return {code: [[_project(x, y) for x, y, *_ in ring] for ring in _rings(json.loads(text))]
                for code, text in source.items()}

    def svg(self, width: int = 1600, height: int = 900, font_size: int = 20) -> str:
        municipalities = self._shapes(self.kommuner)
        counties = self._shapes(self.fylker)
        focus = [p for code in self.fokus for ring in municipalities.get(code, []) for p in ring]
        if not focus:
            focus = [p for rings in municipalities.values() for ring in rings for p in ring]
        xs, ys = [p[0] for p in focus], [p[1] for p in focus]
        west, east, north, south = min(xs), max(xs), min(ys), max(ys)
        # at least a county's size, so a one-municipality region shows its neighbours
        span = max(east - west, (south - north) * width / height, 0.012)
        middle_x, middle_y = (west + east) / 2, (north + south) / 2
        scale = width / (span * 1.35)
        scale = min(scale, height / ((south - north) * 1.35 or 1))
        x0, y0 = middle_x - width / 2 / scale, middle_y - height / 2 / scale

        def path(rings: list[list[tuple[float, float]]]) -> str:
            parts = []
            for ring in rings:
                last = None
                points = []
                for x, y in ring:
                    px, py = (x - x0) * scale, (y - y0) * scale
                    if last is None or abs(px - last[0]) + abs(py - last[1]) >= 0.8:
                        points.append(f"{px:.1f},{py:.1f}")
                        last = (px, py)
                if len(points) > 2:
                    parts.append("M" + "L".join(points) + "Z")
            return "".join(parts)

        def visible(rings: list[list[tuple[float, float]]]) -> bool:
            pts = [p for ring in rings for p in ring]
            return bool(pts) and (
                (min(p[0] for p in pts) - x0) * scale < width and (max(p[0] for p in pts) - x0) * scale > 0
                and (min(p[1] for p in pts) - y0) * scale < height and (max(p[1] for p in pts) - y0) * scale > 0)

        out = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(self.alt)}">'),
               f"<title>{escape(self.alt)}</title>",
               '<defs><clipPath id="kl-kartutsnitt"><rect width="100%" height="100%"/></clipPath></defs>',
               f'<rect width="{width}" height="{height}" fill="#f4f7fa"/>',  # sea and abroad: a pale blue-grey
               '<g clip-path="url(#kl-kartutsnitt)">']
        for code, rings in municipalities.items():
            if visible(rings):
                out.append(f'<path d="{path(rings)}" fill="{self.fyll.get(code, palette.OUTSIDE)}" '
                           f'fill-rule="evenodd" stroke="#787878" stroke-width="0.8"/>')
        for rings in counties.values():
            if visible(rings):
                out.append(f'<path d="{path(rings)}" fill="none" stroke="#282828" stroke-width="2"/>')
        placed: list[tuple[float, float, float, float]] = []
        for text, lon, lat in self.etiketter:
            if lon is None or lat is None:
                continue
            x, y = _project(lon, lat)
            px, py = (x - x0) * scale, (y - y0) * scale
            half = len(text) * font_size * 0.29
            box = (px - half, py - font_size * 0.7, px + half, py + font_size * 0.4)
            if any(box[0] < b[2] and box[2] > b[0] and box[1] < b[3] and box[3] > b[1] for b in placed):
                continue  # a label on top of another helps nobody: the legend and tables name them
            placed.append(box)
            out.append(f'<text x="{px:.0f}" y="{py:.0f}" text-anchor="middle" font-family="{FONT}" '
                       f'font-size="{font_size}" font-weight="bold" fill="{palette.INK}" stroke="#ffffff" '
                       f'stroke-width="4" paint-order="stroke">{escape(text)}</text>')
        out.append("</g>")
        out.append(self._legend(width, font_size))
        out.append(f'<rect width="{width}" height="{height}" fill="none" stroke="#787878"/></svg>')
        return "".join(out)

    def _legend(self, width: int, font_size: int) -> str:
        line = font_size * 1.5
        box_w = max(len(label) for label, _ in self.tegnforklaring) * font_size * 0.55 + font_size * 3
        box_h = line * len(self.tegnforklaring) + font_size
        x = width - box_w - 16
        rows = [(f'<rect x="{x:.0f}" y="16" width="{box_w:.0f}" height="{box_h:.0f}" fill="#ffffff" '
                 'stroke="#787878" opacity="0.95"/>')]
        for i, (label, colour) in enumerate(self.tegnforklaring):
            y = 16 + font_size * 0.5 + i * line
            rows.append(f'<rect x="{x + 12:.0f}" y="{y + 2:.0f}" width="{font_size}" height="{font_size}" '
                        f'fill="{colour}" stroke="#555555"/>')
            rows.append(f'<text x="{x + 20 + font_size:.0f}" y="{y + font_size * 0.9:.0f}" font-family="{FONT}" '
                        f'font-size="{font_size}" fill="{palette.INK}">{escape(label)}</text>')
        return "".join(rows)

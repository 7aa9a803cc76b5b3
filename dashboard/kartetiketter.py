"""Labels on the map that never cover each other: placed on the server for a map of known size.

The map is drawn at a fixed size in pixels, so where each label lands on screen follows from the
view (Web Mercator, deck.gl's 512-px world) alone. Labels are placed greedily in priority order
(the selection first, then the largest areas), on their area or just beside it. Those that find no
room there (a crowded corner: southern Norway) go into a column in free space beside the crowd,
in the order of their areas from north to south, each with a leader line to a dot on its area.
A label that finds no room at all is left to the tooltip, the legend and the table. A box keeps
clear of every other label and of every anchor dot, and stays inside the map.

Text widths are the advance widths of Source Sans (the page font, which deck.gl draws with) at
weight 600, measured in Chromium with canvas `measureText`: deck.gl lays a label out the same way,
glyph by glyph, without kerning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MAP = (600, 720)  # px: the Kart page's map; Norway (taller than wide) fills it at every screen size
FONT = "Source Sans, Source Sans Pro, Arial, sans-serif"  # ikke-tekst: CSS font list
WEIGHT = 600
SIZE = 16  # px
PADDING = (5, 2)  # px around the text, as deck.gl's background_padding
MARGIN = 3  # px kept free between two labels, and between a label and the map's edge
DOT = 4  # px: radius kept free around an anchor dot

# advance width per character in em (Source Sans, weight 600), measured in Chromium
_WIDTHS = {
    **dict.fromkeys("0123456789#$+<=>^~×", 0.513), " ": 0.2, "!": 0.315, '"': 0.482, "%": 0.841,
    "&": 0.639, "'": 0.275, "(": 0.324, ")": 0.324, "*": 0.438, ",": 0.275, "-": 0.322, ".": 0.275,
    "/": 0.344, ":": 0.275, ";": 0.275, "?": 0.444, "@": 0.875, "[": 0.324, "]": 0.324, "_": 0.5,
    "A": 0.558, "B": 0.597, "C": 0.576, "D": 0.625, "E": 0.538, "F": 0.51, "G": 0.628, "H": 0.663,
    "I": 0.282, "J": 0.494, "K": 0.597, "L": 0.502, "M": 0.745, "N": 0.657, "O": 0.674, "P": 0.582,
    "Q": 0.674, "R": 0.592, "S": 0.545, "T": 0.546, "U": 0.655, "V": 0.536, "W": 0.8, "X": 0.541,
    "Y": 0.501, "Z": 0.54, "a": 0.516, "b": 0.563, "c": 0.462, "d": 0.564, "e": 0.507, "f": 0.317,
    "g": 0.52, "h": 0.558, "i": 0.262, "j": 0.263, "k": 0.522, "l": 0.271, "m": 0.843, "n": 0.56,
    "o": 0.549, "p": 0.564, "q": 0.564, "r": 0.373, "s": 0.431, "t": 0.361, "u": 0.556, "v": 0.495,
    "w": 0.748, "x": 0.481, "y": 0.495, "z": 0.443, "Æ": 0.834, "Ø": 0.674, "Å": 0.558, "æ": 0.78,  # ikke-tekst
    "ø": 0.549, "å": 0.516, "–": 0.48, "—": 0.8, "«": 0.455, "»": 0.455, "…": 0.964, "·": 0.275,  # ikke-tekst
}
_WIDEST = 0.875  # a character not in the table (accented letters are within this)

# rings around the anchor (px from the anchor to the nearest edge of the box) and directions
RINGS = (0, 8, 16, 26)  # px from the anchor to the nearest edge of the box
DIRECTIONS = 24
GAP = 28  # px between the crowd and its column of labels
CROWD = 70  # px: anchors nearer than this (through each other) share a column
HIDE = 0.25  # a label beside its area may cover at most this share of other collaborations' areas
SLIDE = 140  # px a column label may move up or down from its anchor's height


def text_width(text: str, size: float = SIZE) -> float:
    return sum(_WIDTHS.get(ch, _WIDEST) for ch in text) * size


def box_size(text: str, size: float = SIZE) -> tuple[float, float]:
    return text_width(text, size) + 2 * PADDING[0], size + 2 * PADDING[1]


def world(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """Web Mercator pixel position at a zoom (deck.gl: the world is 512 px wide at zoom 0)."""
    scale = 512 * 2 ** zoom
    rad = math.radians(max(min(lat, 85.0), -85.0))
    return (lon + 180) / 360 * scale, (1 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2 * scale


@dataclass(frozen=True)
class View:
    latitude: float
    longitude: float
    zoom: float
    width: int
    height: int

    def screen(self, lon: float, lat: float) -> tuple[float, float]:
        cx, cy = world(self.longitude, self.latitude, self.zoom)
        x, y = world(lon, lat, self.zoom)
        return self.width / 2 + x - cx, self.height / 2 + y - cy

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        """The inverse of screen()."""
        scale = 512 * 2 ** self.zoom
        cx, cy = world(self.longitude, self.latitude, self.zoom)
        wx, wy = cx + x - self.width / 2, cy + y - self.height / 2
        lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * wy / scale))))
        return wx / scale * 360 - 180, lat


@dataclass(frozen=True)
class Label:
    text: str
    lon: float
    lat: float
    priority: float  # higher first
    avoid: tuple[tuple[float, float, float, float], ...] = ()  # lon/lat boxes it should not hide


@dataclass(frozen=True)
class Placed:
    """A label's box on screen, and in lon/lat (so that label, leader line and map move together
    when the reader zooms): the box centre, and the end of the leader line on the box's edge."""

    text: str
    anchor: tuple[float, float]  # lon, lat
    centre: tuple[float, float]  # lon, lat
    line_end: tuple[float, float] | None  # lon, lat; None when the label sits on its anchor
    box: tuple[float, float, float, float]  # screen x0, y0, x1, y1


def _overlap(a, b, margin: float = 0.0) -> bool:
    return a[0] < b[2] + margin and b[0] < a[2] + margin and a[1] < b[3] + margin and b[1] < a[3] + margin


def _area(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _candidates(w: float, h: float, rings: tuple[int, ...]):
    """Box centre offsets, nearest first: on the anchor, then rings whose gap to the box is r."""
    for r in rings:
        if r == 0:
            yield 0.0, 0.0, 0
            continue
        for k in range(DIRECTIONS):
            a = 2 * math.pi * k / DIRECTIONS
            cx, cy = math.cos(a), math.sin(a)
            # push the box out along the direction until its nearest edge is r px from the anchor
            t = min((w / 2) / abs(cx) if abs(cx) > 1e-9 else math.inf, (h / 2) / abs(cy) if abs(cy) > 1e-9 else math.inf)
            yield cx * (t + r), cy * (t + r), r


def _free(box, placed: list[tuple], dots: list[tuple], view: View) -> bool:
    if box[0] < MARGIN or box[1] < MARGIN or box[2] > view.width - MARGIN or box[3] > view.height - MARGIN:
        return False
    return not any(_overlap(box, p, MARGIN) for p in placed) and not any(_overlap(box, d) for d in dots)


def _near(label: Label, anchor, others: list[tuple], placed: list[tuple], view: View, rings) -> tuple | None:
    """The free box nearest the anchor that hides least of the other areas."""
    ax, ay = anchor
    w, h = box_size(label.text)
    avoid = [(*view.screen(west, north), *view.screen(east, south)) for west, south, east, north in label.avoid]
    best = None
    for dx, dy, r in _candidates(w, h, rings):
        if best is not None and r > best[0]:
            break  # the cost is never below the ring's distance
        box = (ax + dx - w / 2, ay + dy - h / 2, ax + dx + w / 2, ay + dy + h / 2)
        if _free(box, placed, others, view):
            hidden = sum(_area(box, a) for a in avoid) / (w * h)  # share of the box over other areas
            cost = r + 100 * hidden
            if hidden <= HIDE and (best is None or cost < best[0]):
                best = (cost, box)
    return None if best is None else best[1]


def _crosses(a: tuple[float, float], b: tuple[float, float], box: tuple) -> bool:
    """Whether the segment a–b passes through the box (Liang–Barsky clipping)."""
    (x0, y0), (dx, dy) = a, (b[0] - a[0], b[1] - a[1])
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0:
                return False
        elif p < 0:
            lo = max(lo, q / p)
        else:
            hi = min(hi, q / p)
        if lo > hi:
            return False
    return True


def _end(anchor: tuple[float, float], box: tuple) -> tuple[float, float]:
    """The point of the box nearest the anchor: where its leader line ends."""
    return min(max(anchor[0], box[0]), box[2]), min(max(anchor[1], box[1]), box[3])


def _column(crowd: list[int], labels: list[Label], anchors: list, dots: list, boxes: dict[int, tuple],
            lines: dict[int, tuple], view: View) -> dict[int, tuple]:
    """Boxes for a crowd of labels in a column beside it, on the side with room that is nearest
    (right, into Sweden, or left, into the sea), stacked from north to south, each as near its
    anchor's height as the others allow; a leader line crosses no other label."""
    sizes = {i: box_size(labels[i].text) for i in crowd}
    widest = max(w for w, _ in sizes.values())
    xs = [anchors[i][0] for i in crowd]
    sides = []
    if max(xs) + GAP + widest <= view.width - MARGIN:
        sides.append((GAP, lambda w: (max(xs) + GAP, max(xs) + GAP + w)))
    if min(xs) - GAP - widest >= MARGIN:
        sides.append((GAP, lambda w: (min(xs) - GAP - w, min(xs) - GAP)))
    best: dict[int, tuple] = {}
    for _, edge in sides:
        found: dict[int, tuple] = {}
        taken = dict(boxes)
        for i in sorted(crowd, key=lambda i: anchors[i][1]):
            h, (x0, x1) = sizes[i][1], edge(sizes[i][0])
            others = [d for j, d in enumerate(dots) if j != i]
            top = anchors[i][1] - h / 2
            for shift in sorted(range(-SLIDE, SLIDE + 1, 4), key=abs):
                box = (x0, top + shift, x1, top + shift + h)
                if not _free(box, list(taken.values()), others, view):
                    continue
                end = _end(anchors[i], box)
                # the new line crosses no label, and no earlier line crosses the new box
                if any(_crosses(anchors[i], end, b) for j, b in taken.items() if j != i):
                    continue
                if any(_crosses(a, e, box) for j, (a, e) in lines.items()):
                    continue
                found[i] = taken[i] = box
                lines = lines | {i: (anchors[i], end)}
                break
        if len(found) > len(best):
            best = found
    return best


def place(labels: list[Label], view: View, leaders: bool = True) -> list[Placed]:
    """Place the labels by priority, on or beside their area; with `leaders`, the rest in a column
    with leader lines. Labels with no free spot are left out."""
    anchors = [view.screen(label.lon, label.lat) for label in labels]
    dots = [(x - DOT, y - DOT, x + DOT, y + DOT) for x, y in anchors]
    boxes: dict[int, tuple] = {}
    order = sorted(range(len(labels)), key=lambda i: (-labels[i].priority, labels[i].text))
    for i in order:
        others = [d for j, d in enumerate(dots) if j != i]
        box = _near(labels[i], anchors[i], others, list(boxes.values()), view, RINGS if leaders else (0,))
        if box is not None:
            boxes[i] = box
    lines = {i: (anchors[i], _end(anchors[i], b)) for i, b in boxes.items()}
    # crowds: labels left over whose anchors lie near each other (single link), largest first
    crowds: list[list[int]] = []
    for i in (i for i in order if i not in boxes):
        near = [c for c in crowds if any(math.dist(anchors[i], anchors[j]) < CROWD for j in c)]
        merged = [i] + [j for c in near for j in c]
        crowds = [c for c in crowds if c not in near] + [merged]
    for crowd in crowds if leaders else []:
        found = _column(crowd, labels, anchors, dots, boxes, lines, view)
        boxes |= found
        lines |= {i: (anchors[i], _end(anchors[i], b)) for i, b in found.items()}
    placed = []
    for i in order:
        if i not in boxes:
            continue
        (ax, ay), box = anchors[i], boxes[i]
        inside = box[0] <= ax <= box[2] and box[1] <= ay <= box[3]
        end = None if inside else view.lonlat(min(max(ax, box[0]), box[2]), min(max(ay, box[1]), box[3]))
        centre = view.lonlat((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        placed.append(Placed(labels[i].text, (labels[i].lon, labels[i].lat), centre, end, box))
    return placed

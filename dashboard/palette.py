"""The colour language of the dashboard (docs/design.md): one fixed colour per grant strand and per
unit type, a few series colours, score classes, and the checks that keep them readable
(WCAG contrast, and distance under simulated deuteranopia, protanopia and tritanopia)."""

from __future__ import annotations

import hashlib
import itertools
import math
from functools import cache

from dashboard import markup

INK = "#1a1a1a"  # body and chart text (17:1 on white)
MUTED = "#4d4d4d"  # captions, axis domain (8.5:1)
GRID = "#d9d9d9"
BACKGROUND = "#ffffff"
REFERENCE = "#1a1a1a"  # the 500 line: dark and dashed, not a colour that means "bad"
HIGHLIGHT = "#ffb000"  # outline of a chosen entity (map hover/selection)

# Picked by search over the Okabe–Ito and Paul Tol sets for the largest smallest distance under
# normal vision, deuteranopia and protanopia, each at least 3:1 against white (marks).
STRANDS = {
    "kompetanseloftet": "#332288",
    "dekomp": "#d55e00",
    "rekomp": "#007a5e",
    "oppfolgingsordningen": "#6699cc",
}
NOT_STATED = "#a0a0a0"  # light: "not stated" recedes; the legend and tooltip name it
UNIT_TYPES = {
    "barnehage": "#997700",
    "skole": "#0072b2",
    "sfo": "#ee6677",
    "ppt": "#882255",
}
# up to six compared series (regions, municipalities); more get direct labels and repeat
SERIES = ["#332288", "#d55e00", "#007a5e", "#aa4499", "#6699cc", "#000000"]

# Collaborations: one fixed colour each, on every page (map, lines, slides, report). Six colours
# from the Paul Tol and Okabe–Ito sets, each at least 3:1 on white (lines) and at least 23 apart
# under normal vision and the three simulated deficiencies. 23 collaborations need repeats: the
# table was chosen so that collaborations of one colour lie at least 119 km apart (nearest
# municipalities' representative points), which makes neighbours on the map differ;
# tests/test_tekster.py holds that rule against data/partnerships.yaml. A new collaboration
# fails that test until it is given a colour here.
COLLABORATION_COLOURS = ["#0077bb", "#332288", "#666633", "#882255", "#cc79a7", "#d55e00"]
COLLABORATIONS = {
    "asker-oppstartskommune": "#cc79a7",
    "bodo-kompetanseloftet-inkluderende-praksis": "#cc79a7",
    "eidsvoll-barnehage-regional-kompetanseutvikling": "#666633",
    "eidsvoll-skole-oppfolgingsordningen": "#d55e00",
    "frogn-kompetanseloftet": "#0077bb",
    "gamvik-lebesby-porsanger-oppstartskommuner": "#666633",
    "gjovikregionen-kompetanseloftet": "#666633",
    "hamarregionen-inkluderende-laeringsmiljo": "#882255",
    "hareid-oppstartskommune": "#332288",
    "helgeland-oppstartskommune": "#882255",
    "innbygda-skole-skoleutvikling": "#d55e00",
    "kongsbergregionen-alle-med": "#882255",
    "kongsvingerregionen-regional-kompetanseutvikling": "#332288",
    "nord-osterdal-regional-kompetanseutvikling": "#666633",
    "ost-finnmark-kompetanseutvikling": "#332288",
    "ringsaker-tidlig-innsats-sprakutvikling": "#0077bb",
    "sandnes-oppstartskommune": "#332288",
    "sor-osterdal-regional-kompetanseutvikling": "#cc79a7",
    "sor-troms-kompetanseutvikling": "#d55e00",
    "tonsberg-oppstartskommune": "#666633",
    "vanylven-oppstartskommune": "#d55e00",
    "vest-finnmark-pedagogisk-analyse": "#882255",
    "ytre-helgeland-god-opplaering-for-alle": "#882255",
}
SEVERAL = INK  # a municipality in more than one collaboration (the map names them on hover)

# Score classes on the 500 scale (ColorBrewer RdYlBu, 5 classes, the middle made a stronger
# yellow): the middle class is yellow, never the white of "not in the selection" or the grey of "no data".
SCORE_EDGES = [450, 480, 520, 550]
SCORE_CLASSES = ["#d7191c", "#fdae61", "#fee090", "#abd9e9", "#2c7bb6"]
GOOD, BAD = SCORE_CLASSES[-1], SCORE_CLASSES[0]  # the classes run from worst to best
NO_DATA = "#969696"
OUTSIDE = "#ffffff"

# Heatmap classes for the 1–5 mapping scale and the gap (need − competence)
NEED_EDGES = [2.0, 2.5, 3.0, 3.5, 4.0]
NEED_CLASSES = ["#feedde", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603"]
COMPETENCE_CLASSES = ["#f7fbff", "#c6dbef", "#9ecae1", "#4292c6", "#2171b5", "#08306b"]
GAP_EDGES = [-1.0, -0.5, -0.15, 0.15, 0.5, 1.0]
GAP_CLASSES = ["#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b"]


# --- colour arithmetic ----------------------------------------------------------------------------


def rgb(hex_colour: str, alpha: int = 255) -> list[int]:
    h = hex_colour.lstrip("#")
    return [int(h[i : i + 2], 16) for i in (0, 2, 4)] + [alpha]


def hex_of(colour: list[int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour[:3])


def _linear(channel: float) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    r, g, b = (_linear(c) for c in rgb(hex_colour)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@cache  # asked once per heatmap cell; a handful of fills
def text_on(fill: str) -> str:
    """Black or white text, whichever reads better on fill."""
    return INK if contrast(INK, fill) >= contrast("#ffffff", fill) else "#ffffff"


# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB
CVD = {
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}


def simulate_linear(linear_rgb: tuple[float, float, float], kind: str) -> tuple[float, ...]:
    m = CVD[kind]
    return tuple(min(1.0, max(0.0, sum(m[i][j] * linear_rgb[j] for j in range(3)))) for i in range(3))


def _lab(linear_rgb: tuple[float, ...]) -> tuple[float, float, float]:
    r, g, b = linear_rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(v: float) -> float:
        return v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def distance(a: str, b: str, vision: str = "normal") -> float:
    """CIE76 distance of two colours as seen with normal vision or a simulated deficiency."""
    la, lb = (tuple(_linear(c) for c in rgb(h)[:3]) for h in (a, b))
    if vision != "normal":
        la, lb = simulate_linear(la, vision), simulate_linear(lb, vision)
    return math.dist(_lab(la), _lab(lb))


def smallest_distance(colours: list[str], vision: str = "normal") -> float:
    return min(distance(a, b, vision) for a, b in itertools.combinations(colours, 2))


# --- lookups --------------------------------------------------------------------------------------


def strand(code: str | None) -> str:
    return STRANDS.get(code or "", NOT_STATED)


def unit_type(code: str | None) -> str:
    return UNIT_TYPES.get(code or "", NOT_STATED)


def collaboration(partnerskap_id: str) -> str:
    """The collaboration's colour, the same on every page. An id the table does not know (a
    collaboration added to the data but not yet here) still gets a stable colour from the six."""
    if partnerskap_id in COLLABORATIONS:
        return COLLABORATIONS[partnerskap_id]
    digest = hashlib.sha256(partnerskap_id.encode()).digest()  # stable across processes, unlike hash()
    return COLLABORATION_COLOURS[digest[0] % len(COLLABORATION_COLOURS)]


def score_class(score: float | None) -> int | None:
    """The class of a score on the 500 scale (0: below 450 … 4: 550 and above), no direction."""
    return None if score is None else sum(score >= edge for edge in SCORE_EDGES)


# Colour direction: decided here once. Every score colour on every page, slide, picture, deck and
# PDF comes from these functions, so the best score of an indicator where lower is better
# (bullying) gets GOOD like the best score of any other indicator.


def score_scale(hoyere_er_bedre: bool) -> list[str]:
    """The class colours from the lowest score class to the highest, in the indicator's direction."""
    return SCORE_CLASSES if hoyere_er_bedre else SCORE_CLASSES[::-1]


def goodness(score: float | None, hoyere_er_bedre: bool) -> int | None:
    """0 (much worse than the reference) … 4 (much better), in the indicator's direction; an index
    into SCORE_CLASSES. Lower-is-better scores are mirrored around 500 (560 is as bad as 440)."""
    if score is None:
        return None
    return score_class(score if hoyere_er_bedre else 1000 - score)


def score_fill(score: float | None, hoyere_er_bedre: bool) -> str | None:
    """The fill of a score cell (None without a score)."""
    g = goodness(score, hoyere_er_bedre)
    return None if g is None else SCORE_CLASSES[g]


def classes(value: float | None, edges: list[float]) -> int | None:
    return None if value is None else sum(value >= edge for edge in edges)


def legend(title: str, items: list[tuple[str, str]], container=None) -> None:
    """A legend: a heading, then swatch and label per row (label text, never colour alone)."""
    rows = markup.join(
        markup.html('<li><span class="kl-swatch" style="background:{colour}"></span>{label}</li>',
                    colour=colour, label=label)
        for label, colour in items
    )
    markup.show_html('<div class="kl-legend"><p class="kl-legend-title">{title}</p><ul>{rows}</ul></div>',
                     container, title=title, rows=rows)

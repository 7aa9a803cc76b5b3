"""Colours shared by the map and the charts, and the map legend."""

from __future__ import annotations

import html

# Tableau 20, reordered so neighbours differ strongly; enough for every collaboration.
_BASE = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#1f77b4", "#17becf", "#bcbd22", "#8c564b", "#d62728", "#2ca02c", "#9467bd",
    "#a0cbe8", "#ffbe7d", "#8cd17d", "#86bcb6", "#f1ce63", "#d4a6c8", "#fabfd2", "#d7b5a6",
]
NONE = [225, 225, 225, 255]
UNKNOWN = [170, 170, 170, 255]
MANY = [40, 40, 40, 255]


def rgb(hex_colour: str, alpha: int = 255) -> list[int]:
    h = hex_colour.lstrip("#")
    return [int(h[i : i + 2], 16) for i in (0, 2, 4)] + [alpha]


def hex_of(colour: list[int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour[:3])


def categorical(keys: list[str]) -> dict[str, list[int]]:
    return {k: rgb(_BASE[i % len(_BASE)]) for i, k in enumerate(keys)}


def legend_html(items: list[tuple[str, list[int]]]) -> str:
    rows = "".join(
        f'<div style="display:flex;align-items:center;gap:8px;margin:3px 0">'
        f'<span style="width:14px;height:14px;border-radius:3px;flex:none;'
        f'background:rgba({c[0]},{c[1]},{c[2]},{c[3] / 255:.2f});border:1px solid #999"></span>'
        f"<span>{html.escape(label)}</span></div>"
        for label, c in items
    )
    return f'<div style="font-size:0.9rem;line-height:1.2">{rows}</div>'


# Score classes on the 500-scale (reference 500, standard deviation 100).
_EDGES = [470, 490, 510, 530]
_DIVERGING = ["#b2182b", "#ef8a62", "#f7f7f7", "#67a9cf", "#2166ac"]


def score_bins(higher_is_better: bool) -> list[list[int]]:
    """Five colours from bad to good; reversed where a higher score means worse."""
    colours = [rgb(c) for c in _DIVERGING]
    return colours if higher_is_better else colours[::-1]


def score_colour(score: float, bins: list[list[int]]) -> list[int]:
    return bins[sum(score >= edge for edge in _EDGES)]


def score_legend(bins: list[list[int]]) -> list[tuple[str, list[int]]]:
    labels = ["under 470", "470–489", "490–509", "510–529", "530 og over"]
    return list(zip(labels, bins))

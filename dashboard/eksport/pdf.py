"""The region report as PDF, typeset by Typst (its Python package: no system dependencies).
The same slides as the deck, with every table in full; charts and the map as vector images."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import typst

from dashboard import fmt, palette, tekster
from dashboard.eksport import ramme
from dashboard.eksport.innhold import Rapport
from dashboard.tekster import t

TEMPLATE = Path(__file__).with_name("rapport.typ")
REGION = {"nb": "NO", "nn": "NO", "en": "GB"}  # ikke-tekst: ISO region codes for Typst


def _data(rapport: Rapport, folder: Path) -> dict:
    slides = []
    for s in rapport.lysbilder:
        image = None
        if s.kart is not None:
            (folder / f"{s.id}.svg").write_text(s.kart.svg(1600, 1000, font_size=24), encoding="utf-8")
            image = f"{s.id}.svg"
        elif s.spec is not None:
            (folder / f"{s.id}.svg").write_text(ramme.vega_svg(s.spec, width=1000, font_size=16), encoding="utf-8")
            image = f"{s.id}.svg"
        frame = ramme.frame_of(rapport, s)
        table = None
        if s.tabell is not None:
            table = {"kolonner": s.tabell.kolonner, "rader": s.tabell.rader, "tall": s.tabell.tall,
                     "farger": s.tabell.farger,
                     "hvit": [[bool(c) and palette.text_on(c) == "#ffffff" for c in row]
                              for row in (s.tabell.farger or [[None] * len(s.tabell.kolonner)] * len(s.tabell.rader))]}
        slides.append({
            "id": s.id, "visning": s.visning, "tittel": s.tittel, "utvalg": s.utvalg, "punkter": s.punkter,
            "tomt": s.tomt, "bilde": image, "tabell": table,
            "merknader": [f"{frame.kilde} · {frame.dato}" + (f" · {frame.n}" if frame.n else "")]
            + [m for m in frame.merknader if m != frame.demo],
        })
    first = rapport.lysbilder[0] if rapport.lysbilder and rapport.lysbilder[0].visning == "tittel" else None
    return {
        "tittel": rapport.navn, "navn": rapport.navn, "undertittel": t("rapport.undertittel"),
        "sprak": rapport.sprak, "region": REGION[rapport.sprak], "dato": fmt.dato(rapport.dato),
        "forside": first.punkter[1:] if first else [],
        "demo": rapport.demo_merke,
        "demo_tekst": t("felles.demo_banner").replace("**", "") if rapport.syntetisk else "",
        "lysbilder": slides,
    }


def build(rapport: Rapport) -> bytes:
    """The report as PDF bytes, in the report's language."""
    with tempfile.TemporaryDirectory(prefix="kl-rapport-") as tmp, tekster.sprak(rapport.sprak):
        folder = Path(tmp)
        (folder / "data.json").write_text(json.dumps(_data(rapport, folder), ensure_ascii=False), encoding="utf-8")
        (folder / "rapport.typ").write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
        return typst.compile(str(folder / "rapport.typ"), root=str(folder), format="pdf")

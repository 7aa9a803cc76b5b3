"""One call that makes a region report file (the command line and the dashboard's buttons)."""

from __future__ import annotations

from dashboard.eksport import innhold, pdf, powerpoint
from dashboard.eksport.innhold import Query, Region

FORMATS = {"pptx": powerpoint.build, "pdf": pdf.build}
MIME = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",  # ikke-tekst
    "pdf": "application/pdf",
}


def lag(query: Query, region: Region, format: str, lang: str) -> tuple[bytes, innhold.Rapport]:
    rapport = innhold.build(query, region, lang)
    return FORMATS[format](rapport), rapport


def file_name(rapport: innhold.Rapport, format: str) -> str:
    """e.g. 'rapport_kongsbergregionen-alle-med_nn_DEMODATA_2026-11-30.pptx' (ASCII-safe)."""
    from dashboard.csvexport import file_name as csv_name

    base = csv_name("rapport", f"{rapport.region.id}_{rapport.sprak}", rapport.syntetisk, rapport.dato)
    return base.removesuffix(".csv") + f".{format}"

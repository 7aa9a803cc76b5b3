"""One thin function per question the pages ask. SQL lives in sql/queries/; values are bound."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from dashboard.db import query

if TYPE_CHECKING:
    from dashboard.filters import Filters


@dataclass(frozen=True)
class FilterOptions:
    partnerskap: pl.DataFrame
    ordninger: pl.DataFrame
    fylker: pl.DataFrame
    kommuner: pl.DataFrame
    respondentgrupper: pl.DataFrame
    runder: pl.DataFrame


def filter_options() -> FilterOptions:
    return FilterOptions(
        partnerskap=query("filter_partnerskap"),
        ordninger=query("filter_ordninger"),
        fylker=query("filter_fylker"),
        kommuner=query("filter_kommuner"),
        respondentgrupper=query("filter_respondentgrupper"),
        runder=query("filter_runder"),
    )


def partnerships(f: Filters) -> pl.DataFrame:
    """One row per collaboration matching the filters, with every field of its record."""
    return query("partnerskap", **f.params())


def partnership_municipalities(f: Filters) -> pl.DataFrame:
    """One row per collaboration and municipality matching the filters."""
    return query("partnerskap_kommuner", **f.params())


@dataclass(frozen=True)
class BuildInfo:
    min_svar: int
    grenser: str
    syntetisk: bool
    antall_enheter: int
    antall_grenser: int


def build_info() -> BuildInfo:
    return BuildInfo(**query("bygg_info").row(0, named=True))


def map_municipalities(f: Filters) -> pl.DataFrame:
    """Every municipality with its (filtered) collaborations and whether it matches the filters."""
    return query("kart_kommuner", **f.params())


def indicators(respondentgruppe: str | None) -> pl.DataFrame:
    """The indicators measured for a respondent group."""
    return query("indikatorer", respondentgruppe=respondentgruppe)


def indicator_by_level(
    f: Filters, niva: str, indikator: str, gruppering: str = "alle"
) -> pl.DataFrame:
    """One row per unit/municipality/collaboration/county for an indicator in the chosen round."""
    return query(
        "indikator_niva", **f.survey_params(), niva=niva, indikator=indikator, gruppering=gruppering
    )


def indicator_series(f: Filters, niva: str, ider: list[str], indikator: str) -> pl.DataFrame:
    """Scores across rounds for chosen collaborations, municipalities or counties."""
    return query(
        "indikator_tidsserie", niva=niva, ider=list(ider), indikator=indikator,
        respondentgruppe=f.respondentgruppe, enhetstyper=list(f.enhetstyper),
    )


def mapping(f: Filters, niva: str, runde: str) -> pl.DataFrame:
    """Competence and need by area and role for a round, within the filters."""
    return query("kartlegging", **f.params(), niva=niva, runde=runde)


def mapping_rounds() -> list[str]:
    return query("kartlegging_runder")["runde"].to_list()


def participation(f: Filters) -> pl.DataFrame:
    """Units and respondents per round within the filters."""
    return query("deltakelse", **f.params(), enhetstyper=list(f.enhetstyper))


def changes(f: Filters) -> pl.DataFrame:
    """Changes since the round before that are larger than their uncertainty."""
    return query("endringer", **f.survey_params())


def indicator_extract(f: Filters, niva: str) -> pl.DataFrame:
    """Every indicator and breakdown at a level for the chosen respondent group and round."""
    return query("indikator_uttrekk", **f.survey_params(), niva=niva)


def data_quality(f: Filters) -> pl.DataFrame:
    return query("datakvalitet", **f.params())


def owner_plan_elements() -> pl.DataFrame:
    return query("eierplan")


def sources() -> pl.DataFrame:
    return query("kilder")


def references() -> pl.DataFrame:
    return query("referanse")


def map_indicator(f: Filters, indikator: str) -> pl.DataFrame:
    """Each municipality's latest score (up to the chosen round) for an indicator."""
    return query(
        "kart_indikator", indikator=indikator, respondentgruppe=f.respondentgruppe,
        runde=f.runde, enhetstyper=list(f.enhetstyper),
    )


def municipality_boundaries() -> pl.DataFrame:
    """One row per municipality with a boundary (GeoJSON text) and its tooltip facts."""
    return query("kart_kommunegrenser")


def county_boundaries() -> pl.DataFrame:
    return query("kart_fylkesgrenser")


def region_indicators(niva: str, niva_id: str) -> pl.DataFrame:
    """Every indicator and round of one collaboration or municipality (region report)."""
    return query("rapport_indikatorer", niva=niva, niva_id=niva_id)


def public_statistics_loaded() -> bool:
    """Whether the warehouse holds Udir's public statistics."""
    return bool(query("rapport_offentlig_finnes")["finnes"][0])


# --- public statistics from Udir (page Offentlig statistikk) ---------------------------------------


def public_indicators() -> pl.DataFrame:
    """The public indicators with figures, their definitions and school years."""
    return query("offentlig_indikatorer")


def public_partnership(partnerskap_id: str, indikator: str) -> pl.DataFrame:
    """A collaboration's municipalities, the collaboration, its counties and the country, per year."""
    return query("offentlig_samarbeid", partnerskap=partnerskap_id, indikator=indikator)


def public_map(indikator: str, skolear: str) -> pl.DataFrame:
    """Every municipality's figure for a public indicator and school year."""
    return query("offentlig_kart", indikator=indikator, skolear=skolear)


def public_sources() -> pl.DataFrame:
    """The Udir response files behind the figures, with provenance."""
    return query("offentlig_kilder")

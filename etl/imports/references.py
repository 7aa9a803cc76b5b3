"""Checks against what lies outside the file: instruments, known units, other kept files."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import polars as pl

from etl.imports.checks import Report, known, listing
from etl.imports.columns import KIND_NAMES, SCHEMAS, SURVEY_KINDS, Municipalities
from etl.imports.reading import file_problem

if TYPE_CHECKING:
    from etl.imports.validate import Checked

INSTRUMENT_FILES = {
    "survey_frames": "data/instruments/sepu_undersokelse.yaml",
    "mapping_frames": "data/instruments/kartlegging.yaml",
}


# --- lookups: units and instruments ----------------------------------------------------------


def instrument(function: str) -> dict[str, pl.DataFrame]:
    try:
        module = importlib.import_module("etl.instruments")
    except ModuleNotFoundError as exc:
        if exc.name != "etl.instruments":
            raise
        raise file_problem(
            INSTRUMENT_FILES[function],
            "(mangler)",
            "instrumentet (lest av etl/instruments.py) – det trengs for å kontrollere svar, resultater og kartlegging",
        ) from exc
    return getattr(module, function)()


def unit_checks(report: Report, frame: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """Unknown units are reported; adds `_enhet_kommune` and `_enhetstype` (null when not known)."""
    hint = "en kjent enhet (enhet_id) – importer enhetene først (python -m etl import units FIL)"
    known(report, frame, "enhet_id", units["enhet_id"].to_list(), hint)
    lookup = units.select(
        "enhet_id",
        pl.col("kommunenummer").alias("_enhet_kommune"),
        (pl.col("enhetstype") if "enhetstype" in units.columns else pl.lit(None, pl.Utf8)).alias(
            "_enhetstype"
        ),
    )
    return frame.join(lookup, on="enhet_id", how="left", maintain_order="left")


def check_answers(report: Report, frame: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    frame = unit_checks(report, frame, units)
    survey = instrument("survey_frames")
    groups = survey["respondentgruppe"].select(
        "respondentgruppe", "skala_min", "skala_max", "trinn_fra", "trinn_til"
    )
    types = survey["respondentgruppe"].select("respondentgruppe", "enhetstyper")
    items = survey["sporsmal"].select(
        "sporsmal_id", pl.col("respondentgruppe").alias("_gruppe_til")
    )
    group_names = groups["respondentgruppe"].to_list()
    known(
        report,
        frame,
        "respondentgruppe",
        group_names,
        "en respondentgruppe i instrumentet: " + listing(group_names),
    )
    known(
        report,
        frame,
        "sporsmal_id",
        items["sporsmal_id"].to_list(),
        f"et spørsmål (sporsmal_id) i instrumentet {INSTRUMENT_FILES['survey_frames']}",
    )
    frame = frame.join(items, on="sporsmal_id", how="left", maintain_order="left")
    wrong_group = frame.filter(
        pl.col("_gruppe_til").is_not_null()
        & pl.col("respondentgruppe").is_in(group_names)
        & (pl.col("_gruppe_til") != pl.col("respondentgruppe"))
    )
    report.add_rows(
        wrong_group,
        "sporsmal_id",
        lambda r: (
            f"et spørsmål til respondentgruppen «{r['respondentgruppe']}» (dette hører til «{r['_gruppe_til']}»)"
        ),
    )
    frame = frame.join(groups, on="respondentgruppe", how="left", maintain_order="left")
    out_of_scale = frame.filter(
        pl.col("svar").is_not_null()
        & pl.col("skala_min").is_not_null()
        & ~pl.col("svar").is_between("skala_min", "skala_max")
    )
    report.add_rows(
        out_of_scale,
        "svar",
        lambda r: (
            f"et heltall fra {r['skala_min']} til {r['skala_max']} (skalaen til «{r['respondentgruppe']}»), "
            "eller tom celle når spørsmålet ikke er besvart"
        ),
    )
    wrong_grade = frame.filter(
        pl.col("trinn").is_not_null()
        & pl.col("trinn_fra").is_not_null()
        & ~pl.col("trinn").is_between("trinn_fra", "trinn_til")
    )
    report.add_rows(
        wrong_grade,
        "trinn",
        lambda r: (
            f"et trinn fra {r['trinn_fra']} til {r['trinn_til']} for respondentgruppen «{r['respondentgruppe']}», eller tom"
        ),
    )
    # (group, unit type) pairs checked against a small table, not a list on every row
    allowed = types.explode("enhetstyper").rename({"enhetstyper": "_enhetstype"})
    wrong_type = (
        frame.filter(
            pl.col("_enhetstype").is_not_null() & pl.col("respondentgruppe").is_in(group_names)
        )
        .join(allowed, on=["respondentgruppe", "_enhetstype"], how="anti")
        .join(types, on="respondentgruppe", how="left")
    )
    report.add_rows(
        wrong_type,
        "respondentgruppe",
        lambda r: (
            f"en respondentgruppe for enhetstypen {r['_enhetstype']} (enheten «{r['enhet_id']}»); "
            f"«{r['respondentgruppe']}» gjelder {', '.join(r['enhetstyper'])}"
        ),
    )
    return frame.drop("_gruppe_til", "skala_min", "skala_max", "trinn_fra", "trinn_til")


def check_results(report: Report, frame: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    frame = unit_checks(report, frame, units)
    neither = frame.filter(
        pl.col("_tekst_enhet_id").is_null() & pl.col("_tekst_kommunenummer").is_null()
    )
    report.add_rows(neither, "enhet_id", "enhet_id eller kommunenummer (minst én av dem)")
    check_unit_municipality(report, frame)
    survey = instrument("survey_frames")
    group_names = survey["respondentgruppe"]["respondentgruppe"].to_list()
    indicators = survey["indikator"]["indikator"].to_list()
    known(
        report,
        frame,
        "respondentgruppe",
        group_names,
        "en respondentgruppe i instrumentet: " + listing(group_names),
    )
    known(
        report,
        frame,
        "indikator",
        indicators,
        "en indikator i instrumentet: " + listing(indicators),
    )
    pairs = (
        survey["sporsmal"]
        .select("respondentgruppe", "indikator")
        .unique()
        .with_columns(_malt=pl.lit(True))
    )
    unmeasured = frame.join(pairs, on=["respondentgruppe", "indikator"], how="left").filter(
        pl.col("_malt").is_null()
        & pl.col("respondentgruppe").is_in(group_names)
        & pl.col("indikator").is_in(indicators)
    )
    report.add_rows(
        unmeasured,
        "indikator",
        lambda r: f"en indikator som måles for respondentgruppen «{r['respondentgruppe']}»",
    )
    # The key as the file has it: the unit, or the municipality code as written.
    return frame.with_columns(
        kommunenummer=pl.coalesce("_enhet_kommune", "kommunenummer"),
        _mottaker=pl.coalesce(
            pl.col("enhet_id"), pl.lit("kommune ") + pl.col("_tekst_kommunenummer").str.zfill(4)
        ),
    )


def check_unit_municipality(report: Report, frame: pl.DataFrame) -> None:
    """When a row names both a unit and a municipality, the unit must lie there (2024 codes)."""
    wrong = frame.filter(
        pl.col("_enhet_kommune").is_not_null()
        & pl.col("kommunenummer").is_not_null()
        & (pl.col("_enhet_kommune") != pl.col("kommunenummer"))
    )
    report.add_rows(
        wrong,
        "kommunenummer",
        lambda r: (
            f"kommunen til enheten «{r['enhet_id']}» ({r['_enhet_kommune']}; "
            f"radens kode er {r['kommunenummer']} i 2024)"
        ),
        "_tekst_kommunenummer",
    )


def check_mapping(report: Report, frame: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    if frame["enhet_id"].is_not_null().any():
        frame = unit_checks(report, frame, units)
        check_unit_municipality(report, frame)
    mapping = instrument("mapping_frames")
    areas = mapping["omrade"]["omrade"].to_list()
    roles = mapping["rolle"]["rolle"].to_list()
    known(
        report, frame, "omrade", areas, "et område i kartleggingsinstrumentet: " + listing(areas)
    )
    known(report, frame, "rolle", roles, "en rolle i kartleggingsinstrumentet: " + listing(roles))
    return frame


def note_splits(report: Report, frame: pl.DataFrame, kommuner: Municipalities) -> None:
    column = "_tekst_kommunenummer"
    if column not in frame.columns:
        return
    used = {c.zfill(4) for c in frame[column].drop_nulls().unique().to_list() if c.isdigit()}
    for code in sorted(used & set(kommuner.splits)):
        report.notes.append(
            kommuner.splits[code] + ". Hører en rad til en annen del, bruk 2024-koden der."
        )


def merge_renumbered(frame: pl.DataFrame, report: Report) -> pl.DataFrame:
    """Results of municipalities that merged into one 2024 municipality are pooled into one row.

    Pooling uses the additive statistics of the contract: n, Σx = n·skaar and
    Σx² = (n−1)·sd² + n·skaar², so the merged row is what one file for the merged
    municipality would have said.
    """
    key = ["runde", "kommunenummer", "respondentgruppe", "indikator", "referanse"]
    columns = [
        "_rad",
        "_tekst_kommunenummer",
        "ekstra",
        *[c for c in SCHEMAS["results"] if c != "syntetisk"],
    ]
    frame = frame.select(columns)
    municipal = frame.filter(pl.col("enhet_id").is_null())
    groups = municipal.group_by(key, maintain_order=True).agg(pl.len().alias("_rader"))
    merged_keys = groups.filter(pl.col("_rader") > 1).drop("_rader")
    if merged_keys.is_empty():
        return frame
    to_merge = municipal.join(merged_keys, on=key)
    keep = frame.join(to_merge.select("_rad"), on="_rad", how="anti")
    n = pl.col("antall_svar").cast(pl.Float64)
    pooled = (
        to_merge.group_by(key, maintain_order=True)
        .agg(
            pl.col("_rad").min(),
            pl.col("enhet_id").first(),
            pl.col("ekstra").first(),
            pl.col("_tekst_kommunenummer")
            .str.zfill(4)
            .unique()
            .sort()
            .str.join(", ")
            .alias("_koder"),
            n.sum().alias("_n"),
            (n * pl.col("skaar")).sum().alias("_sx"),
            ((n - 1) * pl.col("standardavvik") ** 2 + n * pl.col("skaar") ** 2).sum().alias("_sxx"),
            pl.col("standardavvik").null_count().alias("_uten_sd"),
            pl.col("skaar").mean().alias("_snitt"),
        )
        .with_columns(
            antall_svar=pl.col("_n").cast(pl.Int64),
            skaar=pl.when(pl.col("_n") > 0)
            .then(pl.col("_sx") / pl.col("_n"))
            .otherwise(pl.col("_snitt")),
        )
        .with_columns(
            standardavvik=pl.when((pl.col("_uten_sd") == 0) & (pl.col("_n") > 1)).then(
                ((pl.col("_sxx") - pl.col("_n") * pl.col("skaar") ** 2) / (pl.col("_n") - 1))
                .clip(0)
                .sqrt()
            )
        )
    )
    for codes, target in (
        pooled.select("_koder", "kommunenummer").unique().sort("_koder").iter_rows()
    ):
        report.notes.append(
            f"Kommunenumrene {codes} er samme kommune i 2024 ({target}); radene er slått sammen, vektet med antall svar."
        )
    pooled = pooled.with_columns(_tekst_kommunenummer=pl.col("_koder"))
    return pl.concat([keep, pooled.select(columns)], how="vertical_relaxed").sort("_rad")


def survey_cells(checked: Checked, units: pl.DataFrame) -> pl.DataFrame:
    """The cells (round, unit or municipality, group, indicator) an answers or results file fills."""
    frame = checked.frame.with_columns(
        _fil=pl.lit(checked.fil),
        _art=pl.lit(checked.kind),
    )
    if checked.kind == "answers":
        items = instrument("survey_frames")["sporsmal"].select("sporsmal_id", "indikator")
        frame = frame.join(items, on="sporsmal_id").join(
            units.select("enhet_id", "kommunenummer"), on="enhet_id", how="left"
        )
    cell = ["runde", "enhet_id", "kommunenummer", "respondentgruppe", "indikator"]
    return (
        frame.sort("_rad")
        .select("_fil", "_art", "_rad", *cell)
        .unique([*cell, "_fil"], keep="first", maintain_order=True)
    )


def check_overlaps(checked: Checked, kept: list[Checked], units: pl.DataFrame) -> None:
    """Answers and aggregated results must not fill the same cell, or the marts would count twice.

    A unit's cell may come from answers or from results, not both; a municipality's total may
    not stand next to cells of its own units for the same round, group and indicator.
    """
    if checked.kind not in SURVEY_KINDS:
        return
    cells = pl.concat([survey_cells(c, units) for c in [checked, *kept]]).with_columns(
        _celle=pl.concat_str(
            [
                pl.col("runde"),
                pl.coalesce("enhet_id", "kommunenummer"),
                pl.col("respondentgruppe"),
                pl.col("indikator"),
            ],
            separator=" / ",
        )
    )
    mine = pl.col("_fil") == checked.fil
    report = Report(checked.fil)

    by_unit = ["runde", "enhet_id", "respondentgruppe", "indikator"]
    unit_cells = cells.filter(pl.col("enhet_id").is_not_null())
    both_kinds = (
        unit_cells.filter(mine)
        .join(unit_cells, on=by_unit, suffix="_annen")
        .filter(pl.col("_art") != pl.col("_art_annen"))
        .unique("_rad", keep="first", maintain_order=True)
    )
    report.add_rows(
        both_kinds,
        None,
        lambda r: (
            f"en celle som ikke alt er importert som {KIND_NAMES[r['_art_annen']]} "
            f"({r['_fil_annen']}, rad {r['_rad_annen']}) – importer enten svar eller resultater for en enhet"
        ),
        "_celle",
    )

    by_area = ["runde", "kommunenummer", "respondentgruppe", "indikator"]
    pairs = cells.filter(pl.col("enhet_id").is_null()).join(unit_cells, on=by_area, suffix="_enhet")
    report.add_rows(
        pairs.filter(mine).unique("_rad", keep="first", maintain_order=True),
        None,
        lambda r: (
            "et kommuneresultat uten enhetsdata for samme runde, respondentgruppe og indikator "
            f"(enheten «{r['enhet_id_enhet']}» står i {r['_fil_enhet']}, rad {r['_rad_enhet']}) – "
            "ellers telles de samme svarene to ganger"
        ),
        "_celle",
    )
    unit_rows = pairs.filter((pl.col("_fil_enhet") == checked.fil) & ~mine).select(
        pl.col("_rad_enhet").alias("_rad"),
        pl.col("_celle_enhet").alias("_celle"),
        pl.col("_fil").alias("_fil_kommune"),
        pl.col("_rad").alias("_rad_kommune"),
    )
    report.add_rows(
        unit_rows.unique("_rad", keep="first", maintain_order=True),
        None,
        lambda r: (
            "en enhet i en kommune uten samlet resultat for samme runde, respondentgruppe og "
            f"indikator (kommuneresultatet står i {r['_fil_kommune']}, rad {r['_rad_kommune']}) – "
            "ellers telles de samme svarene to ganger"
        ),
        "_celle",
    )
    report.raise_if_any()



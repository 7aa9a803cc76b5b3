"""The build step that decides which survey and mapping cells are published.

It reads the candidate cells and their inner structure from the private tables (sql/marts/int_*),
hands each independent table to `etl.disclosure.suppress`, and writes the hidden cells to
`privat.int_skjult`, which the public marts join. It also reports the information loss.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import duckdb
import polars as pl

from etl import config
from etl.disclosure import Cell, System, suppress

SURVEY_DIMENSIONS = {"trinn": 0, "kjonn": 1}  # breakdown -> position in an inner combination
MAPPING_DIMENSIONS = {"rolle": 0}


@dataclass
class Loss:
    """Information loss of one kind of table (pattern cells and respondents)."""

    celler: int = 0
    primaer: int = 0
    sekundaer: int = 0
    respondenter: int = 0  # in the totals of the published "alle" level
    respondenter_skjult: int = 0  # in hidden unit-level (or municipality-level) cells
    sekunder: float = 0.0

    def line(self, label: str) -> str:
        share = self.respondenter_skjult / self.respondenter if self.respondenter else 0.0
        return (
            f"{label}: {self.celler:,} celler, {self.primaer:,} skjult primært (færre enn K), "
            f"{self.sekundaer:,} skjult sekundært; {share:.1%} av respondentene er i skjulte celler "
            f"på laveste nivå ({self.sekunder:.1f} s)"
        ).replace(",", " ")


def _selector(gruppering: str, gruppe: str, dims: dict[str, int]):
    return None if gruppering == "alle" else (dims[gruppering], gruppe)


def _solve(
    cells: pl.DataFrame, combos: pl.DataFrame, members: pl.DataFrame, dims: dict[str, int],
    unit_level: str | None, k: int,
) -> dict[int, str]:
    """Suppress one system. cells: monster_id, niva, niva_id, gruppering, gruppe, n.
    combos: unit, kommunenummer and one column per dimension. members: niva, niva_id, unit."""
    dim_cols = sorted(dims, key=dims.get)
    per_unit = (
        combos.group_by("unit").agg(pl.col("kommunenummer").first(), pl.struct(dim_cols).alias("combos"))
        .sort("unit")
    )
    units = per_unit["unit"].to_list()
    index = {u: i for i, u in enumerate(units)}
    order = lambda c: tuple((v is None, v or "") for v in c)
    areas = (
        members.with_columns(pl.col("unit").replace_strict(index, default=None, return_dtype=pl.Int64).alias("i"))
        .drop_nulls("i").group_by("niva", "niva_id").agg(pl.col("i"))
    )
    area_index = {(niva, niva_id): a for a, (niva, niva_id) in enumerate(areas.select("niva", "niva_id").iter_rows())}
    system = System(
        municipality=per_unit["kommunenummer"].to_list(),
        combos=[tuple(sorted((tuple(c.values()) for c in row), key=order)) for row in per_unit["combos"].to_list()],
        areas=[frozenset(i) for i in areas["i"].to_list()],
    )
    for mid, niva, niva_id, gruppering, gruppe, n in cells.iter_rows():
        selector = _selector(gruppering, gruppe, dims)
        if niva == unit_level:
            system.cells.append(Cell(mid, n, selector, unit=index[niva_id]))
        else:
            system.cells.append(Cell(mid, n, selector, area=area_index[(niva, niva_id)]))
    result = suppress(system, k)
    return {key: "primær" for key in result.primary} | {key: "sekundær" for key in result.secondary}


def _survey(con: duckdb.DuckDBPyConnection, k: int, loss: Loss) -> list[tuple[str, int, str]]:
    cells = con.sql(
        "select runde, enhetstype, respondentgruppe, monster_id, niva, niva_id, gruppering, gruppe, n, respondenter "
        "from privat.int_monster order by monster_id"
    ).pl()
    combos = con.sql(
        "select distinct runde, enhetstype, respondentgruppe, enhet_id as unit, kommunenummer, "
        "trinnband as trinn, kjonn from privat.int_indre"
    ).pl()
    members = con.sql("select niva, niva_id, enhet_id as unit from privat.int_omrade_enhet").pl()
    hidden: list[tuple[str, int, str]] = []
    key = ["runde", "enhetstype", "respondentgruppe"]
    combo_parts = combos.partition_by(key, as_dict=True)
    for system_key, part in cells.partition_by(key, as_dict=True).items():
        units = combo_parts[system_key]
        reasons = _solve(
            part.select("monster_id", "niva", "niva_id", "gruppering", "gruppe", "n"),
            units, members, SURVEY_DIMENSIONS, "enhet", k,
        )
        hidden += [("indikator", mid, why) for mid, why in reasons.items()]
    _count(loss, cells, hidden, lowest="enhet")
    return hidden


def _mapping(con: duckdb.DuckDBPyConnection, k: int, loss: Loss) -> list[tuple[str, int, str]]:
    cells = con.sql(
        "select runde, monster_id, niva, niva_id, case when rolle = 'alle' then 'alle' else 'rolle' end as gruppering, "
        "rolle as gruppe, n, n as respondenter from privat.int_kartlegging_monster order by monster_id"
    ).pl()
    combos = con.sql(
        "select distinct runde, kommunenummer || '/' || enhet_id as unit, kommunenummer, rolle "
        "from privat.int_kartlegging_indre"
    ).pl()
    members = con.sql(
        "select niva, niva_id, kommunenummer || '/' || enhet_id as unit from privat.int_kartlegging_omrade"
    ).pl()
    hidden: list[tuple[str, int, str]] = []
    combo_parts = combos.partition_by("runde", as_dict=True)
    for (runde,), part in cells.partition_by("runde", as_dict=True).items():
        units = combo_parts[(runde,)]
        reasons = _solve(
            part.select("monster_id", "niva", "niva_id", "gruppering", "gruppe", "n"),
            units, members, MAPPING_DIMENSIONS, None, k,
        )
        hidden += [("kartlegging", mid, why) for mid, why in reasons.items()]
    _count(loss, cells, hidden, lowest="kommune")
    return hidden


def _count(loss: Loss, cells: pl.DataFrame, hidden: list[tuple[str, int, str]], lowest: str) -> None:
    why = {mid: reason for _, mid, reason in hidden}
    loss.celler = cells.height
    loss.primaer = sum(1 for r in why.values() if r == "primær")
    loss.sekundaer = sum(1 for r in why.values() if r == "sekundær")
    totals = cells.filter((pl.col("niva") == "alle") & (pl.col("gruppering") == "alle"))
    loss.respondenter = int(totals["respondenter"].sum() or 0)
    bottom = cells.filter((pl.col("niva") == lowest) & (pl.col("gruppering") == "alle"))
    loss.respondenter_skjult = int(
        bottom.filter(pl.col("monster_id").is_in(list(why)))["respondenter"].sum() or 0
    )


def run(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Decide the pattern for every survey and mapping table; store it in privat.int_skjult.
    Returns the information loss, one line per kind of table, for the build's report."""
    k = config.min_svar()
    losses = {"undersøkelsen": Loss(), "kartleggingen": Loss()}
    started = time.perf_counter()
    hidden = _survey(con, k, losses["undersøkelsen"])
    losses["undersøkelsen"].sekunder = time.perf_counter() - started
    started = time.perf_counter()
    hidden += _mapping(con, k, losses["kartleggingen"])
    losses["kartleggingen"].sekunder = time.perf_counter() - started
    con.execute("create table privat.int_skjult (kilde varchar, monster_id bigint, grunn varchar)")
    if hidden:
        frame = pl.DataFrame(hidden, schema=["kilde", "monster_id", "grunn"], orient="row")
        con.register("skjult_ny", frame)
        con.execute("insert into privat.int_skjult select * from skjult_ny")
        con.unregister("skjult_ny")
    return [loss.line(label.capitalize()) for label, loss in losses.items() if loss.celler]

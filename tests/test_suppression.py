"""Disclosure control, tested the way an attacker would attack it.

Data sets are generated (Hypothesis) as demo-format Parquet files and built with `python -m etl
build`. The truth (who answered what, in which unit, grade band and gender) is kept here from
the generated rows, never read from the product. The attacker sees only what is published: the
public warehouse and `etl export … --niva alle`. For every hidden cell the audit (tests/audit.py)
checks by exact linear algebra that no combination of published cells gives its n (and so its
sums: the same 0/1 row gives n, Σx and Σx²). Generated data has small units, single-unit
municipalities, a single-municipality county (Oslo), a collaboration that crosses a county border
(Kongsbergregionen: Buskerud and Telemark), and overlapping collaborations, one of them limited
to a named school (Sør-Østerdal and Innbygda skole in Trysil).
"""

from __future__ import annotations

import io
import random
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pytest
from audit import derivable
from conftest import FYLKE_GEOJSON, KOMMUNE_GEOJSON, connect_ro, describe, etl_env, run_cli
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

# real 2024 codes: Kongsberg, Øvre Eiker, Nore og Uvdal (Kongsbergregionen, Buskerud), Notodden
# (Kongsbergregionen, Telemark), Drammen (Buskerud, no collaboration), Oslo (a county of one
# municipality), Trysil and Engerdal (Sør-Østerdal; Trysil's Innbygda skole is a collaboration)
MUNICIPALITIES = ("3303", "3314", "3338", "4005", "3301", "0301", "3421", "3425")
NAMED_SCHOOL = ("3421", "Innbygda skole")
ROUNDS = ("2022", "2023")
# respondent groups per unit type, and the items answered per indicator (a subset of the instrument;
# E5_TRIV_3, AS_PROF_4 and AB_INKL_3 are reverse-coded)
GROUPS = {
    "skole": {
        "elev_5_10": {"trivsel": ["E5_TRIV_1", "E5_TRIV_3"], "mobbing": ["E5_MOBB_1", "E5_MOBB_2"]},
        "ansatt_skole": {"profesjonsfellesskap": ["AS_PROF_1", "AS_PROF_4"], "mobbing": ["AS_MOBB_1"]},
    },
    "barnehage": {
        "ansatt_barnehage": {"inkludering": ["AB_INKL_1", "AB_INKL_3"], "samarbeid_hjem": ["AB_HJEM_1"]},
    },
}
ROLES = ("leder", "pedagog", "assistent")
AREAS = ("autisme", "klasseledelse")
TRINNBAND = {**{t: "1.–4. trinn" for t in range(1, 5)}, **{t: "5.–7. trinn" for t in range(5, 8)},
             **{t: "8.–10. trinn" for t in range(8, 11)}}
REASON = "skjult (personvern)"
INDICATOR_NUMBERS = ("antall_svar", "snitt", "snitt_standardavvik", "skaar", "standardavvik", "ki_lav",
                     "ki_hoy", "referanse")
MAPPING_NUMBERS = ("antall_svar", "kompetanse", "behov", "gap")


# --- generated data -----------------------------------------------------------------------------


@dataclass
class Dataset:
    k: int
    units: list[tuple[str, str, str, str]]  # (enhet_id, enhet_navn, enhetstype, kommunenummer)
    groups: dict[tuple[str, str, str], int]  # (runde, enhet_id, respondentgruppe) -> respondents
    mapping: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (runde, kommune, rolle)
    seed: int = 0
    missing: float = 0.1  # share of unanswered items, trinn and kjonn


@st.composite
def datasets(draw, k: int) -> Dataset:
    kommuner = draw(st.lists(st.sampled_from(MUNICIPALITIES), min_size=1, max_size=5, unique=True))
    rounds = draw(st.lists(st.sampled_from(ROUNDS), min_size=1, max_size=2, unique=True))
    # mostly small groups, some large: small units next to large ones is where leaks hide
    size = st.one_of(st.integers(1, 12), st.integers(1, 40))
    units, groups, mapping = [], {}, {}
    for kommune in sorted(kommuner):
        for i in range(draw(st.integers(1, 4))):
            kind = draw(st.sampled_from(("skole", "skole", "barnehage")))
            enhet = f"gen-{kommune}-{i}"
            name = NAMED_SCHOOL[1] if (kommune, kind, i) == (NAMED_SCHOOL[0], "skole", 0) else f"Generert {enhet}"
            units.append((enhet, name, kind, kommune))
            for runde in rounds:
                for group in GROUPS[kind]:
                    if draw(st.integers(0, 5)):  # now and then a group does not take part
                        groups[(runde, enhet, group)] = draw(size)
        for runde in rounds:
            for role in ROLES:
                if draw(st.booleans()):
                    mapping[(runde, kommune, role)] = draw(size)
    return Dataset(k, units, groups, mapping, draw(st.integers(0, 2**32 - 1)),
                   draw(st.sampled_from((0.0, 0.1, 0.3))))


@dataclass
class Truth:
    """Respondents as generated: what the product must protect."""

    answers: list[dict] = field(default_factory=list)  # per respondent: where, breakdowns, indicators
    people: list[dict] = field(default_factory=list)  # mapping respondents


def frames(data: Dataset) -> tuple[dict[str, pl.DataFrame], Truth]:
    rng = random.Random(data.seed)
    kinds = {u[0]: u[2] for u in data.units}
    answers, truth = [], Truth()
    for (runde, enhet, group), n in sorted(data.groups.items()):
        for i in range(n):
            rid = f"r{i:02d}"  # ids repeat across units and groups, as real exports do
            pupil = group == "elev_5_10"
            trinn = rng.randint(5, 10) if pupil and rng.random() >= data.missing else None
            kjonn = rng.choice(("gutt", "jente")) if pupil and rng.random() >= data.missing else None
            answered = set()
            for indicator, items in GROUPS[kinds[enhet]][group].items():
                for item in items:
                    svar = rng.randint(1, 5) if rng.random() >= data.missing else None
                    if svar is not None:
                        answered.add(indicator)
                    answers.append((runde, enhet, group, rid, item, svar, trinn, kjonn, True))
            if answered:
                truth.answers.append({"runde": runde, "enhet": enhet, "gruppe": group, "id": rid,
                                      "trinn": trinn, "kjonn": kjonn, "indikatorer": answered})
    mapping_rows = []
    for (runde, kommune, role), n in sorted(data.mapping.items()):
        here = [u[0] for u in data.units if u[3] == kommune]
        for i in range(n):
            rid = f"K-{kommune}-{runde}-{role}-{i:02d}"
            enhet = rng.choice([None, *here])
            areas = [a for a in AREAS if rng.random() >= data.missing / 2]
            for area in areas:
                mapping_rows.append((runde, kommune, enhet, role, rid, area, rng.randint(1, 5), rng.randint(1, 5), True))
            if areas:
                truth.people.append({"runde": runde, "kommune": kommune, "enhet": enhet or "",
                                     "rolle": role, "omrader": set(areas)})
    units = pl.DataFrame(
        [(e, name, t, k, k, None, None, True) for e, name, t, k in data.units],
        schema={"enhet_id": pl.String, "enhet_navn": pl.String, "enhetstype": pl.String,
                "kommunenummer": pl.String, "kommunenummer_kilde": pl.String, "eierform": pl.String,
                "organisasjonsnummer": pl.String, "syntetisk": pl.Boolean},
        orient="row",
    )
    answer_frame = pl.DataFrame(
        answers,
        schema={"runde": pl.String, "enhet_id": pl.String, "respondentgruppe": pl.String,
                "respondent_id": pl.String, "sporsmal_id": pl.String, "svar": pl.Int16,
                "trinn": pl.Int8, "kjonn": pl.String, "syntetisk": pl.Boolean},
        orient="row",
    )
    mapping_frame = pl.DataFrame(
        mapping_rows,
        schema={"runde": pl.String, "kommunenummer": pl.String, "enhet_id": pl.String,
                "rolle": pl.String, "respondent_id": pl.String, "omrade": pl.String,
                "kompetanse": pl.Int8, "behov": pl.Int8, "syntetisk": pl.Boolean},
        orient="row",
    )
    return {"units": units, "answers": answer_frame, "mapping": mapping_frame}, truth


# --- building -----------------------------------------------------------------------------------


@dataclass
class Built:
    warehouse: Path
    exports: dict[str, pl.DataFrame]
    k: int


def build(data: Dataset, root: Path, geo: Path) -> tuple[Built, Truth]:
    demo = root / "demo"
    demo.mkdir(parents=True)
    parts, truth = frames(data)
    for kind, frame in parts.items():
        if frame.height:
            frame.write_parquet(demo / f"{kind}.parquet")
    env = etl_env(
        root / "warehouse.duckdb", root / "cache", KL_DEMO_DIR=str(demo), KL_IMPORT_DIR=str(root / "imports"),
        KL_GEOJSON=str(geo / KOMMUNE_GEOJSON), KL_FYLKE_GEOJSON=str(geo / FYLKE_GEOJSON), KL_MIN_SVAR=str(data.k),
    )
    proc = run_cli(["build", "--quiet"], env=env)
    assert proc.returncode == 0, f"build failed for {data}\n{describe(proc)}"
    exports = {}
    for name in ("indicators", "mapping"):
        proc = run_cli(["export", name, "--niva", "alle"], env=env)
        assert proc.returncode == 0, describe(proc)
        exports[name] = pl.read_csv(io.StringIO(proc.stdout), infer_schema_length=0)
    return Built(root / "warehouse.duckdb", exports, data.k), truth


# --- what the attacker knows: areas and their members (configuration, public) ----------------------


@dataclass
class Areas:
    """Public facts: each collaboration's municipalities, unit types and named units."""

    collaborations: dict[str, tuple[set[str], set[str], set[str] | None]]  # id -> (kommuner, typer, navngitte)
    fylke: dict[str, str]  # kommunenummer -> fylkesnummer

    def of_unit(self, kommune: str, kind: str, name: str) -> list[tuple[str, str]]:
        levels = [("kommune", kommune), ("fylke", self.fylke[kommune]), ("alle", "alle")]
        for pid, (kommuner, types, named) in self.collaborations.items():
            if kommune in kommuner and (not types or kind in types) and (named is None or name.lower() in named):
                levels.append(("partnerskap", pid))
        return levels

    def of_staff(self, kommune: str, unit_name: str | None) -> list[tuple[str, str]]:
        levels = [("kommune", kommune), ("fylke", self.fylke[kommune]), ("alle", "alle")]
        for pid, (kommuner, _, named) in self.collaborations.items():
            if kommune in kommuner and (named is None or (unit_name or "").lower() in named):
                levels.append(("partnerskap", pid))
        return levels


def public_areas(con) -> Areas:
    named: dict[str, set[str]] = defaultdict(set)
    for pid, name in con.execute("select partnerskap_id, enhet_navn from stg_partnerskap_enhet").fetchall():
        named[pid].add(name.lower())
    out = {}
    for pid, omfang, types, kommuner in con.execute(
        "select partnerskap_id, omfang, enhetstyper, kommunenumre from mart_partnerskap"
    ).fetchall():
        out[pid] = (set(kommuner or []), set(types or []), named[pid] if omfang == "enhet" else None)
    return Areas(out, dict(con.execute("select kommunenummer, fylkesnummer from stg_kommune").fetchall()))


# --- the true cells ------------------------------------------------------------------------------


def survey_cells(data: Dataset, truth: Truth, areas: Areas) -> dict[tuple, dict]:
    """(runde, enhetstype, gruppe) -> {cell: set of inner cells}, and the per-indicator counts.
    A cell is (niva, niva_id, gruppering, gruppe); an inner cell is (enhet, trinnband, kjonn)."""
    where = {e: (name, kind, k) for e, name, kind, k in data.units}
    systems: dict[tuple, dict] = defaultdict(lambda: {"cells": defaultdict(set), "n": defaultdict(int),
                                                       "respondents": defaultdict(int), "indicators": set()})
    for r in truth.answers:
        name, kind, kommune = where[r["enhet"]]
        system = systems[(r["runde"], kind, r["gruppe"])]
        band = TRINNBAND[r["trinn"]] if r["trinn"] is not None else None
        inner = (r["enhet"], band, r["kjonn"])
        breakdowns = [("alle", "alle")]
        if band is not None:
            breakdowns.append(("trinn", band))
        if r["kjonn"] is not None:
            breakdowns.append(("kjonn", r["kjonn"]))
        system["indicators"] |= r["indikatorer"]
        for level in [("enhet", r["enhet"]), *areas.of_unit(kommune, kind, name)]:
            for breakdown in breakdowns:
                cell = (*level, *breakdown)
                system["cells"][cell].add(inner)
                system["respondents"][cell] += 1
                for indicator in r["indikatorer"]:
                    system["n"][(cell, indicator)] += 1
    return systems


def mapping_cells(truth: Truth, areas: Areas, unit_names: dict[str, str]) -> dict[str, dict]:
    """runde -> {cell: inner cells} and per-area counts; a cell is (niva, niva_id, rolle)."""
    systems: dict[str, dict] = defaultdict(lambda: {"cells": defaultdict(set), "n": defaultdict(int), "areas": set()})
    for p in truth.people:
        system = systems[p["runde"]]
        inner = (p["kommune"], p["enhet"], p["rolle"])
        system["areas"] |= p["omrader"]
        for level in areas.of_staff(p["kommune"], unit_names.get(p["enhet"])):
            for rolle in (p["rolle"], "alle"):
                cell = (*level, rolle)
                system["cells"][cell].add(inner)
                for area in p["omrader"]:
                    system["n"][(cell, area)] += 1
    return systems


# --- the checks --------------------------------------------------------------------------------


def check_survey(rows: pl.DataFrame, systems: dict, k: int) -> list[str]:
    problems = []
    published = {}
    by_system = rows.partition_by("runde", "enhetstype", "respondentgruppe", as_dict=True)
    if set(by_system) != set(systems):
        problems.append(f"tables differ: published {sorted(by_system)}, generated {sorted(systems)}")
    for key, system in systems.items():
        part = by_system.get(key)
        if part is None:
            continue
        shown = set()
        for cell, group in part.group_by("niva", "niva_id", "gruppering", "gruppe"):
            if cell not in system["cells"]:
                problems.append(f"{key} {cell}: published but no such group in the data")
                continue
            if set(group["indikator"]) != system["indicators"]:
                problems.append(f"{key} {cell}: rows for {sorted(group['indikator'])}, expected every "
                                f"indicator of the round {sorted(system['indicators'])}")
            hidden = set(group["undertrykt"])
            if len(hidden) != 1:
                problems.append(f"{key} {cell}: hidden for some indicators, shown for others")
                continue
            if hidden == {True}:
                if any(group[c].is_not_null().any() for c in INDICATOR_NUMBERS):
                    problems.append(f"{key} {cell}: hidden but shows numbers")
                if set(group["undertrykt_grunn"]) != {REASON}:
                    problems.append(f"{key} {cell}: reason {set(group['undertrykt_grunn'])}")
                continue
            shown.add(cell)
            for row in group.iter_rows(named=True):
                true_n = system["n"].get((cell, row["indikator"]), 0)
                if row["antall_svar"] != true_n:
                    problems.append(f"{key} {cell} {row['indikator']}: n={row['antall_svar']}, counted {true_n}")
                if 0 < true_n < k:
                    problems.append(f"{key} {cell} {row['indikator']}: {true_n} answers but shown (K={k})")
        missing = set(system["cells"]) - {c for c, _ in part.group_by("niva", "niva_id", "gruppering", "gruppe")}
        problems += [f"{key} {cell}: in the data but has no row" for cell in sorted(missing)[:5]]
        published[key] = shown
        leaks = derivable(system["cells"], shown)
        problems += [
            f"{key} {cell}: hidden, but its n={system['respondents'][cell]} (and sums) follow from published cells"
            for cell in leaks
        ]
    return problems


def check_mapping(rows: pl.DataFrame, systems: dict, k: int) -> list[str]:
    problems = []
    for (runde,), part in rows.partition_by("runde", as_dict=True).items():
        system = systems.get(runde)
        if system is None:
            problems.append(f"mapping {runde}: published but not in the data")
            continue
        shown = set()
        for cell, group in part.group_by("niva", "niva_id", "rolle"):
            if set(group["omrade"]) != system["areas"]:
                problems.append(f"mapping {runde} {cell}: rows for {sorted(group['omrade'])}")
            hidden = set(group["undertrykt"])
            if len(hidden) != 1:
                problems.append(f"mapping {runde} {cell}: hidden for some areas, shown for others")
                continue
            if hidden == {True}:
                if any(group[c].is_not_null().any() for c in MAPPING_NUMBERS):
                    problems.append(f"mapping {runde} {cell}: hidden but shows numbers")
                continue
            shown.add(cell)
            for row in group.iter_rows(named=True):
                true_n = system["n"].get((cell, row["omrade"]), 0)
                if row["antall_svar"] != true_n or 0 < true_n < k:
                    problems.append(f"mapping {runde} {cell} {row['omrade']}: n={row['antall_svar']}, counted {true_n}")
        leaks = derivable(system["cells"], shown)
        problems += [f"mapping {runde} {cell}: hidden but derivable from published cells" for cell in leaks]
    return problems


def check_participation(rows: pl.DataFrame, survey: pl.DataFrame, systems: dict) -> list[str]:
    """Respondent counts are shown exactly where the cell's results are, and are right."""
    problems = []
    visible = {
        (r["runde"], r["enhetstype"], r["respondentgruppe"], r["niva"], r["niva_id"])
        for r in survey.filter((pl.col("gruppering") == "alle") & ~pl.col("undertrykt")).iter_rows(named=True)
    }
    for r in rows.iter_rows(named=True):
        key = (r["runde"], r["enhetstype"], r["respondentgruppe"], r["niva"], r["niva_id"])
        system = systems[key[:3]]
        true = system["respondents"].get((r["niva"], r["niva_id"], "alle", "alle"))
        if (r["antall_respondenter"] is not None) != (key in visible):
            problems.append(f"participation {key}: shown={r['antall_respondenter']}, cell visible={key in visible}")
        elif r["antall_respondenter"] is not None and r["antall_respondenter"] != true:
            problems.append(f"participation {key}: {r['antall_respondenter']}, counted {true}")
    return problems


def check_exports(built: Built, indikator: pl.DataFrame, kartlegging: pl.DataFrame) -> list[str]:
    """The exports publish exactly the marts' cells, numbers and empties included."""
    problems = []
    for name, mart, key in (
        ("indicators", indikator, ["niva", "niva_id", "runde", "enhetstype", "respondentgruppe", "indikator", "gruppering", "gruppe"]),
        ("mapping", kartlegging, ["niva", "niva_id", "runde", "rolle", "omrade"]),
    ):
        export = built.exports[name]
        if export.height != mart.height:
            problems.append(f"export {name}: {export.height} rows, the mart has {mart.height}")
        shown = export.filter(pl.col("antall_svar") != "")
        if shown.height and shown["antall_svar"].cast(pl.Int64).min() < built.k:
            problems.append(f"export {name}: a count below K")
        hidden = export.filter(pl.col("undertrykt") == "true")
        numbers = [c for c in ("antall_svar", "snitt", "skaar", "standardavvik", "ki_lav", "kompetanse", "behov")
                   if c in export.columns]
        if any((hidden[c].fill_null("") != "").any() for c in numbers):
            problems.append(f"export {name}: a hidden row shows a number")
        published = set(mart.filter(~pl.col("undertrykt")).select(key).iter_rows())
        exported = set(export.filter(pl.col("undertrykt") == "false").select(key).iter_rows())
        if published != exported:
            problems.append(f"export {name}: publishes other cells than the mart")
    return problems


def verify(built: Built, data: Dataset, truth: Truth) -> None:
    with connect_ro(built.warehouse) as con:
        areas = public_areas(con)
        indikator = con.sql("select * from mart_indikator").pl()
        kartlegging = con.sql("select * from mart_kartlegging").pl()
        deltakelse = con.sql("select * from mart_deltakelse").pl()
        schemas = {r[0] for r in con.execute("select schema_name from duckdb_schemas()").fetchall()}
        reasons = set(con.sql(
            "select undertrykt_grunn from mart_indikator union select undertrykt_grunn from mart_kartlegging"
        ).pl()["undertrykt_grunn"].drop_nulls())
        # a change shows nothing its two cells do not already show
        changes = con.sql(
            "select e.* from mart_indikator_endring e "
            "join mart_indikator f on (f.niva, f.niva_id, f.enhetstype, f.respondentgruppe, f.indikator, "
            "  f.gruppering, f.gruppe, f.runde) = (e.niva, e.niva_id, e.enhetstype, e.respondentgruppe, "
            "  e.indikator, e.gruppering, e.gruppe, e.fra_runde) "
            "join mart_indikator t on (t.niva, t.niva_id, t.enhetstype, t.respondentgruppe, t.indikator, "
            "  t.gruppering, t.gruppe, t.runde) = (e.niva, e.niva_id, e.enhetstype, e.respondentgruppe, "
            "  e.indikator, e.gruppering, e.gruppe, e.til_runde) "
            "where (e.undertrykt and (e.endring is not null or e.usikkerhet is not null "
            "       or e.tydelig_endring is not null)) "
            "   or e.undertrykt is distinct from (f.undertrykt or t.undertrykt) "
            "   or e.fra_skaar is distinct from f.skaar or e.til_skaar is distinct from t.skaar"
        ).pl()
    names = {e: name for e, name, _, _ in data.units}
    systems = survey_cells(data, truth, areas)
    problems = [] if "privat" not in schemas else ["the public warehouse holds the schema privat"]
    problems += [] if reasons <= {REASON} else [f"more than one reason text: {reasons}"]
    problems += check_survey(indikator, systems, data.k)
    problems += check_mapping(kartlegging, mapping_cells(truth, areas, names), data.k)
    problems += check_participation(deltakelse, indikator, systems)
    problems += check_exports(built, indikator, kartlegging)
    problems += [f"mart_indikator_endring: shows more than its cells: {r}" for r in changes.rows()]
    assert not problems, f"{len(problems)} problem(s) for {data}:\n" + "\n".join(problems[:25])


# --- the property ------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [10, 5], ids=["K=10", "KL_MIN_SVAR=5"])
@settings(
    max_examples=8,
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.generate),  # every example is a build: report, do not shrink
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_no_hidden_cell_can_be_derived_from_what_is_published(k: int, data, tmp_path_factory, geo_dir: Path):
    dataset = data.draw(datasets(k))
    root = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp(), prefix="supp-"))
    built, truth = build(dataset, root, geo_dir)
    verify(built, dataset, truth)


# --- deterministic examples --------------------------------------------------------------------


def complete(data: Dataset) -> Dataset:
    data.missing = 0.0
    return data


def rows(warehouse: Path, niva: str, indikator: str = "trivsel") -> dict[str, dict]:
    with connect_ro(warehouse) as con:
        frame = con.sql(
            "select * from mart_indikator where niva = ? and indikator = ? and gruppering = 'alle'",
            params=[niva, indikator],
        ).pl()
    return {row["niva_id"]: row for row in frame.iter_rows(named=True)}


def schools(sizes: dict[tuple[str, str], int]) -> Dataset:
    return complete(Dataset(
        k=10,
        units=[(e, f"Generert {e}", "skole", k) for e, k in sizes],
        groups={("2023", e, "elev_5_10"): n for (e, _), n in sizes.items()},
    ))


def test_one_small_unit_among_large_siblings_hides_the_smallest_sibling(tmp_path: Path, geo_dir: Path):
    sizes = {("gen-3303-0", "3303"): 4, ("gen-3303-1", "3303"): 25, ("gen-3303-2", "3303"): 30,
             ("gen-3303-3", "3303"): 40}
    built, truth = build(schools(sizes), tmp_path, geo_dir)
    units = rows(built.warehouse, "enhet")
    assert units["gen-3303-0"]["undertrykt"] and units["gen-3303-0"]["undertrykt_grunn"] == REASON
    assert units["gen-3303-1"]["undertrykt"], "the smallest large sibling is hidden too"
    assert units["gen-3303-1"]["antall_svar"] is None and units["gen-3303-1"]["skaar"] is None
    for enhet in ("gen-3303-2", "gen-3303-3"):
        assert not units[enhet]["undertrykt"]
    kommune = rows(built.warehouse, "kommune")["3303"]
    assert not kommune["undertrykt"] and kommune["antall_svar"] == 99
    verify(built, schools(sizes), truth)


def test_a_municipality_with_one_visible_unit_is_not_a_copy_of_it(tmp_path: Path, geo_dir: Path):
    """Nore og Uvdal with one school: the municipality's cell is the school's cell. Whatever is
    hidden, nothing hidden may be the same sum as something shown (the auditor's first finding)."""
    sizes = {("gen-3338-0", "3338"): 14, ("gen-3303-0", "3303"): 30, ("gen-3303-1", "3303"): 6,
             ("gen-3314-0", "3314"): 22}
    built, truth = build(schools(sizes), tmp_path, geo_dir)
    verify(built, schools(sizes), truth)
    units, kommuner = rows(built.warehouse, "enhet"), rows(built.warehouse, "kommune")
    assert units["gen-3338-0"]["undertrykt"] == kommuner["3338"]["undertrykt"]


def test_a_chain_through_the_county_does_not_reveal_a_small_municipality(tmp_path: Path, geo_dir: Path):
    """Drammen (no collaboration) has 4 pupils; Buskerud minus Kongsbergregionen's Buskerud part
    would be Drammen. The county, the region (which reaches into Telemark) and the municipalities
    must not together give Drammen's numbers."""
    sizes = {("gen-3303-0", "3303"): 40, ("gen-3314-0", "3314"): 30, ("gen-3301-0", "3301"): 4,
             ("gen-4005-0", "4005"): 25}
    data = schools(sizes)
    built, truth = build(data, tmp_path, geo_dir)
    verify(built, data, truth)
    assert rows(built.warehouse, "kommune")["3301"]["undertrykt"]


def test_a_collaboration_of_one_named_school_is_protected_like_the_school(tmp_path: Path, geo_dir: Path):
    """Innbygda skole is a collaboration by itself, inside Sør-Østerdal and Trysil."""
    sizes = {("gen-3421-0", "3421"): 7, ("gen-3421-1", "3421"): 35, ("gen-3425-0", "3425"): 20}
    data = schools(sizes)
    data.units[0] = ("gen-3421-0", NAMED_SCHOOL[1], "skole", "3421")
    built, truth = build(data, tmp_path, geo_dir)
    verify(built, data, truth)
    innbygda = rows(built.warehouse, "partnerskap")["innbygda-skole-skoleutvikling"]
    assert innbygda["undertrykt"] and rows(built.warehouse, "enhet")["gen-3421-0"]["undertrykt"]

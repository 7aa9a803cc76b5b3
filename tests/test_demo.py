"""`python -m etl demo`: deterministic, clearly marked synthetic data that follows the contract
of docs/survey-data.md, placed only where the sources put collaborations.

The CLI runs as a subprocess with KL_WAREHOUSE, KL_DEMO_DIR, KL_IMPORT_DIR and KL_CACHE_DIR in
pytest's tmp folders and a small --scale. The runs are made once per session (shared between the
xdist workers through a file lock) and only read afterwards.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import polars as pl
import pytest
from conftest import (
    FYLKE_GEOJSON,
    KOMMUNE_GEOJSON,
    PROJECT_ROOT,
    connect_ro,
    etl_env,
    run_cli,
    shared_once,
)

SCALE = "0.1"
SEED = "7"
KINDS = ("units", "answers", "mapping")
RUNDE = re.compile(r"^\d{4}(-(høst|vår))?$")
EXPORT_INDICATOR_COLUMNS = (
    "runde", "enhet_id", "enhet_navn", "enhetstype", "kommunenummer", "respondentgruppe",
    "indikator", "antall_svar", "snitt", "skaar",
)
# The contract's frames (docs/survey-data.md) as Polars reads the Parquet files.
CONTRACT = {
    "units": {
        "enhet_id": pl.String, "enhet_navn": pl.String, "enhetstype": pl.String,
        "kommunenummer": pl.String, "kommunenummer_kilde": pl.String, "eierform": pl.String,
        "organisasjonsnummer": pl.String, "syntetisk": pl.Boolean,
    },
    "answers": {
        "runde": pl.String, "enhet_id": pl.String, "respondentgruppe": pl.String,
        "respondent_id": pl.String, "sporsmal_id": pl.String, "svar": pl.Int16, "trinn": pl.Int8,
        "kjonn": pl.String, "syntetisk": pl.Boolean,
    },
    "mapping": {
        "runde": pl.String, "kommunenummer": pl.String, "enhet_id": pl.String, "rolle": pl.String,
        "respondent_id": pl.String, "omrade": pl.String, "kompetanse": pl.Int8, "behov": pl.Int8,
        "syntetisk": pl.Boolean,
    },
}
# Gjøvikregionen: the source states 6 municipalities but names none. These are the region's
# municipalities by common knowledge; no demo unit may be placed in any of them.
GJOVIKREGIONEN = "gjovikregionen-kompetanseloftet"
GJOVIK_AREA = {"3407", "3442", "3443", "3447", "3448"}


def env_in(root: Path, geo: Path) -> dict[str, str]:
    return etl_env(
        root / "warehouse.duckdb",
        root / "cache",
        KL_DEMO_DIR=str(root / "demo"),
        KL_IMPORT_DIR=str(root / "imports"),
        KL_GEOJSON=str(geo / KOMMUNE_GEOJSON),
        KL_FYLKE_GEOJSON=str(geo / FYLKE_GEOJSON),
    )


def read(folder: Path, kind: str) -> pl.DataFrame:
    return pl.read_parquet(folder / f"{kind}.parquet")


def log_of(root: Path) -> dict:
    return json.loads((root / "log.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def no_build_runs(tmp_path_factory, geo_dir: Path) -> Path:
    """`demo --no-build` with seed 7 into out/a and out/b, and with seed 8 into out/c."""

    def make(root: Path) -> None:
        log = {}
        for name, seed in (("a", SEED), ("b", SEED), ("c", "8")):
            proc = run_cli(
                ["demo", "--scale", SCALE, "--seed", seed, "--out", str(root / "out" / name), "--no-build"],
                env=env_in(root, geo_dir),
            )
            log[name] = {"rc": proc.returncode, "out": proc.stdout + proc.stderr}
        (root / "log.json").write_text(json.dumps(log), encoding="utf-8")

    return shared_once(tmp_path_factory, "demo-no-build", make)


@pytest.fixture(scope="session")
def built(tmp_path_factory, geo_dir: Path) -> Path:
    """`demo --scale 0.1 --seed 7` with its build, then `export indicators` and `export mapping`."""

    def make(root: Path) -> None:
        env = env_in(root, geo_dir)
        log = {}
        proc = run_cli(["demo", "--scale", SCALE, "--seed", SEED], env=env)
        log["demo"] = {"rc": proc.returncode, "out": proc.stdout + proc.stderr}
        for name in ("indicators", "mapping"):
            proc = run_cli(["export", name, "--out", str(root / f"{name}.csv")], env=env)
            log[name] = {"rc": proc.returncode, "out": proc.stdout + proc.stderr}
            proc = run_cli(["export", name, "--niva", "alle", "--out", str(root / f"{name}-alle.csv")], env=env)
            log[f"{name}-alle"] = {"rc": proc.returncode, "out": proc.stdout + proc.stderr}
        (root / "log.json").write_text(json.dumps(log), encoding="utf-8")

    root = shared_once(tmp_path_factory, "demo-built", make)
    demo = log_of(root)["demo"]
    assert demo["rc"] == 0, f"`demo` with build failed:\n{demo['out']}"
    return root


def query(root: Path, sql: str) -> pl.DataFrame:
    with connect_ro(root / "warehouse.duckdb") as con:
        return con.sql(sql).pl()


# --- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_identical_data(no_build_runs: Path):
    log = log_of(no_build_runs)
    for name in ("a", "b"):
        assert log[name]["rc"] == 0, log[name]["out"]
        assert "Demodata skrevet til" in log[name]["out"], log[name]["out"]
    for kind in KINDS:
        a, b = read(no_build_runs / "out" / "a", kind), read(no_build_runs / "out" / "b", kind)
        assert a.height > 0, f"{kind}.parquet is empty"
        assert a.equals(b), f"{kind}.parquet differs between two runs with the same seed"


def test_another_seed_gives_other_data(no_build_runs: Path):
    assert log_of(no_build_runs)["c"]["rc"] == 0
    for kind in ("answers", "mapping"):
        a, c = read(no_build_runs / "out" / "a", kind), read(no_build_runs / "out" / "c", kind)
        assert not a.equals(c), f"{kind}.parquet is the same with seed 7 and seed 8"


def test_no_build_writes_only_the_out_folder(no_build_runs: Path):
    assert not (no_build_runs / "warehouse.duckdb").exists(), "--no-build built a warehouse"
    assert not (no_build_runs / "warehouse.duckdb.builds").exists()
    assert not (no_build_runs / "demo").exists(), "--out was given, but KL_DEMO_DIR was written"
    for name in ("a", "b", "c"):
        files = sorted(p.name for p in (no_build_runs / "out" / name).iterdir())
        assert files == ["answers.parquet", "mapping.parquet", "units.parquet"], files


# --- the contract -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_files_have_the_contract_columns_and_types(no_build_runs: Path, kind: str):
    frame = read(no_build_runs / "out" / "a", kind)
    assert dict(frame.schema) == CONTRACT[kind]
    assert frame["syntetisk"].null_count() == 0 and frame["syntetisk"].all(), (
        f"{kind}: every demo row must say syntetisk = true"
    )


def test_units_values_follow_the_contract(no_build_runs: Path, built: Path):
    units = read(no_build_runs / "out" / "a", "units")
    kommuner = set(query(built, "select kommunenummer from stg_kommune")["kommunenummer"])
    assert units["enhet_id"].is_unique().all()
    assert set(units["enhetstype"]) == {"barnehage", "skole", "sfo", "ppt"}
    assert set(units["kommunenummer"]) <= kommuner
    assert (units["kommunenummer"] == units["kommunenummer_kilde"]).all()
    assert set(units["eierform"].drop_nulls()) <= {"kommunal", "privat"}
    assert units["organisasjonsnummer"].drop_nulls().str.contains(r"^\d{9}$").all()
    assert units["enhet_navn"].null_count() == 0


def test_answers_values_follow_the_contract(no_build_runs: Path, built: Path):
    answers = read(no_build_runs / "out" / "a", "answers")
    units = read(no_build_runs / "out" / "a", "units").select("enhet_id", "enhetstype")
    groups = query(built, "select * from stg_respondentgruppe")
    items = query(built, "select sporsmal_id, respondentgruppe as item_group from stg_sporsmal")
    assert answers["runde"].str.contains(RUNDE.pattern).all(), answers["runde"].unique().to_list()
    assert {"2022", "2022-høst"} <= set(answers["runde"]), "both forms of `runde` occur in the demo"
    assert set(answers["enhet_id"]) <= set(units["enhet_id"])
    assert set(answers["kjonn"].drop_nulls()) == {"gutt", "jente"}
    assert answers.select("runde", "enhet_id", "respondent_id", "sporsmal_id").is_duplicated().sum() == 0
    joined = (
        answers.join(items, on="sporsmal_id", how="left")
        .join(groups, on="respondentgruppe", how="left")
        .join(units, on="enhet_id", how="left")
    )
    assert joined["item_group"].null_count() == 0, "an item not in the instrument"
    assert (joined["item_group"] == joined["respondentgruppe"]).all(), "an item of another group"
    svar = joined.filter(pl.col("svar").is_not_null())
    assert svar["svar"].is_between(svar["skala_min"], svar["skala_max"]).all(), "svar off the scale"
    graded = joined.filter(pl.col("trinn_fra").is_not_null())
    assert graded["trinn"].null_count() == 0
    assert graded["trinn"].is_between(graded["trinn_fra"], graded["trinn_til"]).all()
    ungraded = joined.filter(pl.col("trinn_fra").is_null())
    assert ungraded["trinn"].null_count() == ungraded.height
    assert ungraded["kjonn"].null_count() == ungraded.height
    assert joined.select(pl.col("enhetstyper").list.contains(pl.col("enhetstype"))).to_series().all()
    per_respondent = answers.group_by("runde", "enhet_id", "respondent_id").agg(
        pl.col("respondentgruppe", "trinn", "kjonn").n_unique()
    )
    assert (per_respondent.select(pl.exclude("runde", "enhet_id", "respondent_id")) == 1).to_numpy().all()
    missing = answers["svar"].null_count() / answers.height
    assert 0 < missing < 0.1, f"share of unanswered items {missing:.3f}"


def test_mapping_values_follow_the_contract(no_build_runs: Path, built: Path):
    mapping = read(no_build_runs / "out" / "a", "mapping")
    units = read(no_build_runs / "out" / "a", "units").select("enhet_id", pl.col("kommunenummer").alias("k"))
    roles = set(query(built, "select rolle from stg_rolle")["rolle"])
    areas = set(query(built, "select omrade from stg_omrade")["omrade"])
    assert mapping["runde"].str.contains(RUNDE.pattern).all()
    assert set(mapping["rolle"]) <= roles and set(mapping["omrade"]) == areas
    assert mapping["kompetanse"].is_between(1, 5).all() and mapping["behov"].is_between(1, 5).all()
    assert mapping.select("runde", "respondent_id", "omrade").is_duplicated().sum() == 0
    with_unit = mapping.filter(pl.col("enhet_id").is_not_null()).join(units, on="enhet_id", how="left")
    assert with_unit["k"].null_count() == 0, "mapping names an unknown unit"
    assert (with_unit["k"] == with_unit["kommunenummer"]).all(), "a unit outside its municipality"
    per_respondent = mapping.group_by("runde", "respondent_id").agg(
        pl.col("kommunenummer", "enhet_id", "rolle").n_unique()
    )
    assert (per_respondent.select("kommunenummer", "enhet_id", "rolle") == 1).to_numpy().all()


# --- where the units are ----------------------------------------------------------------------


def test_every_unit_is_obviously_synthetic(no_build_runs: Path, built: Path):
    units = read(no_build_runs / "out" / "a", "units")
    assert units["syntetisk"].all()
    assert units["enhet_navn"].str.starts_with("Demo").all(), units.filter(
        ~pl.col("enhet_navn").str.starts_with("Demo")
    )
    assert units["enhet_id"].str.starts_with("demo-").all()
    in_warehouse = query(built, "select * from mart_enhet")
    assert in_warehouse.height == units.height
    assert in_warehouse["syntetisk"].all()


def test_units_only_in_municipalities_of_collaborations_with_a_period(no_build_runs: Path, built: Path):
    units = read(no_build_runs / "out" / "a", "units")
    allowed = set(
        query(built, "select kommunenummer from mart_partnerskap_kommune where start_ar is not null")[
            "kommunenummer"
        ]
    )
    without_period = set(
        query(
            built,
            "select kommunenummer from mart_partnerskap_kommune group by 1 "
            "having bool_and(start_ar is null)",
        )["kommunenummer"]
    )
    assert allowed and without_period, "the sources have collaborations with and without a period"
    placed = set(units["kommunenummer"])
    assert placed <= allowed, f"units outside collaborations with a period: {sorted(placed - allowed)}"
    assert not placed & without_period


def test_eidsvoll_has_the_19_kindergartens_the_source_states(no_build_runs: Path, built: Path):
    units = read(no_build_runs / "out" / "a", "units")
    eidsvoll = units.filter((pl.col("kommunenummer") == "3240") & (pl.col("enhetstype") == "barnehage"))
    assert eidsvoll.height == 19
    mart = query(built, "select count(*) from mart_enhet where kommunenummer = '3240' and enhetstype = 'barnehage'")
    assert mart.item() == 19


def test_gjovikregionen_gets_no_units(no_build_runs: Path, built: Path):
    members = query(
        built, f"select * from mart_partnerskap_kommune where partnerskap_id = '{GJOVIKREGIONEN}'"
    )
    assert members.height == 0, "Gjøvikregionen names no municipalities in the source"
    units = read(no_build_runs / "out" / "a", "units")
    assert not set(units["kommunenummer"]) & GJOVIK_AREA
    counts = units.group_by("kommunenummer", "enhetstype").len()
    stated = counts.filter(
        ((pl.col("enhetstype") == "barnehage") & (pl.col("len") == 73))
        | ((pl.col("enhetstype") == "skole") & (pl.col("len") == 44))
    )
    assert stated.height == 0, f"Gjøvikregionen's stated counts were placed somewhere: {stated}"
    cells = query(built, f"select count(*) from mart_indikator where niva_id = '{GJOVIKREGIONEN}'")
    assert cells.item() == 0


# --- after `demo` with its build: the exports -------------------------------------------------


def read_export(root: Path, name: str) -> pl.DataFrame:
    run = log_of(root)[name]
    assert run["rc"] == 0, f"export {name} failed:\n{run['out']}"
    data = (root / f"{name}.csv").read_bytes()
    return pl.read_csv(io.BytesIO(data), infer_schema_length=0)


def test_demo_builds_the_warehouse(built: Path):
    assert "Lageret er bygget" in log_of(built)["demo"]["out"]
    assert (built / "demo" / "answers.parquet").is_file(), "demo writes to KL_DEMO_DIR by default"
    marts = query(built, "select undertrykt, count(*) as n from mart_indikator group by 1")
    counts = dict(marts.iter_rows())
    assert counts.get(False, 0) > 0 and counts.get(True, 0) > 0, counts


def test_the_demo_build_is_the_seeded_data(no_build_runs: Path, built: Path):
    """`demo` with a build writes the same files as `--no-build` with the same seed and scale."""
    for kind in KINDS:
        assert read(built / "demo", kind).equals(read(no_build_runs / "out" / "a", kind)), kind


def test_export_indicators_has_the_required_columns_and_is_synthetic(built: Path):
    frame = read_export(built, "indicators")
    missing = [c for c in (*EXPORT_INDICATOR_COLUMNS, "syntetisk") if c not in frame.columns]
    assert not missing, f"export indicators lacks {missing}: {frame.columns}"
    assert frame.height > 0
    assert set(frame["syntetisk"]) == {"true"}, frame["syntetisk"].value_counts()
    units = set(query(built, "select enhet_id from mart_enhet")["enhet_id"])
    assert set(frame["enhet_id"]) <= units
    # small demo groups are suppressed in the export too: no count below K, no number shown
    shown = frame.filter(pl.col("antall_svar").is_not_null())
    assert shown["antall_svar"].cast(pl.Int64).min() >= 10
    hidden = frame.filter(pl.col("undertrykt") == "true")
    assert hidden.height > 0
    assert hidden.select(pl.col("antall_svar", "snitt", "skaar").null_count()).row(0) == (hidden.height,) * 3


def test_export_mapping_works(built: Path):
    frame = read_export(built, "mapping")
    for column in ("niva", "niva_id", "runde", "rolle", "omrade", "antall_svar", "kompetanse", "behov", "syntetisk"):
        assert column in frame.columns, frame.columns
    assert frame.height > 0
    assert set(frame["syntetisk"]) == {"true"}
    assert {"kommune", "fylke", "alle"} <= set(frame["niva"])


# --- disclosure control on the whole demo build -------------------------------------------------


def test_the_demo_build_passes_the_attackers_audit(built: Path):
    """Every hidden cell of the demo build (survey and mapping) is checked by exact linear algebra
    against everything published, with the truth counted from the demo's own Parquet files."""
    import yaml
    from test_suppression import Built, Dataset, Truth, verify

    items = yaml.safe_load((PROJECT_ROOT / "data" / "instruments" / "sepu_undersokelse.yaml").read_text("utf-8"))
    indicator = {q["id"]: q["indikator"] for q in items["sporsmal"]}
    units = read(built / "demo", "units")
    answers = read(built / "demo", "answers").filter(pl.col("svar").is_not_null())
    respondents = (
        answers.with_columns(pl.col("sporsmal_id").replace_strict(indicator).alias("indikator"))
        .group_by("runde", "enhet_id", "respondentgruppe", "respondent_id")
        .agg(pl.col("trinn").first(), pl.col("kjonn").first(), pl.col("indikator").unique())
    )
    truth = Truth(answers=[
        {"runde": r["runde"], "enhet": r["enhet_id"], "gruppe": r["respondentgruppe"], "id": r["respondent_id"],
         "trinn": r["trinn"], "kjonn": r["kjonn"], "indikatorer": set(r["indikator"])}
        for r in respondents.iter_rows(named=True)
    ])
    mapping = (
        read(built / "demo", "mapping")
        .group_by("runde", "kommunenummer", "enhet_id", "rolle", "respondent_id")
        .agg(pl.col("omrade").unique())
    )
    truth.people = [
        {"runde": r["runde"], "kommune": r["kommunenummer"], "enhet": r["enhet_id"] or "", "rolle": r["rolle"],
         "omrader": set(r["omrade"])}
        for r in mapping.iter_rows(named=True)
    ]
    data = Dataset(k=10, units=list(units.select("enhet_id", "enhet_navn", "enhetstype", "kommunenummer").iter_rows()),
                   groups={})
    exports = {name: pl.read_csv(built / f"{name}-alle.csv", infer_schema_length=0) for name in ("indicators", "mapping")}
    verify(Built(built / "warehouse.duckdb", exports, 10), data, truth)

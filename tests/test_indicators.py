"""Indicator arithmetic (docs/survey-data.md) on a small hand-made dataset imported through the
CLI, checked against values computed here in plain Python.

One municipality (3303 Kongsberg), two schools with 12 and 15 counted pupils in `elev_5_10` in
two rounds, answering the three `trivsel` items (E5_TRIV_3 is reverse-coded), and a third school
whose 2022 result arrives as an aggregated results file.
"""

from __future__ import annotations

import csv
import io
import math
import shutil
import statistics
from pathlib import Path

import pytest
from conftest import (
    FYLKE_GEOJSON,
    KOMMUNE_GEOJSON,
    connect_ro,
    describe,
    etl_env,
    run_cli,
    shared_once,
)

KOMMUNE = "3303"
FYLKE = "33"
PARTNERSKAP = "kongsbergregionen-alle-med"
GROUP, INDICATOR = "elev_5_10", "trivsel"
ITEMS = ("E5_TRIV_1", "E5_TRIV_2", "E5_TRIV_3")
REVERSE = {"E5_TRIV_3"}  # data/instruments/sepu_undersokelse.yaml: omvendt: true
LO, HI = 1, 5  # the scale of elev_5_10
Z = 1.96
TOL = 1e-5  # the marts round to 6 decimals

# answers to (E5_TRIV_1, E5_TRIV_2, E5_TRIV_3) per pupil; None = item not answered
PUPILS = {
    ("2022", "IND-A"): [
        (5, 5, 1), (5, 4, 2), (4, 5, 1), (5, 5, None), (4, 4, 2), (5, None, 1),
        (4, 5, 2), (5, 5, 1), (3, 4, 2), (5, 4, 1), (4, 4, None), (5, 5, 3),
        (None, None, None),  # answered nothing: not counted
    ],
    ("2022", "IND-B"): [
        (2, 2, 4), (1, 2, 5), (2, 3, 4), (3, 2, None), (1, 1, 5), (2, None, 4), (3, 3, 3),
        (2, 2, 5), (1, 2, 4), (2, 1, 5), (3, 2, 4), (2, 2, None), (1, 3, 4), (2, 2, 3), (3, 1, 5),
    ],
    ("2023", "IND-A"): [
        (5, 5, 2), (4, 4, 2), (4, 5, 1), (5, 4, None), (4, 4, 2), (5, None, 2),
        (4, 5, 2), (5, 4, 1), (3, 4, 3), (5, 4, 1), (4, 5, None), (5, 5, 2),
    ],
    ("2023", "IND-B"): [
        (4, 4, 2), (3, 4, 2), (4, 3, 3), (4, 4, None), (3, 3, 2), (4, None, 2), (5, 4, 1),
        (4, 4, 2), (3, 4, 3), (4, 3, 2), (4, 5, 1), (3, 4, None), (4, 4, 2), (5, 4, 2), (4, 3, 2),
    ],
}
GRADES = {"IND-A": (5, 6, 7), "IND-B": (8, 9, 10)}
# the aggregated result of the third school (2022): n, skaar, standard deviation (500-scale)
RESULT = ("2022", "IND-C", 20, 480.5, 90.0)


def pupil_rows() -> list[list[object]]:
    rows = []
    for (runde, enhet), pupils in PUPILS.items():
        for i, answers in enumerate(pupils):
            kjonn = "gutt" if i % 2 == 0 else "jente"
            trinn = GRADES[enhet][i % 3]
            for item, svar in zip(ITEMS, answers, strict=True):
                rows.append([runde, enhet, GROUP, f"{enhet}-{runde}-{i:02d}", item, svar, trinn, kjonn])
    return rows


# --- the expected values, computed independently -----------------------------------------------


def respondent_values() -> list[dict]:
    """One dict per counted respondent: round, unit, gender, grade band and item-scale value."""
    out = []
    for (runde, enhet), pupils in PUPILS.items():
        for i, answers in enumerate(pupils):
            values = [
                (LO + HI - svar) if item in REVERSE else svar
                for item, svar in zip(ITEMS, answers, strict=True)
                if svar is not None
            ]
            if values:
                band = "5.–7. trinn" if GRADES[enhet][i % 3] <= 7 else "8.–10. trinn"
                kjonn = "gutt" if i % 2 == 0 else "jente"
                out.append({"runde": runde, "enhet": enhet, "kjonn": kjonn, "trinn": band,
                            "v": sum(values) / len(values)})
    return out


RESPONDENTS = respondent_values()
REF_MEAN = statistics.fmean(r["v"] for r in RESPONDENTS)
REF_SD = statistics.stdev(r["v"] for r in RESPONDENTS)
for _r in RESPONDENTS:
    _r["skaar"] = 500 + 100 * (_r["v"] - REF_MEAN) / REF_SD


def expected_from(respondents: list[dict], results: tuple = ()) -> dict:
    """n, snitt, skaar, sd, interval from respondents and (n, skaar, sd) aggregated results."""
    n = len(respondents) + sum(r[0] for r in results)
    sx = sum(r["skaar"] for r in respondents) + sum(r[0] * r[1] for r in results)
    sxx = sum(r["skaar"] ** 2 for r in respondents) + sum(
        (r[0] - 1) * r[2] ** 2 + r[0] * r[1] ** 2 for r in results
    )
    skaar = sx / n
    sd = math.sqrt((sxx - n * skaar**2) / (n - 1))
    snitt = statistics.fmean(r["v"] for r in respondents) if not results else None
    return {
        "antall_svar": n,
        "snitt": snitt,
        "skaar": skaar,
        "standardavvik": sd,
        "ki_lav": skaar - Z * sd / math.sqrt(n),
        "ki_hoy": skaar + Z * sd / math.sqrt(n),
    }


def of(runde: str, enhet: str | None = None, **where: str) -> list[dict]:
    return [
        r for r in RESPONDENTS
        if r["runde"] == runde and (enhet is None or r["enhet"] == enhet)
        and all(r[k] == v for k, v in where.items())
    ]


# --- the dataset, imported once ----------------------------------------------------------------


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(["" if v is None else v for v in row] for row in rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def dataset(tmp_path_factory, geo_dir: Path) -> Path:
    """units, answers (2022 and 2023), a copy of the warehouse then, and the results file."""

    def make(root: Path) -> None:
        env = etl_env(
            root / "warehouse.duckdb",
            root / "cache",
            KL_IMPORT_DIR=str(root / "imports"),
            KL_DEMO_DIR=str(root / "demo"),
            KL_GEOJSON=str(geo_dir / KOMMUNE_GEOJSON),
            KL_FYLKE_GEOJSON=str(geo_dir / FYLKE_GEOJSON),
        )
        units = [["enhet_id", "enhet_navn", "enhetstype", "kommunenummer"]] + [
            [u, f"Testskole {u[-1]} (fiktiv)", "skole", KOMMUNE] for u in ("IND-A", "IND-B", "IND-C")
        ]
        header = ["runde", "enhet_id", "respondentgruppe", "respondent_id", "sporsmal_id", "svar", "trinn", "kjonn"]
        runde, enhet, n, skaar, sd = RESULT
        results = [
            ["runde", "enhet_id", "respondentgruppe", "indikator", "antall_svar", "skaar", "standardavvik", "norm"],
            [runde, enhet, GROUP, INDICATOR, n, skaar, sd, "testnorm (fiktiv)"],
        ]
        steps = [
            ("units", write_csv(root / "enheter.csv", units)),
            ("answers", write_csv(root / "svar.csv", [header, *pupil_rows()])),
            ("results", write_csv(root / "resultater.csv", results)),
        ]
        for kind, path in steps:
            proc = run_cli(["import", kind, str(path)], env=env)
            if proc.returncode != 0:
                pytest.fail(f"import {kind} failed:\n{describe(proc)}", pytrace=False)
            if kind == "answers":
                shutil.copyfile((root / "warehouse.duckdb").resolve(), root / "after_answers.duckdb")

    return shared_once(tmp_path_factory, "indicator-dataset", make)


def cell(db: Path, niva: str, niva_id: str, runde: str, gruppering: str = "alle", gruppe: str = "alle") -> dict:
    with connect_ro(db) as con:
        rows = con.execute(
            "select * from mart_indikator where niva = ? and niva_id = ? and runde = ? and "
            "respondentgruppe = ? and indikator = ? and gruppering = ? and gruppe = ?",
            [niva, niva_id, runde, GROUP, INDICATOR, gruppering, gruppe],
        ).fetchall()
        names = [d[0] for d in con.description]
    assert len(rows) == 1, f"expected one mart_indikator row for {niva} {niva_id} {runde} {gruppe}, got {rows}"
    return dict(zip(names, rows[0], strict=True))


def change(db: Path, niva: str, niva_id: str) -> dict:
    with connect_ro(db) as con:
        rows = con.execute(
            "select * from mart_indikator_endring where niva = ? and niva_id = ? and "
            "respondentgruppe = ? and indikator = ? and gruppering = 'alle'",
            [niva, niva_id, GROUP, INDICATOR],
        ).fetchall()
        names = [d[0] for d in con.description]
    assert len(rows) == 1, rows
    return dict(zip(names, rows[0], strict=True))


def assert_cell(actual: dict, expected: dict) -> None:
    assert actual["undertrykt"] is False, actual
    assert actual["antall_svar"] == expected["antall_svar"], actual
    for key in ("skaar", "standardavvik", "ki_lav", "ki_hoy"):
        assert actual[key] == pytest.approx(expected[key], abs=TOL), (key, actual, expected)
    if expected["snitt"] is None:
        assert actual["snitt"] is None, ("an item-scale mean is unknown with aggregated results", actual)
    else:
        assert actual["snitt"] == pytest.approx(expected["snitt"], abs=TOL), actual


# --- the checks ---------------------------------------------------------------------------------


def test_the_dataset_is_built_as_intended():
    """Guards for the hand-made data: the cases the tests below rely on really occur."""
    assert len(of("2022", "IND-A")) == 12 and len(of("2022", "IND-B")) == 15
    mean_of_means = (
        statistics.fmean(r["skaar"] for r in of("2023", "IND-A"))
        + statistics.fmean(r["skaar"] for r in of("2023", "IND-B"))
    ) / 2
    assert abs(expected_from(of("2023"))["skaar"] - mean_of_means) > 1, "weighting must matter"
    assert min(len(of("2023", kjonn=k)) for k in ("gutt", "jente")) >= 10


def test_reference_is_the_whole_dataset(dataset: Path):
    with connect_ro(dataset / "warehouse.duckdb") as con:
        row = con.execute(
            "select ref_snitt, ref_standardavvik, referanse from mart_referanse "
            "where respondentgruppe = ? and indikator = ?",
            [GROUP, INDICATOR],
        ).fetchone()
    assert row is not None
    assert row[0] == pytest.approx(REF_MEAN, abs=1e-8)
    assert row[1] == pytest.approx(REF_SD, abs=1e-8)
    assert row[2] == "hele datasettet"


@pytest.mark.parametrize("runde", ["2022", "2023"])
@pytest.mark.parametrize("enhet", ["IND-A", "IND-B"])
def test_unit_cell(dataset: Path, enhet: str, runde: str):
    actual = cell(dataset / "warehouse.duckdb", "enhet", enhet, runde)
    assert_cell(actual, expected_from(of(runde, enhet)))
    # snitt: the item-scale mean after reverse coding, each respondent's mean averaged
    values = [r["v"] for r in of(runde, enhet)]
    assert actual["snitt"] == pytest.approx(sum(values) / len(values), abs=TOL)
    assert actual["snitt_standardavvik"] == pytest.approx(statistics.stdev(values), abs=TOL)


def test_a_respondent_without_answers_is_not_counted(dataset: Path):
    assert cell(dataset / "warehouse.duckdb", "enhet", "IND-A", "2022")["antall_svar"] == 12


def test_municipality_is_weighted_by_respondents(dataset: Path):
    db = dataset / "after_answers.duckdb"
    for runde in ("2022", "2023"):
        actual = cell(db, "kommune", KOMMUNE, runde)
        expected = expected_from(of(runde))
        assert_cell(actual, expected)
        a = cell(db, "enhet", "IND-A", runde)["skaar"]
        b = cell(db, "enhet", "IND-B", runde)["skaar"]
        assert actual["skaar"] != pytest.approx((a + b) / 2, abs=0.5), "averaged averages"


def test_higher_levels_sum_the_same_respondents(dataset: Path):
    db = dataset / "after_answers.duckdb"
    expected = expected_from(of("2023"))
    for niva, niva_id in (("partnerskap", PARTNERSKAP), ("fylke", FYLKE), ("alle", "alle")):
        assert_cell(cell(db, niva, niva_id, "2023"), expected)


@pytest.mark.parametrize(("gruppering", "gruppe", "key"), [
    ("kjonn", "gutt", "kjonn"), ("kjonn", "jente", "kjonn"),
    ("trinn", "5.–7. trinn", "trinn"), ("trinn", "8.–10. trinn", "trinn"),
])
def test_municipality_breakdowns(dataset: Path, gruppering: str, gruppe: str, key: str):
    actual = cell(dataset / "after_answers.duckdb", "kommune", KOMMUNE, "2023", gruppering, gruppe)
    assert_cell(actual, expected_from(of("2023", **{key: gruppe})))


@pytest.mark.parametrize("enhet", ["IND-A", "IND-B"])
def test_change_between_rounds(dataset: Path, enhet: str):
    first, second = expected_from(of("2022", enhet)), expected_from(of("2023", enhet))
    se1 = first["standardavvik"] / math.sqrt(first["antall_svar"])
    se2 = second["standardavvik"] / math.sqrt(second["antall_svar"])
    delta = second["skaar"] - first["skaar"]
    uncertainty = Z * math.sqrt(se1**2 + se2**2)
    # IND-A barely moves, IND-B improves clearly: both outcomes are exercised
    assert (abs(delta) > uncertainty) is (enhet == "IND-B"), (delta, uncertainty)
    actual = change(dataset / "warehouse.duckdb", "enhet", enhet)
    assert (actual["fra_runde"], actual["til_runde"]) == ("2022", "2023")
    assert actual["endring"] == pytest.approx(delta, abs=TOL)
    assert actual["usikkerhet"] == pytest.approx(uncertainty, abs=TOL)
    assert actual["tydelig_endring"] is (abs(delta) > uncertainty)
    assert actual["undertrykt"] is False


def test_aggregated_result_is_its_own_unit_cell(dataset: Path):
    runde, enhet, n, skaar, sd = RESULT
    actual = cell(dataset / "warehouse.duckdb", "enhet", enhet, runde)
    assert_cell(actual, {"antall_svar": n, "snitt": None, "skaar": skaar, "standardavvik": sd,
                         "ki_lav": skaar - Z * sd / math.sqrt(n), "ki_hoy": skaar + Z * sd / math.sqrt(n)})


def test_aggregated_result_adds_n_times_skaar_to_every_level(dataset: Path):
    runde, _, n, skaar, sd = RESULT
    expected = expected_from(of(runde), results=((n, skaar, sd),))
    db = dataset / "warehouse.duckdb"
    for niva, niva_id in (("kommune", KOMMUNE), ("partnerskap", PARTNERSKAP), ("fylke", FYLKE), ("alle", "alle")):
        assert_cell(cell(db, niva, niva_id, runde), expected)
    # the other round has no result: unchanged by the import
    assert_cell(cell(db, "kommune", KOMMUNE, "2023"), expected_from(of("2023")))


def test_municipality_change_with_an_aggregated_result(dataset: Path):
    runde, _, n, skaar, sd = RESULT
    first = expected_from(of(runde), results=((n, skaar, sd),))
    second = expected_from(of("2023"))
    se = [e["standardavvik"] / math.sqrt(e["antall_svar"]) for e in (first, second)]
    delta = second["skaar"] - first["skaar"]
    uncertainty = Z * math.sqrt(se[0] ** 2 + se[1] ** 2)
    actual = change(dataset / "warehouse.duckdb", "kommune", KOMMUNE)
    assert actual["endring"] == pytest.approx(delta, abs=TOL)
    assert actual["usikkerhet"] == pytest.approx(uncertainty, abs=TOL)
    assert actual["tydelig_endring"] is (abs(delta) > uncertainty)

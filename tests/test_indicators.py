"""Indicator arithmetic (docs/survey-data.md) on a small hand-made dataset imported through the
CLI, checked against values computed here in plain Python.

One municipality (3303 Kongsberg), two schools with 12 and 15 counted pupils in `elev_5_10` in
two rounds, answering the three `trivsel` items (E5_TRIV_3 is reverse-coded), and a third school
whose 2022 result arrives as an aggregated results file on its own norm. Respondent ids repeat
across the two schools, as real exports do. The rounds are imported one after the other, so the
tests can compare round 2022 before and after round 2023 arrives; a second build declares a norm.
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
                # ids repeat across the schools: a respondent is a (unit, id) pair
                rows.append([runde, enhet, GROUP, f"elev-{i:02d}", item, svar, trinn, kjonn])
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
# the baseline: the earliest round whose total has at least K answers (2022: 27 pupils)
REF_MEAN = statistics.fmean(r["v"] for r in RESPONDENTS if r["runde"] == "2022")
REF_SD = statistics.stdev(r["v"] for r in RESPONDENTS if r["runde"] == "2022")
for _r in RESPONDENTS:
    _r["skaar"] = 500 + 100 * (_r["v"] - REF_MEAN) / REF_SD
# a declared norm (item scale) for the second build
NORM = ("SePU-norm (test)", 3.4, 0.8)


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
        answers = pupil_rows()
        steps = [
            ("units", write_csv(root / "enheter.csv", units), None),
            ("answers", write_csv(root / "svar-2022.csv", [header, *(r for r in answers if r[0] == "2022")]),
             "after_2022.duckdb"),
            ("answers", write_csv(root / "svar-2023.csv", [header, *(r for r in answers if r[0] == "2023")]),
             "after_answers.duckdb"),
            ("results", write_csv(root / "resultater.csv", results), None),
        ]
        for kind, path, snapshot in steps:
            proc = run_cli(["import", kind, str(path)], env=env)
            if proc.returncode != 0:
                pytest.fail(f"import {kind} failed:\n{describe(proc)}", pytrace=False)
            if snapshot:
                shutil.copyfile((root / "warehouse.duckdb").resolve(), root / snapshot)
        # the same data with a declared norm, built into a second warehouse
        name, mean, sd = NORM
        norm = write_csv(root / "normer.csv", [["respondentgruppe", "indikator", "snitt", "standardavvik", "kilde"],
                                               [GROUP, INDICATOR, mean, sd, name]])
        env_norm = env | {"KL_WAREHOUSE": str(root / "norm" / "warehouse.duckdb"), "KL_NORMER": str(norm)}
        (root / "norm").mkdir()
        proc = run_cli(["build", "--quiet"], env=env_norm)
        if proc.returncode != 0:
            pytest.fail(f"build with a norm failed:\n{describe(proc)}", pytrace=False)

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


def test_reference_is_the_baseline_round(dataset: Path):
    with connect_ro(dataset / "warehouse.duckdb") as con:
        row = con.execute(
            "select ref_snitt, ref_standardavvik, referanse, referanse_type from mart_referanse "
            "where respondentgruppe = ? and indikator = ?",
            [GROUP, INDICATOR],
        ).fetchone()
    assert row is not None
    assert row[0] == pytest.approx(REF_MEAN, abs=1e-8)
    assert row[1] == pytest.approx(REF_SD, abs=1e-8)
    assert row[2:] == ("grunnlinje 2022", "grunnlinje")
    assert cell(dataset / "warehouse.duckdb", "enhet", "IND-A", "2023")["referanse"] == "grunnlinje 2022"


def test_a_later_round_never_moves_an_earlier_rounds_scores(dataset: Path):
    """Round 2022 as published before round 2023 was imported, and after: identical."""
    columns = "niva, niva_id, gruppering, gruppe, antall_svar, snitt, skaar, standardavvik, ki_lav, ki_hoy, undertrykt"
    query = f"select {columns} from mart_indikator where runde = '2022' and respondentgruppe = ? order by all"
    with connect_ro(dataset / "after_2022.duckdb") as con:
        before = con.execute(query, [GROUP]).fetchall()
    with connect_ro(dataset / "after_answers.duckdb") as con:
        after = con.execute(query, [GROUP]).fetchall()
    assert before and len(before) == len(after)
    for a, b in zip(before, after, strict=True):
        assert a[:4] == b[:4] and a[-1] == b[-1]
        for x, y in zip(a[4:-1], b[4:-1], strict=True):
            assert x == y or abs(x - y) <= 1e-9, (a, b)


def test_a_norm_file_changes_scores_and_nothing_else(dataset: Path):
    name, mean, sd = NORM
    key = "niva, niva_id, runde, enhetstype, respondentgruppe, indikator, gruppering, gruppe"
    same = "antall_svar, snitt, snitt_standardavvik, undertrykt"
    with connect_ro(dataset / "warehouse.duckdb") as con:
        base = {r[:8]: r[8:] for r in con.execute(f"select {key}, {same}, skaar from mart_indikator").fetchall()}
    with connect_ro(dataset / "norm" / "warehouse.duckdb") as con:
        normed = {r[:8]: r[8:] for r in con.execute(f"select {key}, {same}, skaar from mart_indikator").fetchall()}
        ref = con.execute("select referanse, referanse_type from mart_referanse where indikator = ?", [INDICATOR]).fetchone()
    assert ref == (name, "norm")
    assert base.keys() == normed.keys()
    moved = 0
    for k, (n, snitt, spread, hidden, skaar) in base.items():
        assert normed[k][:4] == (n, snitt, spread, hidden), k
        if snitt is not None and skaar is not None:
            # snitt is published to 6 decimals: 100/sd times half a unit of the last decimal
            assert normed[k][4] == pytest.approx(500 + 100 * (snitt - mean) / sd, abs=1e-3), k
            moved += normed[k][4] != pytest.approx(skaar, abs=TOL)
    assert moved, "the norm should move the scores"
    unit = cell(dataset / "norm" / "warehouse.duckdb", "enhet", "IND-A", "2023")
    assert unit["referanse"] == name


def test_participation_counts_a_respondent_per_unit(dataset: Path):
    """Ids repeat across the schools: a municipality's respondents are the (unit, id) pairs."""
    with connect_ro(dataset / "after_answers.duckdb") as con:
        rows = dict(con.execute(
            "select runde, antall_respondenter from mart_deltakelse "
            "where niva = 'kommune' and niva_id = ? and respondentgruppe = ?", [KOMMUNE, GROUP]
        ).fetchall())
    assert rows == {runde: len(of(runde)) for runde in ("2022", "2023")}, rows
    assert rows["2022"] == 27


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


def test_scores_on_different_references_are_never_one_number(dataset: Path):
    """The results file's scores are on SePU's own norm; the answers on the baseline. Every level
    above the unit adds the result's respondents but shows no score."""
    runde, _, n, _, _ = RESULT
    db = dataset / "warehouse.duckdb"
    for niva, niva_id in (("kommune", KOMMUNE), ("partnerskap", PARTNERSKAP), ("fylke", FYLKE), ("alle", "alle")):
        mixed = cell(db, niva, niva_id, runde)
        assert mixed["antall_svar"] == len(of(runde)) + n, mixed
        assert mixed["referanse"] == "ulike referanser", mixed
        assert all(mixed[k] is None for k in ("skaar", "standardavvik", "ki_lav", "ki_hoy")), mixed
    # the other round has no result: one reference, a score
    assert_cell(cell(db, "kommune", KOMMUNE, "2023"), expected_from(of("2023")))


def test_no_change_is_computed_across_references(dataset: Path):
    with connect_ro(dataset / "warehouse.duckdb") as con:
        rows = con.execute(
            "select * from mart_indikator_endring where niva = 'kommune' and niva_id = ? and indikator = ? "
            "and gruppering = 'alle'", [KOMMUNE, INDICATOR],
        ).fetchall()
    assert rows == [], "2022 mixes two references; a change to 2023 would compare different scales"


def test_a_second_file_with_the_same_round_and_unit_is_refused(dataset: Path, tmp_path: Path, geo_dir: Path):
    """Answers are streamed from the kept files by the build: two files that both hold a round of
    one unit would count its pupils twice, so the import is refused and nothing changes."""
    root = tmp_path / "kopi"
    shutil.copytree(dataset, root, symlinks=True)
    before = (root / "warehouse.duckdb").resolve()
    header = ["runde", "enhet_id", "respondentgruppe", "respondent_id", "sporsmal_id", "svar", "trinn", "kjonn"]
    again = write_csv(tmp_path / "svar-2023-igjen.csv", [header, *(r for r in pupil_rows() if r[:2] == ["2023", "IND-A"])])
    env = etl_env(
        root / "warehouse.duckdb", root / "cache", KL_IMPORT_DIR=str(root / "imports"),
        KL_DEMO_DIR=str(root / "demo"),
        KL_GEOJSON=str(geo_dir / KOMMUNE_GEOJSON), KL_FYLKE_GEOJSON=str(geo_dir / FYLKE_GEOJSON),
    )
    proc = run_cli(["import", "answers", str(again)], env=env)
    assert proc.returncode == 2, describe(proc)
    assert "svar-2023-igjen" in proc.stderr and "2023 / IND-A" in proc.stderr, describe(proc)
    assert "svar-2023" in proc.stderr.replace("svar-2023-igjen", ""), describe(proc)
    assert (root / "warehouse.duckdb").resolve() == before
    assert not any("igjen" in p.name for p in (root / "imports").rglob("*")), "the refused file was kept"

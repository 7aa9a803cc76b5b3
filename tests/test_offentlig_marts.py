"""The public-statistics marts against hand computations from the saved files and the
collaborations in data/partnerships.yaml, and `python -m etl export offentlig-statistikk`.

Shares are the sum of numerators over the sum of denominators; national-test means are weighted
by pupils tested; an area with a municipality Udir hid gets no number, only honest bounds.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT_ROOT, connect_ro, describe, etl_env, run_cli

BUNDLED = PROJECT_ROOT / "data" / "offentlig" / "udir"
ITOS = "Antall elever med individuelt tilrettelagt opplæring/spesialundervisning"


def rows_by_code(fil: str) -> dict[str, dict[str, str]]:
    doc = json.loads((BUNDLED / fil).read_text(encoding="utf-8"))
    names = [c["name"] for c in doc["metadata"]["columns"][-1]]
    return {r["kode"]: dict(zip(names, r["data"])) for r in doc["rows"]}


def n(text: str) -> float:
    return float(text.replace(" ", "").replace(",", "."))


def members() -> dict[str, list[str]]:
    doc = yaml.safe_load((PROJECT_ROOT / "data" / "partnerships.yaml").read_text(encoding="utf-8"))
    return {p["id"]: [k["kommunenummer"] for k in p["kommuner"]] for p in doc["partnerskap"] if p["kommuner"]}


def mart(con, niva: str, niva_id: str, indikator: str, skolear: str) -> dict:
    cur = con.execute(
        "select * from mart_offentlig where niva = ? and niva_id = ? and indikator = ? and skolear = ?",
        [niva, niva_id, indikator, skolear],
    )
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    assert len(rows) == 1, (niva, niva_id, indikator, skolear)
    return dict(zip(names, rows[0]))


GSI_YEARS = {"2024-25": "udir-gsi/data_202410.json", "2025-26": "udir-gsi/data_202510.json"}


def test_nord_osterdal_share_is_the_hand_computed_sum_of_numerators_over_denominators(built_warehouse: Path):
    """Nord-Østerdal 2024-25: none of its six municipalities is hidden."""
    cells = rows_by_code(GSI_YEARS["2024-25"])
    codes = members()["nord-osterdal-regional-kompetanseutvikling"]
    teller = sum(n(cells[k][ITOS]) for k in codes)
    nevner = sum(n(cells[k]["Antall elever"]) for k in codes)
    with connect_ro(built_warehouse) as con:
        row = mart(con, "partnerskap", "nord-osterdal-regional-kompetanseutvikling", "andel_itos", "2024-25")
    assert (row["teller"], row["nevner"]) == (teller, nevner)
    assert row["verdi"] == pytest.approx(100 * teller / nevner)
    assert row["status"] == "ok" and not row["undertrykt"]
    # not an average of the municipalities' shares (which differs here)
    average = sum(100 * n(cells[k][ITOS]) / n(cells[k]["Antall elever"]) for k in codes) / len(codes)
    assert abs(average - row["verdi"]) > 0.1


def test_every_collaboration_share_and_bound_matches_the_file(built_warehouse: Path):
    checked = {"ok": 0, "delvis": 0}
    with connect_ro(built_warehouse) as con:
        for skolear, fil in GSI_YEARS.items():
            cells = rows_by_code(fil)
            for pid, codes in members().items():
                row = mart(con, "partnerskap", pid, "andel_itos", skolear)
                hidden = [k for k in codes if cells[k][ITOS] == "*"]
                seen = sum(n(cells[k][ITOS]) for k in codes if k not in hidden)
                pupils = sum(n(cells[k]["Antall elever"]) for k in codes)
                if not hidden:
                    assert row["status"] == "ok" and row["verdi"] == pytest.approx(100 * seen / pupils), pid
                    checked["ok"] += 1
                    continue
                hidden_pupils = sum(n(cells[k]["Antall elever"]) for k in hidden)
                assert row["status"] == "delvis" and row["undertrykt"], pid
                assert row["verdi"] is None and row["teller"] is None, pid
                assert row["nedre"] == pytest.approx(100 * seen / pupils), pid
                assert row["ovre"] == pytest.approx(100 * (seen + hidden_pupils) / pupils), pid
                assert row["antall_skjult"] == len(hidden), pid
                assert f"{len(hidden)} av {len(codes)} kommuner" in row["merknad"], pid
                checked["delvis"] += 1
    assert checked["ok"] >= 10 and checked["delvis"] >= 10


def test_national_test_means_are_weighted_by_pupils_tested(built_warehouse: Path):
    cells = rows_by_code("udir-nasjonale-prover/data.ungdomstrinn.grade8.NPLES.anchor12.json")
    codes = members()["hamarregionen-inkluderende-laeringsmiljo"]
    assert all(cells[k]["Skalapoeng"] not in ("*", "") for k in codes)
    weights = [n(cells[k]["Antall elever deltatt"]) for k in codes]
    mean = sum(n(cells[k]["Skalapoeng"]) * w for k, w in zip(codes, weights)) / sum(weights)
    with connect_ro(built_warehouse) as con:
        row = mart(con, "partnerskap", "hamarregionen-inkluderende-laeringsmiljo", "np_les_8", "2025-26")
        partial = mart(con, "partnerskap", "vest-finnmark-pedagogisk-analyse", "np_les_8", "2025-26")
        traena = mart(con, "kommune", "1835", "np_les_8", "2025-26")
        helgeland = mart(con, "partnerskap", "ytre-helgeland-god-opplaering-for-alle", "np_les_8", "2025-26")
    assert row["verdi"] == pytest.approx(mean) and row["nevner"] == sum(weights)
    # hidden scale score and pupil count: no number, the visible part is stated, and the bounds
    # hold if each hidden municipality had at most 9 pupils tested and a mean between 0 and 100
    vest = members()["vest-finnmark-pedagogisk-analyse"]
    seen = [k for k in vest if cells.get(k, {}).get("Skalapoeng") not in (None, "*", "")]
    hidden = [k for k in vest if cells.get(k, {}).get("Skalapoeng") == "*"]
    total = sum(n(cells[k]["Skalapoeng"]) * n(cells[k]["Antall elever deltatt"]) for k in seen)
    pupils = sum(n(cells[k]["Antall elever deltatt"]) for k in seen)
    cap = 9 * len(hidden)
    assert hidden and partial["status"] == "delvis" and partial["verdi"] is None
    assert partial["verdi_synlige"] == pytest.approx(total / pupils) and partial["nevner_synlige"] == pupils
    assert partial["nedre"] == pytest.approx(min(total / pupils, total / (pupils + cap)))
    assert partial["ovre"] == pytest.approx(max(total / pupils, (total + 100 * cap) / (pupils + cap)))
    assert "færre enn 10 elever og et snitt mellom 0 og 100 poeng" in partial["merknad"]
    # Træna is absent from Udir's table: not reported (never zero), and the sum says so
    assert traena["status"] == "mangler" and traena["verdi"] is None
    assert helgeland["status"] == "ok" and "Træna" in helgeland["merknad"] and helgeland["antall_mangler"] == 1


def test_county_and_country_are_udirs_figures_and_equal_the_sum_of_the_counties(built_warehouse: Path):
    cells = rows_by_code(GSI_YEARS["2024-25"])
    counties = [k for k in cells if len(k) == 2]
    assert len(counties) == 15
    with connect_ro(built_warehouse) as con:
        innlandet = mart(con, "fylke", "34", "andel_itos", "2024-25")
        land = mart(con, "land", "alle", "andel_itos", "2024-25")
        # fravær has no country row at Udir: the country is the sum of the 15 counties
        fravaer = mart(con, "land", "alle", "fravaer_snitt_dager", "2024-25")
        svalbard = mart(con, "annet", "2100", "elever", "2024-25")
        median = con.execute(
            "select count(*) from mart_offentlig where indikator = 'fravaer_median_dager' and niva in ('partnerskap', 'land')"
        ).fetchone()[0]
    assert innlandet["verdi"] == pytest.approx(100 * n(cells["34"][ITOS]) / n(cells["34"]["Antall elever"]))
    assert innlandet["grunnlag"] == "Udir"
    # the CSV download's own country row (Udir's figure) equals the sum of the API's county rows
    assert land["grunnlag"] == "Udir" and land["teller"] == sum(n(cells[k][ITOS]) for k in counties)
    assert land["nevner"] == sum(n(cells[k]["Antall elever"]) for k in counties) == 631369
    assert fravaer["grunnlag"] == "summert" and "Svalbard inngår i Troms" in fravaer["merknad"]
    assert svalbard["verdi"] == n(cells["2100"]["Antall elever"])
    assert median == 0, "a median is never computed from medians"


def test_export_offentlig_statistikk(built_warehouse: Path, tmp_path: Path):
    out = tmp_path / "offentlig.csv"
    proc = run_cli(["export", "offentlig-statistikk", "--out", str(out)], env=etl_env(built_warehouse))
    assert proc.returncode == 0, describe(proc)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert {"niva", "niva_id", "skolear", "indikator", "teller", "nevner", "verdi", "undertrykt", "kilde",
            "lisens", "syntetisk"} <= set(rows[0])
    keys = {(r["niva"], r["niva_id"], r["skolear"], r["indikator"]) for r in rows}
    assert len(keys) == len(rows), "one row per area, school year and indicator"
    assert all(r["verdi"] == "" and r["teller"] == "" for r in rows if r["undertrykt"] == "true")
    assert {r["kilde"] for r in rows} == {"Kilde: Utdanningsdirektoratet"} and {r["syntetisk"] for r in rows} == {"false"}
    nord = [r for r in rows if r["niva_id"] == "nord-osterdal-regional-kompetanseutvikling"
            and r["indikator"] == "andel_itos" and r["skolear"] == "2024-25"]
    cells = rows_by_code(GSI_YEARS["2024-25"])
    codes = members()["nord-osterdal-regional-kompetanseutvikling"]
    assert [(float(r["teller"]), float(r["nevner"])) for r in nord] == [
        (sum(n(cells[k][ITOS]) for k in codes), sum(n(cells[k]["Antall elever"]) for k in codes))
    ]

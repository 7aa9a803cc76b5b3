"""Udir's public statistics: every saved response read into the warehouse (checked against the
raw JSON read independently here), `python -m etl import udir` end to end, and bad input.

The raw files are read with a few lines of this test's own (json + a number rule), never with
etl/udir.py, so a parsing mistake in the ETL cannot hide behind itself.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, connect_ro, describe, snapshot

BUNDLED = PROJECT_ROOT / "data" / "offentlig" / "udir"
SHARED = PROJECT_ROOT.parent / "shared" / "public-data" / "udir"
MANIFEST = BUNDLED / "kilder.csv"
COUNT_COLUMNS = {"Antall elever", "Antall elever med individuelt tilrettelagt opplæring/spesialundervisning",
                 "Antall elever med forsterket opplæring i norsk", "Antall skoler", "Antall elever deltatt"}


def data_files() -> list[str]:
    """The saved API responses (the CSV downloads are tested in test_udir_csv.py)."""
    with MANIFEST.open(encoding="utf-8") as handle:
        return [r["fil"] for r in csv.DictReader(handle) if r["innhold"] == "data" and r["fil"].endswith(".json")]


def number(text: str) -> float:
    assert re.fullmatch(r"[\d ]+(,\d+)?", text), text
    return float(text.replace(" ", "").replace(",", "."))


def raw(fil: str) -> dict:
    return json.loads((BUNDLED / fil).read_text(encoding="utf-8"))


def geo_files() -> list[str]:
    return [f for f in data_files() if raw(f)["metadata"].get("rowHierarchy") == ["Nasjonalt", "Fylke", "Kommune", "Enhet"]
            and raw(f)["rows"]]


# --- the bundled copies ------------------------------------------------------------------------------


def test_manifest_lists_every_bundled_file_with_its_checksum():
    with MANIFEST.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    on_disk = sorted(str(p.relative_to(BUNDLED)) for p in BUNDLED.rglob("*")
                     if p.suffix in (".json", ".csv") and p.name != "kilder.csv")
    assert sorted(r["fil"] for r in rows) == on_disk
    for r in rows:
        assert hashlib.sha256((BUNDLED / r["fil"]).read_bytes()).hexdigest() == r["sha256"], r["fil"]
        if r["fil"].endswith(".json"):
            assert r["endepunkt"].startswith("https://statistikkportalen.udir.no/api/rapportering/rest/v1/")
            assert r["hentet"] == "", "the saved responses do not record when they were retrieved"
            assert r["sha256_original"] == r["bearbeiding"] == ""
    assert (BUNDLED / "README.md").read_text(encoding="utf-8").count("NLOD 2.0") >= 2


def test_bundled_copies_equal_the_shared_responses():
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (a clone without ../shared); CI has it")
    for fil in data_files():
        assert (BUNDLED / fil).read_bytes() == (SHARED / fil).read_bytes(), fil


# --- every saved file, read into the warehouse --------------------------------------------------------


def warehouse_cells(con, fil: str) -> dict[tuple[str, str], tuple]:
    """(kode in the file, column name) -> (verdi, undertrykt, mangler) for one file."""
    rows = con.execute(
        "select kode_kilde, maal_navn, verdi, undertrykt, mangler from stg_udir_verdi where fil = ?",
        [f"data/offentlig/udir/{fil}"],
    ).fetchall()
    return {(k, m): (v, u, e) for k, m, v, u, e in rows}


def test_every_saved_geographic_file_is_read_cell_by_cell(built_warehouse: Path):
    with connect_ro(built_warehouse) as con:
        for fil in geo_files():
            doc = raw(fil)
            names = [c["name"] for c in doc["metadata"]["columns"][-1]]
            cells = warehouse_cells(con, fil)
            expected = 0
            for row in doc["rows"]:
                for name, text in zip(names, row["data"]):
                    expected += 1
                    verdi, undertrykt, mangler = cells[(row["kode"], name)]
                    if text == "*":
                        assert undertrykt and verdi is None and not mangler, (fil, row["kode"], name)
                    elif text == "":
                        assert mangler and verdi is None and not undertrykt, (fil, row["kode"], name)
                    else:
                        assert verdi == pytest.approx(number(text)) and not undertrykt, (fil, row["kode"], name)
            assert len(cells) == expected, fil


def test_star_never_becomes_zero(built_warehouse: Path):
    stars = sum(json.dumps(raw(f), ensure_ascii=False).count('"*"') for f in data_files())
    with connect_ro(built_warehouse) as con:
        # the API responses come after the CSV downloads and win on the cells they share
        [(hidden,)] = con.execute(
            "select count(*) filter (where undertrykt) from stg_udir_verdi where fil like '%.json'").fetchall()
        [(hidden_with_value,)] = con.execute(
            "select count(*) filter (where undertrykt and verdi is not null) from stg_udir_verdi").fetchall()
        [(hidden_shown,)] = con.execute(
            "select count(*) from mart_offentlig where undertrykt and (verdi is not null or teller is not null)"
        ).fetchall()
    assert stars > 0 and hidden == stars
    assert hidden_with_value == 0 and hidden_shown == 0


def test_county_counts_equal_the_sum_of_their_municipalities(built_warehouse: Path):
    """From the raw files (Svalbard is a municipality-level row under Troms), and in the warehouse."""
    checked = 0
    with connect_ro(built_warehouse) as con:
        for fil in geo_files():
            doc = raw(fil)
            names = [c["name"] for c in doc["metadata"]["columns"][-1]]
            counties = {r["id"]: r for r in doc["rows"] if r["id"].count(".") == 1}
            members = defaultdict(list)
            for r in doc["rows"]:
                if r["id"].count(".") == 2:
                    members[r["id"].rsplit(".", 1)[0]].append(r)
            for cid, county in counties.items():
                for i, name in enumerate(names):
                    if name not in COUNT_COLUMNS or any(m["data"][i] in ("*", "") for m in members[cid]):
                        continue
                    total = sum(number(m["data"][i]) for m in members[cid])
                    assert total == number(county["data"][i]), (fil, county["navn"], name)
                    [(stored,)] = con.execute(
                        "select sum(verdi) from stg_udir_verdi where fil = ? and maal_navn = ? "
                        "and omrade_type in ('kommune', 'svalbard', 'utland') and kode_kilde in (select unnest(?))",
                        [f"data/offentlig/udir/{fil}", name, [m["kode"] for m in members[cid]]],
                    ).fetchall()
                    assert stored == total
                    checked += 1
    assert checked >= 80  # counties × count columns with no hidden municipality


def test_school_year_comes_from_the_file_and_special_areas_keep_their_type(built_warehouse: Path):
    with connect_ro(built_warehouse) as con:
        years = dict(con.execute("select fil, any_value(skolear) from stg_udir_verdi group by fil").fetchall())
        areas = set(con.execute(
            "select omrade_type, omrade_kode, navn_kilde from stg_udir_verdi where omrade_type in ('svalbard', 'utland')"
        ).fetchall())
        mobbing = set(con.execute(
            "select omrade_type, omrade_kode from stg_udir_verdi where tabell = 'mobbing'").fetchall())
    for fil in data_files():
        doc = raw(fil)
        if doc["rows"]:
            assert years[f"data/offentlig/udir/{fil}"] == doc["metadata"]["columns"][0][0]["name"], fil
    assert ("svalbard", "2100", "Svalbard") in areas
    assert {("utland", "25", "Utlandet"), ("utland", "2599", "Utlandet, uspesifisert")} <= areas
    # the bullying responses name their area only in the headers: Arendal 4203, Bykle 4222
    assert mobbing == {("kommune", "4203"), ("kommune", "4222"), ("svalbard", "2100"), ("utland", "2599")}


def test_files_are_real_data_with_source_licence_and_retrieval_date(built_warehouse: Path):
    with connect_ro(built_warehouse) as con:
        files = con.execute("select fil, hentet, lisens, opprinnelse, merknader from mart_offentlig_kilde").fetchall()
        [(synthetic,)] = con.execute("select count(*) from mart_offentlig where syntetisk").fetchall()
        sources = set(con.execute("select distinct kilde || ' / ' || lisens from mart_offentlig").fetchall())
    api = [f for f in files if f[0].endswith(".json")]
    assert len(api) == len(data_files())
    assert {(h, lic, o) for _, h, lic, o, _ in api} == {("ikke registrert", "NLOD 2.0", "med i prosjektet")}
    assert synthetic == 0
    assert sources == {("Kilde: Utdanningsdirektoratet / NLOD 2.0",)}
    notes = {f: n for f, *_, n in files}
    moskenes = notes["data/offentlig/udir/udir-nasjonale-prover/data.ungdomstrinn.grade8.NPLES.anchor12.json"]
    assert len(moskenes) == 3 and all("Moskenes" in n and "tom" in n for n in moskenes)
    assert any("tomt" in n for n in notes["data/offentlig/udir/udir-nasjonale-prover/data.ungdomstrinn.grade9.NPENG.anchor12.json"])


# --- python -m etl import udir --------------------------------------------------------------------------


def kept(copy) -> list[Path]:
    folder = copy.data / "ingen-import" / "udir"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_import_keeps_the_file_with_its_retrieval_date_and_rebuilds(built_project_copy, tmp_path):
    source = tmp_path / "gsi.json"
    source.write_bytes((BUNDLED / "udir-gsi" / "data_202510.json").read_bytes())
    proc = built_project_copy.run("import", "udir", str(source), "--hentet", "2025-11-30")
    assert proc.returncode == 0, describe(proc)
    assert "skoleår 2025-26" in proc.stderr and "174 skjult av Udir" in proc.stderr
    files = kept(built_project_copy)
    assert [p.name.split("-", 1)[1] for p in files] == ["gsi.json", "gsi.json.kilde.json"]
    assert files[0].read_bytes() == source.read_bytes()
    meta = json.loads(files[1].read_text(encoding="utf-8"))
    assert meta["hentet"] == "2025-11-30" and meta["opprinnelse"] == "importert" and meta["lisens"] == "NLOD 2.0"
    with connect_ro(built_project_copy.warehouse) as con:
        [(hentet, used)] = con.execute(
            "select f.hentet, (select count(*) from stg_udir_verdi v where v.fil = f.fil) from stg_udir_fil f "
            "where f.opprinnelse = 'importert'").fetchall()
    # the imported file wins over the bundled copy of the same cells
    assert hentet == "2025-11-30" and used == 1492
    again = built_project_copy.run("import", "udir", str(source))
    assert again.returncode == 0 and "allerede importert" in again.stderr


def test_import_of_an_empty_response_keeps_nothing(built_project_copy):
    before = snapshot(built_project_copy.warehouse)
    empty = BUNDLED / "udir-nasjonale-prover" / "data.ungdomstrinn.grade9.NPENG.anchor12.json"
    proc = built_project_copy.run("import", "udir", str(empty))
    assert proc.returncode == 0, describe(proc)
    assert "tomt svar" in proc.stderr and kept(built_project_copy) == []
    assert snapshot(built_project_copy.warehouse) == before


def test_import_maps_older_municipality_codes_to_2024(built_project_copy, tmp_path):
    """A 2019-20 response uses 0101 for Halden (3101 since 2020); the import maps it."""
    text = (BUNDLED / "udir-gsi" / "data_202410.json").read_text(encoding="utf-8")
    text = text.replace('"kode":"3101"', '"kode":"0101"').replace('"name":"2024-25"', '"name":"2019-20"')
    assert '"kode":"0101"' in text and '"2019-20"' in text
    source = tmp_path / "gsi-2019.json"
    source.write_text(text, encoding="utf-8")
    proc = built_project_copy.run("import", "udir", str(source))
    assert proc.returncode == 0, describe(proc)
    assert "kommunenummer 0101 (Halden) er ført til 2024-nummeret 3101" in proc.stderr
    with connect_ro(built_project_copy.warehouse) as con:
        rows = con.execute(
            "select omrade_kode, kode_kilde from stg_udir_verdi where skolear = '2019-20' and maal = 'elever' "
            "and kode_kilde in ('0101', '3101')").fetchall()
    assert rows == [("3101", "0101")]


def mutate(name: str, old: str, new: str, tmp_path: Path, count: int = 1) -> Path:
    text = (BUNDLED / name).read_text(encoding="utf-8")
    assert text.count(old) >= 1, (name, old)
    out = tmp_path / Path(name).name
    out.write_text(text.replace(old, new, count), encoding="utf-8")
    return out


BAD = {
    "a number with a decimal point": ("udir-gsi/data_202410.json", '"3 630"', '"3,630.5"',
                                      ["rad 1 i «rows» (Agder, kode 42)", "Antall elever med individuelt",
                                       "fant «3,630.5»", "desimalkomma"]),
    "an unknown municipality": ("udir-gsi/data_202410.json", '"kode":"4203"', '"kode":"4299"',
                                ["rad 2 i «rows» (Arendal, kode 4299)", "kolonne «kode»", "fant «4299»",
                                 "kjent kommunenummer"]),
    "a school year that is not one": ("udir-gsi/data_202410.json", '"name":"2024-25"', '"name":"2024/25"',
                                      ["metadata.columns[0]", "fant «2024/25»", "«2024-25»"]),
    "a filter for boys only": ("udir-fravar/data.202506.anchor12.json", '"Alle kjønn"', '"Gutt"',
                               ["metadata.columns[2]", "fant «Gutt»", "alle elever"]),
    "a measure the tables do not have": ("udir-gsi/data_202410.json", '"Antall skoler"', '"Antall lærere"',
                                         ["fant «Antall elever, ", "Antall lærere", "forventet målene"]),
    "a negative count": ("udir-gsi/data_202510.json", '"data":["97","9"', '"data":["-97","9"',
                         ["(Bykle, kode 4222)", "kolonne «Antall elever»", "fant «-97»", "helt tall"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_response_is_refused_in_norwegian_and_changes_nothing(case, built_project_copy, tmp_path):
    name, old, new, expected = BAD[case]
    bad = mutate(name, old, new, tmp_path)
    before = snapshot(built_project_copy.warehouse)
    proc = built_project_copy.run("import", "udir", str(bad))
    assert proc.returncode == 2, describe(proc)
    assert "Feil i inndata" in proc.stderr and "ingenting er endret" in proc.stderr
    assert str(bad) in proc.stderr
    for text in expected:
        assert text in proc.stderr, (text, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert kept(built_project_copy) == [] and snapshot(built_project_copy.warehouse) == before


def test_broken_json_and_a_csv_that_is_no_udir_download_are_refused(built_project_copy, tmp_path):
    csv_file = tmp_path / "udir.csv"
    csv_file.write_text("Enhet;Antall elever\nArendal;5 423\n", encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text('{"metadata": {', encoding="utf-8")
    good = BUNDLED / "udir-gsi" / "data_202410.json"
    before = snapshot(built_project_copy.warehouse)
    # every problem of every file is reported together, and the good file is not kept either
    proc = built_project_copy.run("import", "udir", str(good), str(csv_file), str(broken))
    assert proc.returncode == 2, describe(proc)
    assert f"{csv_file}, linje 1: fant «en CSV-fil med skilletegn «;»" in proc.stderr
    assert "forventet en CSV-nedlasting fra Udirs statistikkbank: UTF-16" in proc.stderr
    assert f"{broken}, linje 1" in proc.stderr and "gyldig JSON" in proc.stderr
    assert kept(built_project_copy) == [] and snapshot(built_project_copy.warehouse) == before


def test_a_conflicting_second_import_is_refused_naming_both_files(built_project_copy, tmp_path):
    first = tmp_path / "first.json"
    first.write_bytes((BUNDLED / "udir-gsi" / "data_202510.json").read_bytes())
    assert built_project_copy.run("import", "udir", str(first)).returncode == 0
    before = snapshot(built_project_copy.warehouse)
    second = mutate("udir-gsi/data_202510.json", '"5 266"', '"5 267"', tmp_path)
    proc = built_project_copy.run("import", "udir", str(second))
    assert proc.returncode == 2, describe(proc)
    assert "Arendal (4203)" in proc.stderr and "fant «5 267»" in proc.stderr and "first.json («5 266»)" in proc.stderr
    assert snapshot(built_project_copy.warehouse) == before
    assert len(kept(built_project_copy)) == 2


def test_a_changed_bundled_file_stops_the_build(project_copy):
    path = project_copy.data / "offentlig" / "udir" / "udir-gsi" / "data_202410.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"5 423"', '"5 424"'), encoding="utf-8")
    proc = project_copy.run("build", "--quiet")
    assert proc.returncode == 2, describe(proc)
    assert "data/offentlig/udir/udir-gsi/data_202410.json" in proc.stderr and "kilder.csv (filen er endret)" in proc.stderr
    assert not project_copy.warehouse.exists()


def test_hentet_must_be_a_date(built_project_copy):
    proc = built_project_copy.run("import", "udir", str(BUNDLED / "udir-gsi" / "data_202410.json"), "--hentet", "i går")
    assert proc.returncode == 2 and "--hentet: fant «i går», forventet en dato som 2025-11-30" in proc.stderr

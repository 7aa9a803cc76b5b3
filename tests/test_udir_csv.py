"""Udir's Statistikkbanken CSV downloads: the bundled copies, every cell in the warehouse, the
spot values of the issue, old municipality codes, aggregates computed by hand from the raw
files, `python -m etl import udir FIL.csv` end to end, and a corpus of bad files.

The raw files are read here with a few lines of this test's own (UTF-16, tab, a number rule and
the code history), never with etl/udir_csv.py, so a mistake in the ETL cannot hide behind itself.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT_ROOT, connect_ro, describe, snapshot

BUNDLED = PROJECT_ROOT / "data" / "offentlig" / "udir"
CSV_DIR = BUNDLED / "udir-csv"
NP_DIR = CSV_DIR / "nasjonale-prover-2022-2025"
GSI_FILE = CSV_DIR / "gsi-bergen-2021-2025" / "20260223-1453_Elever_og_skoler.csv"
SHARED = PROJECT_ROOT.parent / "shared" / "public-data" / "udir-csv"
FAG = {"Engelsk": "eng", "Lesing": "les", "Regning": "reg"}
NP = {"Skalapoeng": "skalapoeng", "Usikkerhet": "usikkerhet", "Antall elever deltatt": "deltatt"}
NEW_COUNTIES = {"03", "11", "15", "18", "31", "32", "33", "34", "39", "40", "42", "46", "50", "55", "56"}


# --- an independent reader of the raw downloads ------------------------------------------------------


def lines_of(path: Path) -> list[str]:
    data = path.read_bytes()
    text = data.decode("utf-16-le").removeprefix("\ufeff")
    return [line.removesuffix("\r") for line in text.split("\n") if line]


def table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    lines = lines_of(path)
    assert lines[0] == "sep=\t", path
    header = lines[1].split("\t")
    return header, [dict(zip(header, line.split("\t"), strict=True)) for line in lines[2:]]


def number(text: str) -> float:
    return float(text.replace(" ", "").replace("\u00a0", "").replace(",", "."))


def history() -> dict[tuple[str, int], str]:
    """(old code, year) -> 2024 code, from data/geo/kommunenummer_historikk.csv."""
    out = {}
    with (PROJECT_ROOT / "data" / "geo" / "kommunenummer_historikk.csv").open(encoding="utf-8") as handle:
        for r in csv.DictReader(handle):
            for year in range(max(int(r["gyldig_fra"]), 2015), int(r["gyldig_til"]) + 1):
                out[(r["kommunenummer_gammel"], year)] = r["kommunenummer_2024"]
    return out


def np_cells(path: Path) -> dict[tuple[str, str, str, str], str]:
    """(maal, skoleår, area type, 2024 code) -> the cell text, for every usable area row."""
    header, rows = table(path)
    old = history()
    out = {}
    for col in header[9:]:
        parts = col.split(".")  # «2022-23.Engelsk.5. årstrinn.Alle eierformer.Alle kjønn.Skalapoeng»
        year, maal = parts[0], f"np_{FAG[parts[1]]}_{parts[2]}_{NP[parts[-1]]}"
        for r in rows:
            if r["EnhetNivaa"] == "1":
                key = ("land", "alle")
            elif r["EnhetNivaa"] == "2" and r["Fylkekode"] in NEW_COUNTIES:
                key = ("fylke", r["Fylkekode"])
            elif r["EnhetNivaa"] == "3":
                code = r["Kommunekode"]
                key = ("svalbard", code) if code.startswith("21") else ("kommune", old.get((code, int(year[:4])), code))
            else:
                continue
            out[(maal, year, *key)] = r[col]
    return out


def bundled_np_files() -> list[Path]:
    return sorted(NP_DIR.glob("*.csv"))


def warehouse_cells(con) -> dict[tuple, tuple]:
    rows = con.execute(
        "select maal, skolear, omrade_type, omrade_kode, verdi, undertrykt, mangler from stg_udir_verdi").fetchall()
    return {tuple(r[:4]): r[4:] for r in rows}


def mart(con, niva: str, niva_id: str, indikator: str, skolear: str) -> dict:
    cur = con.execute("select * from mart_offentlig where niva = ? and niva_id = ? and indikator = ? and skolear = ?",
                      [niva, niva_id, indikator, skolear])
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    assert len(rows) == 1, (niva, niva_id, indikator, skolear)
    return dict(zip(names, rows[0]))


# --- the bundled copies ------------------------------------------------------------------------------


def test_bundled_downloads_are_udirs_files_without_their_school_rows(tmp_path):
    with (BUNDLED / "kilder.csv").open(encoding="utf-8") as handle:
        manifest = {r["fil"]: r for r in csv.DictReader(handle) if r["fil"].startswith("udir-csv/")}
    assert len(manifest) == 9 and len(bundled_np_files()) == 8
    for path in bundled_np_files():
        row = manifest[f"udir-csv/{NP_DIR.name}/{path.name}"]
        levels = {line.split("\t", 1)[0] for line in lines_of(path)[2:]}
        assert levels == {"1", "2", "3"} and row["bearbeiding"].startswith("skolerader (EnhetNivaa 4) fjernet")
        assert row["hentet"] in ("2026-02-18", "2026-02-24") and row["opphav"].startswith("ODushyn/oslo-skoler@")
    assert manifest[f"udir-csv/gsi-bergen-2021-2025/{GSI_FILE.name}"]["bearbeiding"] == "uendret"
    assert sum(p.stat().st_size for p in CSV_DIR.rglob("*.csv")) < 700_000  # the originals: 3.5 MB
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (a clone without ../shared); CI has it")
    from etl import udir_utdrag

    rows = udir_utdrag.make(SHARED, tmp_path)
    for r in rows:
        original = SHARED / r["fil"].removeprefix("udir-csv/")
        assert (tmp_path / r["fil"].removeprefix("udir-csv/")).read_bytes() == (BUNDLED / r["fil"]).read_bytes()
        assert manifest[r["fil"]]["sha256_original"] == hashlib.sha256(original.read_bytes()).hexdigest()
        # every line of a copy is the original's, in order; what is left out are school rows
        kept, whole = lines_of(BUNDLED / r["fil"]), lines_of(original)
        if manifest[r["fil"]]["bearbeiding"] == "uendret":
            assert original.read_bytes() == (BUNDLED / r["fil"]).read_bytes()
        else:
            assert [line for line in whole if not line.startswith("4\t")] == kept


# --- every cell, and the spot values -----------------------------------------------------------


def test_every_cell_of_every_download_is_in_the_warehouse_and_every_star_stays_hidden(built_warehouse: Path):
    with connect_ro(built_warehouse) as con:
        cells = warehouse_cells(con)
    stars = checked = 0
    for path in bundled_np_files():
        for key, text in np_cells(path).items():
            verdi, undertrykt, mangler = cells[key]
            if text == "*":
                assert undertrykt and verdi is None and not mangler, (path.name, key)
                stars += 1
            elif text == "":
                assert mangler and verdi is None and not undertrykt, (path.name, key)
            else:
                assert verdi == pytest.approx(number(text)) and not undertrykt, (path.name, key)
            checked += 1
    assert checked > 25_000 and stars > 2_000


def test_spot_values_equal_the_files(built_warehouse: Path):
    """docs/offentlig-statistikk.md and ../shared/public-data/udir-csv/README.md, checked by hand."""
    expected = {  # (kommune, indikator, skoleår): (skalapoeng, elever)
        ("3401", "np_eng_5", "2022-23"): (49, 181), ("3401", "np_les_5", "2022-23"): (49, 176),
        ("3401", "np_reg_5", "2022-23"): (48, 179), ("3401", "np_eng_5", "2025-26"): (51, 160),
        ("3401", "np_les_5", "2025-26"): (48, 149), ("3401", "np_reg_5", "2025-26"): (50, 157),
        ("3403", "np_eng_5", "2022-23"): (50, None), ("3403", "np_les_5", "2022-23"): (51, None),
        ("3403", "np_reg_5", "2022-23"): (51, None),
    }
    with connect_ro(built_warehouse) as con:
        for (kommune, indikator, skolear), (verdi, elever) in expected.items():
            row = mart(con, "kommune", kommune, indikator, skolear)
            assert row["verdi"] == verdi and row["grunnlag"] == "Udir", (kommune, indikator, skolear)
            assert elever is None or row["nevner"] == elever
        # Bergen's share of pupils with special education, five years of the GSI download
        bergen = [round(mart(con, "kommune", "4601", "andel_itos", f"{y}-{(y + 1) % 100:02d}")["verdi"], 1)
                  for y in range(2021, 2026)]
        land = [round(mart(con, "land", "alle", "andel_itos", f"{y}-{(y + 1) % 100:02d}")["verdi"], 1)
                for y in range(2021, 2026)]
        schools = con.execute(
            "select count(distinct organisasjonsnummer), count(*) filter (where maal = 'skoler' and mangler), "
            "count(*) from stg_udir_skole").fetchone()
    assert bergen == [5.9, 5.8, 6.3, 6.4, 6.3] and land == [7.8, 7.8, 8.1, 8.0, 7.6]
    # the GSI download is bundled whole: Bergen's 95 schools, five years, four measures («Antall
    # skoler» is empty for a school)
    assert schools == (95, 95 * 5, 95 * 5 * 4)


def test_old_municipality_codes_land_on_2024_codes(built_warehouse: Path):
    with connect_ro(built_warehouse) as con:
        kongsberg = con.execute(
            "select distinct omrade_kode from stg_udir_verdi where kode_kilde = '3006' and skolear in ('2022-23', '2023-24')"
        ).fetchall()
        stray = con.execute(
            "select count(*) from stg_udir_verdi where omrade_type = 'kommune' "
            "and omrade_kode not in (select kommunenummer from stg_kommune)").fetchone()[0]
        row = mart(con, "kommune", "3303", "np_les_5", "2022-23")
        alesund = mart(con, "kommune", "1508", "np_les_5", "2022-23")
        haram = mart(con, "kommune", "1580", "np_les_5", "2022-23")
        counties = {r[0] for r in con.execute("select distinct omrade_kode from stg_udir_verdi where omrade_type = 'fylke' "
                                              "and skolear = '2022-23' and tabell = 'np'").fetchall()}
    assert kongsberg == [("3303",)] and stray == 0
    assert (row["verdi"], row["nevner"]) == (52, 312)
    # Ålesund 2020-2023 was split in 2024: its figure stays whole and says so; Haram is in it
    assert "Ålesund (1507) slik kommunen var 2020–2023" in alesund["merknad"]
    assert haram["status"] == "mangler" and "Inngår i Udirs tall for Ålesund (1507)" in haram["merknad"]
    # Viken, Vestfold og Telemark and Troms og Finnmark are not 2024 counties: not used
    assert counties == NEW_COUNTIES - {"31", "32", "33", "39", "40", "55", "56"}


def test_the_csv_download_and_the_api_agree_where_both_have_a_cell():
    _, rows = table(NP_DIR / "2025-26_20260218-1045_Nasjonale_proever_5._trinn.csv")
    csv_cells = {r["Kommunekode"] if r["EnhetNivaa"] == "3" else r["Fylkekode"]:
                 r["2025-26.Lesing.5. årstrinn.Alle eierformer.Alle kjønn.Skalapoeng"]
                 for r in rows if r["EnhetNivaa"] in ("2", "3")}
    doc = json.loads((BUNDLED / "udir-nasjonale-prover" / "data.trinn5.NPLES.anchor12.json").read_text(encoding="utf-8"))
    api = {r["kode"]: r["data"][0] for r in doc["rows"]}
    assert len(api) > 350 and all(csv_cells[k] == v for k, v in api.items())


# --- aggregates by hand ------------------------------------------------------------------------------


def members(pid: str) -> list[str]:
    doc = yaml.safe_load((PROJECT_ROOT / "data" / "partnerships.yaml").read_text(encoding="utf-8"))
    return next([k["kommunenummer"] for k in p["kommuner"]] for p in doc["partnerskap"] if p["id"] == pid)


def by_hand(cells: dict, maal: str, year: str, codes: list[str]) -> dict:
    """A pupils-weighted mean over municipalities, or its bounds when some are hidden (each hidden
    municipality 0–9 pupils, its mean 0–100)."""
    shown = [k for k in codes if cells.get((f"{maal}_skalapoeng", year, "kommune", k), "") not in ("*", "")]
    hidden = [k for k in codes if cells.get((f"{maal}_skalapoeng", year, "kommune", k)) == "*"]
    total = sum(number(cells[(f"{maal}_skalapoeng", year, "kommune", k)])
                * number(cells[(f"{maal}_deltatt", year, "kommune", k)]) for k in shown)
    pupils = sum(number(cells[(f"{maal}_deltatt", year, "kommune", k)]) for k in shown)
    if not hidden:
        return {"verdi": total / pupils, "nevner": pupils}
    cap = 9 * len(hidden)
    return {"nedre": min(total / pupils, total / (pupils + cap)),
            "ovre": max(total / pupils, (total + 100 * cap) / (pupils + cap)), "antall_skjult": len(hidden)}


def test_kongsbergregionen_with_its_counties_and_the_country_equal_hand_computations(built_warehouse: Path):
    codes = members("kongsbergregionen-alle-med")
    kommuner = list(csv.DictReader((PROJECT_ROOT / "data" / "geo" / "kommuner_2024.csv").open(encoding="utf-8")))
    checked = defaultdict(int)
    with connect_ro(built_warehouse) as con:
        for path in sorted(NP_DIR.glob("*5._trinn.csv")):
            cells = np_cells(path)
            year = path.name[:7]
            for niva, niva_id, group in (("partnerskap", "kongsbergregionen-alle-med", codes),
                                         ("fylke", "33", [k["kommunenummer"] for k in kommuner if k["fylkesnummer"] == "33"]),
                                         ("fylke", "40", [k["kommunenummer"] for k in kommuner if k["fylkesnummer"] == "40"])):
                row = mart(con, niva, niva_id, "np_les_5", year)
                if niva == "fylke" and ("np_les_5_skalapoeng", year, "fylke", niva_id) in cells:
                    # a 2024 county in the file: Udir's own figure
                    assert row["grunnlag"] == "Udir"
                    assert row["verdi"] == number(cells[("np_les_5_skalapoeng", year, "fylke", niva_id)])
                    checked["udir"] += 1
                    continue
                expected = by_hand(cells, "np_les_5", year, group)
                for key, value in expected.items():
                    assert row[key] == pytest.approx(value), (niva_id, year, key)
                assert row["status"] == ("ok" if "verdi" in expected else "delvis")
                checked[row["status"]] += 1
            land = mart(con, "land", "alle", "np_les_5", year)
            assert land["verdi"] == number(cells[("np_les_5_skalapoeng", year, "land", "alle")])
            assert land["usikkerhet"] == number(cells[("np_les_5_usikkerhet", year, "land", "alle")])
    # four school years: Buskerud and Telemark summed in 2022-23 and 2023-24, Udir's after
    assert checked["udir"] == 4 and checked["ok"] >= 4 and checked["delvis"] >= 2


# --- python -m etl import udir FIL.csv -----------------------------------------------------------------


def kept(copy) -> list[Path]:
    folder = copy.data / "ingen-import" / "udir"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def utf16(text: str, bom: bool = False) -> bytes:
    return (b"\xff\xfe" if bom else b"") + text.encode("utf-16-le")


def download_text(name: str = "2025-26_20260218-1045_Nasjonale_proever_5._trinn.csv") -> str:
    return (NP_DIR / name).read_bytes().decode("utf-16-le")


def test_import_of_a_download_with_a_byte_order_mark_keeps_it_and_rebuilds(built_project_copy, tmp_path):
    """Udir's own file as it comes from the download button, here with a byte-order mark."""
    source = tmp_path / "Nasjonale_proever_5._trinn.csv"
    source.write_bytes(utf16(download_text(), bom=True))
    proc = built_project_copy.run("import", "udir", str(source), "--hentet", "2026-02-18")
    assert proc.returncode == 0, describe(proc)
    assert "skoleår 2025-26: hele landet, 15 fylker, 357 kommuner, Svalbard" in proc.stderr
    assert "skjult av Udir («*»)" in proc.stderr and "Guovdageaidnu - Kautokeino" in proc.stderr
    files = kept(built_project_copy)
    assert [p.name.split("-", 1)[1] for p in files] == [source.name, source.name + ".kilde.json"]
    assert files[0].read_bytes() == source.read_bytes()
    meta = json.loads(files[1].read_text(encoding="utf-8"))
    assert meta["hentet"] == "2026-02-18" and meta["opprinnelse"] == "importert"
    with connect_ro(built_project_copy.warehouse) as con:
        [(n,)] = con.execute("select count(*) from stg_udir_verdi where fil = ?", [files[0].name]).fetchall()
        row = mart(con, "kommune", "3401", "np_eng_5", "2025-26")
    assert n > 3000 and (row["verdi"], row["nevner"]) == (51, 160)


def test_a_download_over_several_years_with_a_renumbered_municipality(built_project_copy, tmp_path):
    """Two school years in one file, the way the download button gives them: Kongsberg has one row
    with the 2020–2023 code (3006, empty in 2024-25) and one with the 2024 code (3303, empty in
    2023-24). Both years land on 3303; the empty cells of the code not in use are dropped. The
    values are Udir's, from the bundled single-year files."""
    header = ("EnhetNivaa\tNasjonaltkode\tFylkekode\tKommunekode\tOrganisasjonsnummer\tNasjonalt\tFylke\tKommune\t"
              "EnhetNavn\t2023-24.Lesing.5. årstrinn.Alle eierformer.Alle kjønn.Skalapoeng\t"
              "2023-24.Lesing.5. årstrinn.Alle eierformer.Alle kjønn.Antall elever deltatt\t"
              "2024-25.Lesing.5. årstrinn.Alle eierformer.Alle kjønn.Skalapoeng\t"
              "2024-25.Lesing.5. årstrinn.Alle eierformer.Alle kjønn.Antall elever deltatt")
    rows = ["3\tI\t30\t3006\t3006\tHele landet\tViken (2020 - 2023)\tKongsberg (2020 - 2023)\tKongsberg\t51\t284\t\t",
            "3\tI\t33\t3303\t3303\tHele landet\tBuskerud\tKongsberg\tAlle skoler\t\t\t50\t276"]
    source = tmp_path / "to_aar.csv"
    source.write_bytes(utf16("sep=\t\n" + header + "\n" + "\n".join(rows) + "\n"))
    proc = built_project_copy.run("import", "udir", str(source))
    assert proc.returncode == 0, describe(proc)
    assert "skoleår 2023-24, 2024-25: 1 kommune" in proc.stderr
    with connect_ro(built_project_copy.warehouse) as con:
        got = con.execute(
            "select skolear, kode_kilde, verdi from stg_udir_verdi where omrade_kode = '3303' "
            "and maal = 'np_les_5_skalapoeng' and skolear in ('2023-24', '2024-25') order by skolear").fetchall()
    assert got == [("2023-24", "3006", 51.0), ("2024-25", "3303", 50.0)]


def test_a_download_that_conflicts_with_a_kept_one_is_refused_naming_both(built_project_copy, tmp_path):
    first = tmp_path / "forste.csv"
    first.write_bytes(utf16(download_text()))
    assert built_project_copy.run("import", "udir", str(first)).returncode == 0
    before = snapshot(built_project_copy.warehouse)
    text = download_text()
    line = next(x for x in text.split("\n") if x.startswith("3\tI\t34\t3401\t"))
    second = tmp_path / "andre.csv"
    second.write_bytes(utf16(text.replace(line, line.replace("\t51\t", "\t52\t", 1))))
    proc = built_project_copy.run("import", "udir", str(second))
    assert proc.returncode == 2, describe(proc)
    assert "Kongsvinger (3401)" in proc.stderr and "fant «52»" in proc.stderr and "forste.csv («51»)" in proc.stderr
    assert "skoleår 2025-26" in proc.stderr and "ingenting er endret" in proc.stderr
    assert snapshot(built_project_copy.warehouse) == before and len(kept(built_project_copy)) == 2


def _replace(old: str, new: str, count: int = 1):
    def make(text: str) -> bytes:
        assert old in text, old
        return utf16(text.replace(old, new, count))
    return make


def _kongsvinger(text: str) -> str:
    return next(x for x in text.split("\n") if x.startswith("3\tI\t34\t3401\t"))


# name -> (how the bad file is made from a bundled download, texts the message must hold)
BAD = {
    "a SePU export": (lambda _: (PROJECT_ROOT / "data" / "examples" / "resultater.csv").read_bytes(),
                      ["linje 1", "en CSV-fil med skilletegn «;»", "runde;enhet_id", "UTF-16 med tabulator"]),
    "a Windows-1252 export": (lambda _: (PROJECT_ROOT / "data" / "examples" / "svar.csv").read_bytes(),
                              ["tegn som ikke er UTF-8", "CSV-nedlasting fra Udirs statistikkbank"]),
    "semicolons instead of tabs": (lambda t: utf16(t.replace("\t", ";")),
                                   ["linje 1", "fant «sep=;»", "tabulator"]),
    "no sep line and commas": (lambda t: utf16(t.split("\n", 1)[1].replace("\t", ",")),
                               ["linje 1", "skilletegn «,»", "EnhetNivaa,Nasjonaltkode"]),
    "a file cut in a row": (lambda t: utf16(t[: t.index(_kongsvinger(t)) + 40]),
                            ["linje {kongsvinger}: fant «8 felt»", "forventet 18 felt som overskriften (er filen avkortet?)"]),
    "a file cut in a character": (lambda t: utf16(t)[:-1],
                                  ["et oddetall", "filen er avkortet midt i et tegn"]),
    "text in a number cell": (lambda t: utf16(t.replace(_kongsvinger(t), _kongsvinger(t).replace("\t51\t", "\tca. 51\t", 1))),
                              ["linje {kongsvinger} (Kongsvinger, 3401)",
                               "kolonne «2025-26.Engelsk.5. årstrinn.Alle eierformer.Alle kjønn.Skalapoeng»",
                               "fant «ca. 51»", "desimalkomma"]),
    "an unknown municipality": (lambda t: utf16(t.replace("\t3401\t3401\t", "\t3499\t3499\t")),
                                ["(Kongsvinger, 3499)", "kolonne «Kommunekode»", "fant «3499»", "kjent kommunenummer"]),
    "results for boys only": (_replace("Engelsk.5. årstrinn.Alle eierformer.Alle kjønn.Skalapoeng",
                                       "Engelsk.5. årstrinn.Alle eierformer.Gutter.Skalapoeng"),
                              ["linje 2", "fant «Gutter»", "et utvalg for alle elever"]),
    "a school year that is not one": (_replace("2025-26.Lesing.5. årstrinn.Alle eierformer.Alle kjønn.Skalapoeng",
                                               "2025-27.Lesing.5. årstrinn.Alle eierformer.Alle kjønn.Skalapoeng"),
                                      ["linje 2", "fant «2025-27»", "et skoleår som «2024-25»"]),
    "a municipality twice": (lambda t: utf16(t.replace(_kongsvinger(t), _kongsvinger(t) + "\n" + _kongsvinger(t))),
                             ["(Kongsvinger, 3401)", "hvert område én gang (også på linje"]),
    "no measure columns": (lambda t: utf16("\n".join("\t".join(x.split("\t")[:9]) for x in t.split("\n"))),
                           ["linje 2", "fant «ingen målkolonner»", "Skalapoeng"]),
    "a level that is none": (lambda t: utf16(t.replace(_kongsvinger(t), "5" + _kongsvinger(t)[1:])),
                             ["kolonne «EnhetNivaa»", "fant «5»", "4 (skole)"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_download_is_refused_in_norwegian_and_changes_nothing(case, built_project_copy, tmp_path):
    make, expected = BAD[case]
    bad = tmp_path / "nedlasting.csv"
    bad.write_bytes(make(download_text()))
    before = snapshot(built_project_copy.warehouse)
    proc = built_project_copy.run("import", "udir", str(bad))
    assert proc.returncode == 2, describe(proc)
    assert "Feil i inndata" in proc.stderr and "ingenting er endret" in proc.stderr and str(bad) in proc.stderr
    line = download_text().split("\n").index(_kongsvinger(download_text())) + 1
    for text in expected:
        text = text.format(kongsvinger=line)
        assert text in proc.stderr, (text, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert kept(built_project_copy) == [] and snapshot(built_project_copy.warehouse) == before

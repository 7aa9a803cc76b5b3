"""`python -m etl import units|answers|results|mapping FILE`, end to end through the CLI.

Every run points KL_WAREHOUSE, KL_IMPORT_DIR, KL_DEMO_DIR and KL_CACHE_DIR into pytest's tmp
folders. Expensive chains of imports are done once per test session (shared between the xdist
workers through a file lock) and only read afterwards; a test that must change a state works on
its own copy of it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from conftest import (
    FYLKE_GEOJSON,
    KOMMUNE_GEOJSON,
    PROJECT_ROOT,
    connect_ro,
    describe,
    etl_env,
    run_cli,
    shared_once,
    snapshot,
)

EXAMPLES = PROJECT_ROOT / "data" / "examples"
# (kind, file, Norwegian name of the kind in the success message), in the documented order
EXAMPLE_IMPORTS = (
    ("units", "enheter.csv", "enheter"),
    ("answers", "svar.csv", "svar"),
    ("results", "resultater.csv", "resultater"),
    ("mapping", "kartlegging.xlsx", "kartlegging"),
)
MAX_SHOWN = 50  # etl/errors.py: the first 50 problems are listed, then «… og N problem(er) til.»


# --- a state: warehouse + kept imports + demo folder, all in tmp -------------------------------


@dataclass(frozen=True)
class State:
    root: Path

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def imports(self) -> Path:
        return self.root / "imports"

    def env(self, geo: Path, **extra: str) -> dict[str, str]:
        return etl_env(
            self.warehouse,
            self.root / "cache",
            KL_IMPORT_DIR=str(self.imports),
            KL_DEMO_DIR=str(self.root / "demo"),
            KL_GEOJSON=str(geo / KOMMUNE_GEOJSON),
            KL_FYLKE_GEOJSON=str(geo / FYLKE_GEOJSON),
            **extra,
        )

    def run(self, geo: Path, *args: str):
        return run_cli(list(args), env=self.env(geo))


def copy_state(source: Path, dest: Path) -> State:
    shutil.copytree(source, dest, symlinks=True, ignore=shutil.ignore_patterns(".ferdig", "*.json"))
    return State(dest)


def listing(folder: Path) -> dict[str, str]:
    """Every file under folder (hidden ones too) with its sha256."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def output(proc) -> str:
    return proc.stdout + proc.stderr


def problems(stderr: str) -> list[str]:
    return [line.strip()[2:] for line in stderr.splitlines() if line.startswith("  - ")]


def write_csv(path: Path, rows: list[list[object]], sep: str = ",", encoding: str = "utf-8") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=sep, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def data_rows(path: Path) -> int:
    """Non-empty data rows of an example file (header excluded)."""
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        rows = [r for r in sheet.iter_rows(values_only=True) if any(v not in (None, "") for v in r)]
    else:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        rows = [line for line in text.splitlines() if line.strip()]
    return len(rows) - 1


def table(warehouse: Path, sql: str) -> pl.DataFrame:
    """Query the build's private twin: imported rows live there, never in the public warehouse."""
    from etl.warehouse import private_file

    with connect_ro(private_file(warehouse)) as con:
        return con.sql(sql).pl()


def sorted_frame(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


# --- the example files: imported in order, rebuilt from scratch, imported twice ----------------


@pytest.fixture(scope="session")
def examples(tmp_path_factory, geo_dir: Path) -> Path:
    """The four example files imported in order into an empty setup, each then imported again,
    and finally `build` from the same KL_IMPORT_DIR into a second, new warehouse."""

    def make(root: Path) -> None:
        state = State(root)
        log: dict[str, object] = {"first": [], "again": []}
        for kind, name, _ in EXAMPLE_IMPORTS:
            proc = state.run(geo_dir, "import", kind, str(EXAMPLES / name))
            log["first"].append({"kind": kind, "rc": proc.returncode, "out": output(proc)})
        log["before_again"] = asdict(snapshot(state.warehouse))
        log["imports_before_again"] = listing(state.imports)
        for kind, name, _ in EXAMPLE_IMPORTS[::3]:  # a CSV and the workbook
            proc = state.run(geo_dir, "import", kind, str(EXAMPLES / name))
            log["again"].append({"kind": kind, "rc": proc.returncode, "out": output(proc)})
        log["after_again"] = asdict(snapshot(state.warehouse))
        log["imports_after_again"] = listing(state.imports)
        rebuilt = root / "rebuilt" / "warehouse.duckdb"
        env = state.env(geo_dir) | {"KL_WAREHOUSE": str(rebuilt)}
        proc = run_cli(["build", "--quiet"], env=env)
        log["rebuild"] = {"rc": proc.returncode, "out": output(proc)}
        (root / "log.json").write_text(json.dumps(log), encoding="utf-8")

    return shared_once(tmp_path_factory, "examples-imported", make)


def example_log(examples: Path) -> dict:
    return json.loads((examples / "log.json").read_text(encoding="utf-8"))


def test_examples_import_in_order_and_are_kept(examples: Path):
    log = example_log(examples)
    imports = examples / "imports"
    for (kind, name, noun), run in zip(EXAMPLE_IMPORTS, log["first"], strict=True):
        source = EXAMPLES / name
        assert run["rc"] == 0, f"import {kind} {name} failed:\n{run['out']}"
        assert "Traceback" not in run["out"]
        match = re.search(
            rf"Lest {re.escape(str(source))} \(([^)]*)\): (\d+) rader, (\d+) godtatt som {noun}\.",
            run["out"],
        )
        assert match, f"no «Lest … rader, … godtatt som {noun}» line:\n{run['out']}"
        read, accepted = int(match[2]), int(match[3])
        assert read == data_rows(source), run["out"]
        if kind == "results":  # 0602 Drammen + 0625 Nedre Eiker (2019) become one row for 3301
            assert accepted == read - 1, run["out"]
            assert "0602, 0625" in run["out"] and "3301" in run["out"], run["out"]
        else:
            assert accepted == read, run["out"]
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        kept = imports / kind / f"{digest[:12]}-{name}"
        assert kept.is_file(), f"{name} was not kept as {kept}: {sorted(imports.rglob('*'))}"
        assert kept.read_bytes() == source.read_bytes()
        assert f"Tatt vare på som {kept}" in run["out"], run["out"]
        assert "Lageret er bygget på nytt" in run["out"], run["out"]
    kept_all = sorted(str(p.relative_to(imports)) for p in imports.rglob("*") if p.is_file())
    originals = [p for p in kept_all if not p.endswith(".parquet")]
    assert len(originals) == 4, kept_all
    # beside each original its normalised frame, with the same hash in the name
    assert sorted(kept_all) == sorted(originals + [p + ".parquet" for p in originals]), kept_all
    assert not list((examples / "warehouse.duckdb").parent.glob("demo/*")), "import wrote demo data"


def test_example_formats_are_recognised(examples: Path):
    out = {run["kind"]: run["out"] for run in example_log(examples)["first"]}
    assert "(CSV, UTF-8, skilletegn komma)" in out["units"], out["units"]
    assert "(CSV, Windows-1252, skilletegn semikolon)" in out["answers"], out["answers"]
    assert "(CSV, UTF-8, skilletegn semikolon)" in out["results"], out["results"]
    assert "(Excel, arket «Kartlegging»)" in out["mapping"], out["mapping"]


def test_importing_the_same_file_again_changes_nothing(examples: Path):
    log = example_log(examples)
    for (kind, name, _), run in zip(EXAMPLE_IMPORTS[::3], log["again"], strict=True):
        assert run["rc"] == 0, run["out"]
        assert "allerede importert, ingen endring" in run["out"], run["out"]
        assert name in run["out"]
        assert "Lageret er bygget" not in run["out"], f"{kind}: a repeated import rebuilt:\n{run['out']}"
    assert log["after_again"] == log["before_again"], "a repeated import changed the warehouse"
    assert log["imports_after_again"] == log["imports_before_again"], "a repeated import kept a copy"


def test_rebuild_from_scratch_reproduces_the_marts(examples: Path):
    rebuild = example_log(examples)["rebuild"]
    assert rebuild["rc"] == 0, rebuild["out"]
    imported, rebuilt = examples / "warehouse.duckdb", examples / "rebuilt" / "warehouse.duckdb"
    assert imported.resolve() != rebuilt.resolve()
    for name in ("mart_indikator", "mart_kartlegging", "mart_indikator_endring", "mart_enhet"):
        a = sorted_frame(table(imported, f"select * from {name}"))
        b = sorted_frame(table(rebuilt, f"select * from {name}"))
        # the examples have one round of answers; their results are on another norm, so no
        # change between rounds compares like with like
        assert a.height > 0 or name == "mart_indikator_endring", f"{name} is empty after importing the examples"
        assert a.equals(b), f"{name} differs between the imported and the rebuilt warehouse"


def test_examples_arrive_in_the_warehouse(examples: Path):
    warehouse = examples / "warehouse.duckdb"
    units = table(warehouse, "select * from stg_enhet order by enhet_id")
    by_id = {r["enhet_id"]: r for r in units.iter_rows(named=True)}
    assert set(by_id) == {"EKS-SKOLE-1", "EKS-SFO-1", "EKS-BHG-1", "EKS-SKOLE-2", "EKS-PPT-1"}
    # old codes: 0604 (until 2019), 604 (lost leading zero) and 3006 (2020-2023) are 3303 Kongsberg
    for enhet, kilde in (("EKS-SKOLE-1", "0604"), ("EKS-SFO-1", "604"), ("EKS-BHG-1", "3006")):
        assert by_id[enhet]["kommunenummer"] == "3303", by_id[enhet]
        assert by_id[enhet]["kommunenummer_kilde"] == kilde, by_id[enhet]
    assert by_id["EKS-SFO-1"]["enhetstype"] == "sfo"
    assert by_id["EKS-BHG-1"]["organisasjonsnummer"] == "123456785"
    assert by_id["EKS-SKOLE-2"]["enhet_navn"] == "Prøveskolen (fiktiv)"
    assert not any(r["syntetisk"] for r in by_id.values())

    # Windows-1252 answers: "2023-høst" decoded, kjønn "J" normalised
    answers = table(warehouse, "select * from privat.stg_svar")
    assert answers.height == data_rows(EXAMPLES / "svar.csv")
    assert set(answers["runde"]) == {"2023-høst"}
    assert set(answers["kjonn"].drop_nulls()) <= {"gutt", "jente"}
    assert answers.filter(pl.col("respondent_id") == "E-003")["kjonn"].unique().to_list() == ["jente"]

    # results: decimal comma, and 0602 + 0625 (2019) pooled into one 3301 row (n, Σx, Σx²)
    results = table(warehouse, "select * from privat.stg_resultat")
    skole2 = results.filter((pl.col("enhet_id") == "EKS-SKOLE-2") & (pl.col("indikator") == "trivsel"))
    assert skole2.select("antall_svar", "skaar", "standardavvik").row(0) == (42, 512.3, 96.1)
    drammen = results.filter(pl.col("runde") == "2019").to_dicts()
    assert len(drammen) == 1 and drammen[0]["kommunenummer"] == "3301", drammen
    n1, m1, s1, n2, m2, s2 = 1210, 503.0, 98.0, 640, 495.5, 102.0
    n = n1 + n2
    mean = (n1 * m1 + n2 * m2) / n
    ss = (n1 - 1) * s1**2 + n1 * m1**2 + (n2 - 1) * s2**2 + n2 * m2**2
    assert drammen[0]["antall_svar"] == n
    assert drammen[0]["skaar"] == pytest.approx(mean, abs=1e-9)
    assert drammen[0]["standardavvik"] == pytest.approx(math.sqrt((ss - n * mean**2) / (n - 1)), abs=1e-6)

    # the unit result is visible as a unit cell (42 >= K)
    cell = table(
        warehouse,
        "select antall_svar, skaar, undertrykt from mart_indikator where niva = 'enhet' "
        "and niva_id = 'EKS-SKOLE-2' and indikator = 'trivsel' and gruppering = 'alle'",
    )
    assert cell.rows() == [(42, 512.3, False)]
    # the mapping workbook: 3 respondents x 3 areas; K-001 "Lærer" is a pedagog
    mapping = table(warehouse, "select * from privat.stg_kartlegging")
    assert mapping.height == 9
    assert set(mapping.filter(pl.col("respondent_id") == "K-001")["rolle"]) == {"pedagog"}
    assert set(mapping["kommunenummer"]) == {"3303", "3407"}


# --- formats: separators, encodings, decimal comma, xlsx ---------------------------------------

UNITS_ANSI = [
    ["Enhet ID", "Enhet navn", "Enhetstype", "Kommunenummer", "Eierform", "Organisasjonsnummer", "Merknad før året"],
    ["FMT-SKOLE-1", "Bjørkåsen skole", "Skole", "0604", "Kommunal", "", "første"],
    ["FMT-BHG-1", "Ærlige Øvre Åsen barnehage", "barnehage", "3048", "privat", "123 456 785", ""],
    ["FMT-SKOLE-2", "Æsøy skule", "SKOLE", "624", "", "", "øy"],
    ["FMT-PPT-1", "PP-tjenesten på Søndre Ås", "ppt", "3006", "kommunal", "200 000 005", ""],
]


@pytest.fixture(scope="session")
def formats(tmp_path_factory, geo_dir: Path) -> Path:
    """Units in Windows-1252 with `;` (æøå in names), answers as .xlsx written with openpyxl (æøå
    in headers), results in Windows-1252 with `;`, «Skår» and decimal commas, and results in
    UTF-8 with BOM, `,` and quoted decimal commas."""

    def make(root: Path) -> None:
        state = State(root)
        src = root / "src"
        src.mkdir()
        files = [("units", write_csv(src / "enheter_ansi.csv", UNITS_ANSI, ";", "cp1252"))]
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "Svar høst"
        sheet.append(["Runde", "Enhet-ID", "Respondentgruppe", "Respondent ID", "Spørsmål ID", "Svar", "Trinn", "Kjønn"])
        for i, (runde, kjonn) in enumerate([("2023 høst", "G"), ("2023-host", "J"), ("2023-HØST", None)]):
            for item, svar in (("e5_triv_1", 4), ("E5_TRIV_3", 2)):
                sheet.append([runde, "FMT-SKOLE-1", "Elev_5_10", f"Bjørn-{i}", item, svar, 6, kjonn])
        workbook.save(src / "svar.xlsx")
        files.append(("answers", src / "svar.xlsx"))
        header = ["Runde", "Enhet ID", "Kommunenummer", "Respondentgruppe", "Indikator", "Antall svar", "Skår", "Standardavvik", "Norm"]
        ansi = [
            header,
            ["2023-høst", "FMT-SKOLE-2", "", "elev_5_10", "trivsel", "31", "512,3", "96,1", "Prøvenorm"],
            ["2024", "", "0602", "ansatt_skole", "samarbeid_ppt", "12", "487.5", "", "Prøvenorm"],
        ]
        files.append(("results", write_csv(src / "resultater_ansi.csv", ansi, ";", "cp1252")))
        bom = [header, ["2024", "FMT-SKOLE-2", "624", "ansatt_skole", "profesjonsfellesskap", "14", "501,25", "80,5", "Prøvenorm"]]
        path = src / "resultater_bom.csv"
        path.write_bytes(b"\xef\xbb\xbf" + write_csv(src / "tmp.csv", bom, ",").read_bytes())
        (src / "tmp.csv").unlink()
        assert b'"501,25","80,5"' in path.read_bytes()
        files.append(("results", path))
        log = []
        for kind, path in files:
            proc = state.run(geo_dir, "import", kind, str(path))
            log.append({"kind": kind, "file": str(path), "rc": proc.returncode, "out": output(proc)})
        (root / "log.json").write_text(json.dumps(log), encoding="utf-8")

    return shared_once(tmp_path_factory, "formats-imported", make)


def test_format_imports_succeed_and_name_the_format(formats: Path):
    log = json.loads((formats / "log.json").read_text(encoding="utf-8"))
    expected = [
        "(CSV, Windows-1252, skilletegn semikolon): 4 rader, 4 godtatt som enheter.",
        "(Excel, arket «Svar høst»): 6 rader, 6 godtatt som svar.",
        "(CSV, Windows-1252, skilletegn semikolon): 2 rader, 2 godtatt som resultater.",
        "(CSV, UTF-8 med BOM, skilletegn komma): 1 rader, 1 godtatt som resultater.",
    ]
    for run, text in zip(log, expected, strict=True):
        assert run["rc"] == 0, f"{run['file']}:\n{run['out']}"
        assert f"Lest {run['file']} {text}" in run["out"], run["out"]
    # the unknown column with æøå in its header is named in a note, not an error
    assert "Merknad før året" in log[0]["out"], log[0]["out"]


def test_format_imports_are_decoded_and_normalised(formats: Path):
    warehouse = formats / "warehouse.duckdb"
    units = {r["enhet_id"]: r for r in table(warehouse, "select * from stg_enhet").iter_rows(named=True)}
    assert units["FMT-SKOLE-1"]["enhet_navn"] == "Bjørkåsen skole"
    assert units["FMT-BHG-1"]["enhet_navn"] == "Ærlige Øvre Åsen barnehage"
    assert units["FMT-SKOLE-2"]["enhet_navn"] == "Æsøy skule"
    expected = {
        "FMT-SKOLE-1": ("skole", "3303", "0604", "kommunal", None),
        "FMT-BHG-1": ("barnehage", "3314", "3048", "privat", "123456785"),
        "FMT-SKOLE-2": ("skole", "3314", "624", None, None),
        "FMT-PPT-1": ("ppt", "3303", "3006", "kommunal", "200000005"),
    }
    columns = ("enhetstype", "kommunenummer", "kommunenummer_kilde", "eierform", "organisasjonsnummer")
    for enhet, values in expected.items():
        assert tuple(units[enhet][c] for c in columns) == values, units[enhet]

    answers = table(warehouse, "select * from privat.stg_svar order by respondent_id, sporsmal_id")
    assert answers.height == 6
    assert set(answers["runde"]) == {"2023-høst"}
    assert set(answers["respondentgruppe"]) == {"elev_5_10"}
    assert set(answers["sporsmal_id"]) == {"E5_TRIV_1", "E5_TRIV_3"}
    assert set(answers["trinn"]) == {6}
    genders = dict(answers.select("respondent_id", "kjonn").unique().iter_rows())
    assert genders == {"Bjørn-0": "gutt", "Bjørn-1": "jente", "Bjørn-2": None}

    results = table(warehouse, "select * from privat.stg_resultat order by runde")
    rows = results.select("runde", "enhet_id", "kommunenummer", "antall_svar", "skaar", "standardavvik").rows()
    assert sorted(rows, key=str) == sorted([
        ("2023-høst", "FMT-SKOLE-2", "3314", 31, 512.3, 96.1),
        ("2024", None, "3301", 12, 487.5, None),
        ("2024", "FMT-SKOLE-2", "3314", 14, 501.25, 80.5),
    ], key=str)


# --- errors: exit code 2, file/row/column/found/expected, nothing kept, warehouse untouched ----


@pytest.fixture(scope="session")
def units_imported(tmp_path_factory, geo_dir: Path) -> Path:
    """The example units imported into an empty setup (read only: copy it before use)."""

    def make(root: Path) -> None:
        proc = State(root).run(geo_dir, "import", "units", str(EXAMPLES / "enheter.csv"))
        if proc.returncode != 0:
            pytest.fail(f"importing the example units failed:\n{describe(proc)}", pytrace=False)

    return shared_once(tmp_path_factory, "units-imported", make)


@pytest.fixture
def state(units_imported: Path, tmp_path: Path) -> State:
    return copy_state(units_imported, tmp_path / "state")


def import_fails(state: State, geo: Path, kind: str, path: Path) -> list[str]:
    """Import a broken file: exit code 2, a Norwegian report, nothing kept, warehouse untouched."""
    before = (snapshot(state.warehouse), listing(state.imports), listing(state.root / "demo"))
    proc = state.run(geo, "import", kind, str(path))
    assert proc.returncode == 2, f"expected exit code 2\n{describe(proc)}"
    assert "Traceback" not in proc.stderr, describe(proc)
    assert proc.stdout == "", describe(proc)
    assert re.search(r"Feil i inndata \(\d+ problem\(er\)\); ingenting er endret:", proc.stderr), proc.stderr
    after = (snapshot(state.warehouse), listing(state.imports), listing(state.root / "demo"))
    assert after[0] == before[0], "a failed import changed the warehouse (link, file or builds)"
    assert after[1] == before[1], f"a failed import kept a file: {sorted(set(after[1]) - set(before[1]))}"
    assert after[2] == before[2]
    found = problems(proc.stderr)
    assert found, proc.stderr
    for problem in found:
        assert problem.startswith(str(path)), f"the problem does not name the file first: {problem}"
        assert ": fant " in problem and ", forventet " in problem, problem
    return found


def one_problem(found: list[str], *fragments: str) -> str:
    matching = [p for p in found if all(f in p for f in fragments)]
    assert len(matching) == 1, f"expected one problem with {fragments}, got:\n" + "\n".join(found)
    return matching[0]


UNIT_HEADER = ["enhet_id", "enhet_navn", "enhetstype", "kommunenummer", "eierform", "organisasjonsnummer"]
ANSWER_HEADER = ["runde", "enhet_id", "respondentgruppe", "respondent_id", "sporsmal_id", "svar", "trinn", "kjonn"]


def test_garbage_bytes_are_an_encoding_error(state: State, geo_dir: Path, tmp_path: Path):
    path = tmp_path / "enheter_søppel.csv"
    # 0x81, 0x8d, 0x90 are neither UTF-8 nor Windows-1252
    path.write_bytes(",".join(UNIT_HEADER).encode() + b"\r\nX1,Skole \x81\x8d\x90,skole,3303,,\r\n")
    [problem] = import_fails(state, geo_dir, "units", path)
    assert "fant «tegn som ikke kan leses»" in problem, problem
    assert "forventet tekst i tegnkodingen UTF-8 (med eller uten BOM) eller Windows-1252" in problem


def test_utf16_without_bom_is_an_encoding_error(state: State, geo_dir: Path, tmp_path: Path):
    path = tmp_path / "enheter_utf16.csv"
    path.write_bytes(("\r\n".join([",".join(UNIT_HEADER), "X1,Skole,skole,3303,,"]) + "\r\n").encode("utf-16-le"))
    [problem] = import_fails(state, geo_dir, "units", path)
    assert "fant «tegn som ikke kan leses»" in problem, problem


def test_missing_column(state: State, geo_dir: Path, tmp_path: Path):
    path = write_csv(
        tmp_path / "enheter_uten_type.csv",
        [["enhet_id", "enhet_navn", "kommunenummer"], ["X1", "Skole", "3303"]],
    )
    [problem] = import_fails(state, geo_dir, "units", path)
    assert f"{path}, rad 1, kolonne «enhetstype»: fant «(mangler)», forventet kolonnen «enhetstype»" in problem
    assert "(fant: enhet_id, enhet_navn, kommunenummer)" in problem, problem


def test_unknown_unit_type_and_bad_organisation_number(state: State, geo_dir: Path, tmp_path: Path):
    path = write_csv(
        tmp_path / "enheter_feil.csv",
        [
            UNIT_HEADER,
            ["X1", "Skole A", "skole", "3303", "kommunal", "123456789"],
            ["X2", "Skole B", "Grunnskole", "3303", "", ""],
            ["X3", "Skole C", "skole", "9999", "", "12345678"],
            ["X4", "Skole D", "skole", "3303", "", "123 456 785"],  # valid: no problem
        ],
    )
    found = import_fails(state, geo_dir, "units", path)
    assert len(found) == 4, found
    orgnr = one_problem(found, "rad 2,", "kolonne «organisasjonsnummer»")
    assert "fant «123456789», forventet et gyldig organisasjonsnummer" in orgnr
    assert "kontrollsiffer" in orgnr
    kind = one_problem(found, "rad 3,", "kolonne «enhetstype»")
    assert "fant «Grunnskole», forventet en av barnehage, skole, sfo, ppt" in kind
    code = one_problem(found, "rad 4,", "kolonne «kommunenummer»")
    assert "fant «9999», forventet et kjent kommunenummer" in code
    short = one_problem(found, "rad 4,", "kolonne «organisasjonsnummer»")
    assert "fant «12345678», forventet et organisasjonsnummer med 9 siffer" in short
    assert not any("rad 5" in p for p in found), found
    # listed in row order
    rows = [int(re.search(r"rad (\d+)", p)[1]) for p in found]
    assert rows == sorted(rows), found


def test_answer_out_of_the_groups_scale(state: State, geo_dir: Path, tmp_path: Path):
    path = write_csv(
        tmp_path / "svar_skala.csv",
        [
            ANSWER_HEADER,
            ["2023", "EKS-SKOLE-1", "elev_1_4", "R1", "E1_TRIV_1", "4", "3", "gutt"],
            ["2023", "EKS-SKOLE-1", "elev_1_4", "R1", "E1_TRIV_2", "3", "3", "gutt"],
            ["2023", "EKS-SKOLE-1", "elev_5_10", "R2", "E5_TRIV_1", "6", "7", "jente"],
            ["2023", "EKS-SKOLE-1", "elev_5_10", "R2", "E5_TRIV_2", "0", "7", "jente"],
        ],
    )
    found = import_fails(state, geo_dir, "answers", path)
    assert len(found) == 3, found
    small = one_problem(found, "rad 2,", "kolonne «svar»")
    assert "fant «4», forventet et heltall fra 1 til 3 (skalaen til «elev_1_4»)" in small
    assert "fant «6», forventet et heltall fra 1 til 5 (skalaen til «elev_5_10»)" in one_problem(found, "rad 4,")
    assert "fant «0», forventet et heltall fra 1 til 5" in one_problem(found, "rad 5,")


def test_unknown_unit(state: State, geo_dir: Path, tmp_path: Path):
    path = write_csv(
        tmp_path / "svar_ukjent.csv",
        [
            ANSWER_HEADER,
            ["2023", "EKS-SKOLE-1", "elev_5_10", "R1", "E5_TRIV_1", "4", "7", ""],
            ["2023", "UKJENT", "elev_5_10", "R2", "E5_TRIV_1", "4", "7", ""],
        ],
    )
    [problem] = import_fails(state, geo_dir, "answers", path)
    assert f"{path}, rad 3, kolonne «enhet_id»: fant «UKJENT», forventet en kjent enhet" in problem


def test_duplicate_rows(state: State, geo_dir: Path, tmp_path: Path):
    path = write_csv(
        tmp_path / "enheter_dobbel.csv",
        [UNIT_HEADER, ["X1", "Skole A", "skole", "3303", "", ""], ["X1", "Skole A", "skole", "3303", "", ""]],
    )
    [problem] = import_fails(state, geo_dir, "units", path)
    assert f"{path}, rad 3: fant «X1», forventet én rad per enhet_id (samme nøkkel står i rad 2)" in problem


def test_duplicate_answer_rows(state: State, geo_dir: Path, tmp_path: Path):
    row = ["2023", "EKS-SKOLE-1", "elev_5_10", "R1", "E5_TRIV_1", "4", "7", "gutt"]
    path = write_csv(tmp_path / "svar_dobbel.csv", [ANSWER_HEADER, row, row[:5] + ["5", "7", "gutt"]])
    [problem] = import_fails(state, geo_dir, "answers", path)
    assert "rad 3: fant «2023 / EKS-SKOLE-1 / R1 / E5_TRIV_1»" in problem, problem
    assert "(samme nøkkel står i rad 2)" in problem, problem


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (b"", "fant «en tom fil», forventet en overskriftsrad og minst én datarad"),
        (b"  \r\n\r\n", "fant «en tom fil», forventet en overskriftsrad og minst én datarad"),
        (",".join(UNIT_HEADER).encode() + b"\r\n", "fant «bare overskriftsraden», forventet minst én datarad"),
    ],
    ids=["empty", "blank", "header-only"],
)
def test_empty_file(state: State, geo_dir: Path, tmp_path: Path, content: bytes, found: str):
    path = tmp_path / "enheter_tom.csv"
    path.write_bytes(content)
    [problem] = import_fails(state, geo_dir, "units", path)
    assert found in problem, problem


def test_the_same_problem_on_many_rows_is_one_line(state: State, geo_dir: Path, tmp_path: Path):
    rows = [ANSWER_HEADER] + [
        ["2023", "EKS-SKOLE-1", "elev_5_10", f"R{i}", "E5_TRIV_1", "9", "7", ""] for i in range(15)
    ]
    path = write_csv(tmp_path / "svar_mange.csv", rows)
    [problem] = import_fails(state, geo_dir, "answers", path)
    assert f"{path}, rader 2–16 (15 i alt), kolonne «svar»: fant «9»" in problem, problem


def test_many_problems_are_capped_with_a_count(state: State, geo_dir: Path, tmp_path: Path):
    total = MAX_SHOWN + 23
    rows = [ANSWER_HEADER] + [
        ["2023", f"UKJENT-{i:03d}", "elev_5_10", f"R{i}", "E5_TRIV_1", "4", "7", ""] for i in range(total)
    ]
    path = write_csv(tmp_path / "svar_ukjente.csv", rows)
    before = snapshot(state.warehouse)
    proc = state.run(geo_dir, "import", "answers", str(path))
    assert proc.returncode == 2, describe(proc)
    assert f"Feil i inndata ({total} problem(er)); ingenting er endret:" in proc.stderr, proc.stderr
    assert len(problems(proc.stderr)) == MAX_SHOWN, proc.stderr
    assert f"  … og {total - MAX_SHOWN} problem(er) til." in proc.stderr.splitlines(), proc.stderr
    assert "rad 2, kolonne «enhet_id»: fant «UKJENT-000»" in proc.stderr
    assert snapshot(state.warehouse) == before
    assert not (state.imports / "answers").exists() or not any((state.imports / "answers").iterdir())


def test_a_failed_import_leaves_a_later_valid_import_possible(state: State, geo_dir: Path, tmp_path: Path):
    """Control for the error tests: the copied state accepts a valid file and keeps it."""
    path = write_csv(
        tmp_path / "svar_ok.csv",
        [ANSWER_HEADER, ["2023", "EKS-SKOLE-1", "elev_5_10", "R1", "E5_TRIV_1", "4", "7", ""]],
    )
    before = snapshot(state.warehouse)
    proc = state.run(geo_dir, "import", "answers", str(path))
    assert proc.returncode == 0, describe(proc)
    assert "1 rader, 1 godtatt som svar" in proc.stderr
    assert snapshot(state.warehouse).link_target != before.link_target
    kept = sorted(p.name for p in (state.imports / "answers").iterdir())
    assert len(kept) == 2 and kept[1] == kept[0] + ".parquet", kept


# --- real exports: other column names, title rows, a column file, unused columns -------------

UNITS_VARIANTS = [
    ["Enheter i Eksempelregionen (eksport)"],
    [],
    ["Enhetsnavn", "Enhet ID", "Type", "Kommune nr.", "Eier", "Org.nr", "Rektor"],
    ["Variantskolen på Ås (fiktiv)", "VAR-SKOLE-1", "Skole", "3303", "kommunal", "123 456 785", "Kari"],
    ["Variantskolen 2 (fiktiv)", "VAR-SKOLE-2", "skole", "3006", "", "", ""],
]
ANSWERS_VARIANTS = [["År", "Enhetskode", "Gruppe", "Respondent", "Spørsmål", "Svar", "Klassetrinn", "Kjønn"]] + [
    ["2024", "VAR-SKOLE-1", "elev_5_10", f"V-{i}", item, 3 + i % 2, 6, "J"]
    for i in range(3)
    for item in ("E5_TRIV_1", "E5_TRIV_2")
]
RESULTS_VARIANTS = [
    ["Aar", "Enhetsnr", "Kommunenr", "Gruppe", "Tema", "Antall", "Score", "SD", "Normgrunnlag", "Kommentar"],
    ["2024", "VAR-SKOLE-2", "3303", "elev_5_10", "trivsel", "25", "503,5", "91,0", "Prøvenorm", "første"],
]


@pytest.fixture(scope="session")
def real_exports(examples: Path, tmp_path_factory, geo_dir: Path) -> Path:
    """The examples state, then units, answers and results with other header names (a title row
    above the units' header) and the example export read through a column file."""

    def make(root: Path) -> None:
        state = copy_state(examples, root / "state")
        src = root / "src"
        src.mkdir()
        files = [
            ("units", write_csv(src / "enheter_varianter.csv", UNITS_VARIANTS, ";", "cp1252"), ()),
            ("answers", write_csv(src / "svar_varianter.csv", ANSWERS_VARIANTS, ";", "utf-8"), ()),
            ("results", write_csv(src / "resultater_varianter.csv", RESULTS_VARIANTS, ";", "utf-8"), ()),
            ("results", EXAMPLES / "resultater_eksport.xlsx", ()),
            (
                "results",
                EXAMPLES / "resultater_eksport.xlsx",
                ("--kolonner", str(EXAMPLES / "kolonner_resultater.yaml")),
            ),
        ]
        log = []
        for kind, path, extra in files:
            proc = state.run(geo_dir, "import", kind, str(path), *extra)
            log.append({"file": str(path), "rc": proc.returncode, "out": output(proc)})
        (root / "log.json").write_text(json.dumps(log), encoding="utf-8")

    return shared_once(tmp_path_factory, "real-exports", make)


def test_header_variants_and_title_rows_import(real_exports: Path):
    log = json.loads((real_exports / "log.json").read_text(encoding="utf-8"))
    for run in log[:3]:
        assert run["rc"] == 0, f"{run['file']}:\n{run['out']}"
    assert "(CSV, Windows-1252, skilletegn semikolon, overskrift i rad 3): 2 rader, 2 godtatt som enheter" in log[0]["out"]
    # the unused columns are named, and kept
    assert "Rektor" in log[0]["out"] and "Kommentar" in log[2]["out"], log
    warehouse = real_exports / "state" / "warehouse.duckdb"
    units = table(warehouse, "select enhet_id, enhet_navn, enhetstype, kommunenummer, organisasjonsnummer "
                  "from stg_enhet where enhet_id like 'VAR-%' order by 1").rows()
    assert units == [
        ("VAR-SKOLE-1", "Variantskolen på Ås (fiktiv)", "skole", "3303", "123456785"),
        ("VAR-SKOLE-2", "Variantskolen 2 (fiktiv)", "skole", "3303", None),
    ]
    answers = table(warehouse, "select * from privat.stg_svar where enhet_id = 'VAR-SKOLE-1'")
    assert answers.height == 6 and set(answers["kjonn"]) == {"jente"} and set(answers["runde"]) == {"2024"}
    result = table(warehouse, "select antall_svar, skaar, standardavvik from privat.stg_resultat where enhet_id = 'VAR-SKOLE-2'")
    assert result.rows() == [(25, 503.5, 91.0)]


def test_a_column_file_reads_a_foreign_export(real_exports: Path):
    log = json.loads((real_exports / "log.json").read_text(encoding="utf-8"))
    without, with_file = log[3], log[4]
    assert without["rc"] == 2, without["out"]
    assert "arket «Resultater», rad 3, kolonne «skaar»: fant «(mangler)»" in without["out"], without["out"]
    assert "--kolonner FIL.yaml" in without["out"]
    assert with_file["rc"] == 0, with_file["out"]
    assert "(Excel, arket «Resultater», overskrift i rad 3): 2 rader, 2 godtatt som resultater." in with_file["out"]
    assert "Org.nr" in with_file["out"], with_file["out"]
    warehouse = real_exports / "state" / "warehouse.duckdb"
    rows = table(warehouse, "select indikator, antall_svar, skaar from privat.stg_resultat "
                 "where runde = '2024-vår' and enhet_id = 'EKS-SKOLE-2' order by 1").rows()
    assert rows == [("mestring", 40, 501.1), ("trivsel", 40, 509.4)]
    # the Parquet file beside the kept export: the norm, and the column nobody reads, kept
    [parquet] = (real_exports / "state" / "imports" / "results").glob("*-resultater_eksport.xlsx.parquet")
    frame = pl.read_parquet(parquet)
    assert set(frame["referanse"]) == {"eksempelnorm (fiktiv)"}
    assert [json.loads(e) for e in frame["ekstra"]] == [{"Org.nr": "200 000 005"}] * 2
    assert frame["_rad"].to_list() == [4, 5]
    # and the options it was read with, so a rebuild reads it the same way
    options = json.loads(parquet.with_name(parquet.name.replace(".parquet", ".valg.json")).read_text("utf-8"))
    assert options["kolonner"]["Gj.snitt (500-skala)"] == "skaar"


# --- real and demo data never mix ---------------------------------------------------------------


def test_real_and_demo_data_are_refused_together(examples: Path, tmp_path: Path, geo_dir: Path):
    state = copy_state(examples, tmp_path / "state")
    (state.root / "demo").mkdir()
    frame = pl.DataFrame({"enhet_id": ["demo-1"], "kommunenummer": ["3303"], "enhetstype": ["skole"]})
    frame.write_parquet(state.root / "demo" / "units.parquet")
    before = snapshot(state.warehouse)
    proc = state.run(geo_dir, "build", "--quiet")
    assert proc.returncode == 2, describe(proc)
    assert "demodata" in proc.stderr and "--med-demodata" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert snapshot(state.warehouse) == before
    path = write_csv(tmp_path / "enheter.csv", [UNIT_HEADER, ["X9", "Skole", "skole", "3303", "", ""]])
    proc = state.run(geo_dir, "import", "units", str(path))
    assert proc.returncode == 2 and "--med-demodata" in proc.stderr, describe(proc)
    assert snapshot(state.warehouse) == before


# --- an import is done only when the published warehouse has it --------------------------------


def test_a_killed_import_is_imported_by_a_retry(examples: Path, tmp_path: Path, geo_dir: Path):
    """kill -9 while the import rebuilds (the build waits on a FIFO as its boundary file): the
    retry must import the file, not call it «allerede importert»."""
    import os
    import signal
    import subprocess
    import sys
    import time

    state = copy_state(examples, tmp_path / "state")
    before = snapshot(state.warehouse)
    path = write_csv(tmp_path / "enheter_ny.csv", [UNIT_HEADER, ["KILL-1", "Skole", "skole", "3303", "", ""]])
    fifo = tmp_path / "grenser.geojson"
    os.mkfifo(fifo)
    env = state.env(geo_dir) | {"KL_GEOJSON": str(fifo)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "etl", "import", "units", str(path)],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        kept = state.imports / "units"
        deadline = time.monotonic() + 120  # a generous bound on waiting, not a timing assertion
        while not any(p.name.endswith("-enheter_ny.csv") for p in kept.iterdir()):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the import never kept its file"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert snapshot(state.warehouse) == before, "the killed import published something"

    retry = state.run(geo_dir, "import", "units", str(path))
    assert retry.returncode == 0, describe(retry)
    assert "allerede importert" not in retry.stderr, retry.stderr
    assert "Lageret er bygget på nytt" in retry.stderr
    units = table(state.warehouse, "select enhet_id from stg_enhet where enhet_id = 'KILL-1'")
    assert units.height == 1
    again = state.run(geo_dir, "import", "units", str(path))
    assert again.returncode == 0 and "allerede importert, ingen endring" in again.stderr, describe(again)

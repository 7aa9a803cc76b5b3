"""`python -m etl fetch udir` against a real HTTP server on the loopback interface that answers
like Udir's statistics bank with the saved responses in data/offentlig/udir/, and offline.

The server knows exactly which request each saved response answered (report, period, filters,
row anchor); any other data request gets Udir's empty response, as the real API gives for a
combination without figures. A wrongly built request therefore brings no figures and fails.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import PROJECT_ROOT, connect_ro, describe, run_cli, snapshot

BUNDLED = PROJECT_ROOT / "data" / "offentlig" / "udir"
ALL = "_KjoennID(-10)_EierformID(-10)"
NP_SHOW = "_VisAntallRaderDeltatt(1)_VisMestringsnivaafordeling(0)_VisDeltakelsestatusfordeling(0)_VisMaaltall(0)"
GSI = "rest/v1/Statistikk/GSK/GSI/1/8/data"
FRAVAER = "rest/v1/Statistikk/GSK/FravaerG/1/1/data"
NP5 = "rest/v1/Statistikk/GSK/NasjonaleProever/4/1/data"
NPU = "rest/v1/Statistikk/GSK/NasjonaleProever/1/1/data"
RAPPORTSIDER = {
    "GSK_Elev_Skol": "udir-gsi/rapportside.json",
    "GSK_fravaer": "udir-fravar/rapportside.json",
    "GSK_NP_Geo_Trinn5": "udir-nasjonale-prover/rapportside.trinn5.json",
    "GSK_NP_Geografisk": "udir-nasjonale-prover/rapportside.ungdomstrinn.json",
}
# (endpoint, filter, radSti) -> the saved response it returned
SAVED = {
    (GSI, "TidID(202410)_TrinnID(-10)_KjoennID(-10)_KommunalitetID(-10)", "-12.*.*"): "udir-gsi/data_202410.json",
    (GSI, "TidID(202510)_TrinnID(-10)_KjoennID(-10)_KommunalitetID(-10)", "-12.*.*"): "udir-gsi/data_202510.json",
    (FRAVAER, f"TidID(202506){ALL}_VisAntallPersoner(1)_VisMaaltall(0)", "-12.*.*"): "udir-fravar/data.202506.anchor12.json",
    (FRAVAER, f"TidID(202506){ALL}_VisAntallPersoner(1)_VisMaaltall(0)", "-13.*.*"): "udir-fravar/data.202506.anchor13.json",
    (NP5, f"SkoleAarID(20252026)_TrinnID(4)_ProevetypeID(2){ALL}{NP_SHOW}", "-12.*.*"):
        "udir-nasjonale-prover/data.trinn5.NPLES.anchor12.json",
    (NPU, f"SkoleAarID(20252026)_TrinnID(7)_ProevetypeID(2){ALL}{NP_SHOW}", "-12.*.*"):
        "udir-nasjonale-prover/data.ungdomstrinn.grade8.NPLES.anchor12.json",
    (NPU, f"SkoleAarID(20252026)_TrinnID(7)_ProevetypeID(2){ALL}{NP_SHOW}", "-13.*.*"):
        "udir-nasjonale-prover/data.ungdomstrinn.grade8.NPLES.anchor13.json",
    (NPU, f"SkoleAarID(20252026)_TrinnID(8)_ProevetypeID(3){ALL}{NP_SHOW}", "-12.*.*"):
        "udir-nasjonale-prover/data.ungdomstrinn.grade9.NPENG.anchor12.json",
}
# the saved filter values of GSI list its school years; the other reports' are not saved, and the
# server answers 404 for them (fetch then asks for each year)
FILTERVERDIER = {"rest/v1/Statistikk/GSK/GSI/1/8/filterVerdier": "udir-gsi/filterverdier_years.json"}
EMPTY = (BUNDLED / "udir-nasjonale-prover" / "data.ungdomstrinn.grade9.NPENG.anchor12.json").read_bytes()
WITH_FIGURES = sorted({f for f in SAVED.values() if (BUNDLED / f).read_bytes() != EMPTY})


class FakeUdir(BaseHTTPRequestHandler):
    requests: ClassVar[list[tuple[str, dict]]] = []
    fail_at: ClassVar[int | None] = None  # the n-th data request gets a 500 (a server that breaks)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        FakeUdir.requests.append((url.path, query))
        path = url.path.lstrip("/")
        body = None
        data_calls = sum(p.endswith("/data") for p, _ in FakeUdir.requests)
        if path.endswith("/data") and data_calls == FakeUdir.fail_at:
            self.send_error(500, "Internal Server Error")
            return
        if path.startswith("rest/v1/Rapportside/") and path.rsplit("/", 1)[1] in RAPPORTSIDER:
            body = (BUNDLED / RAPPORTSIDER[path.rsplit("/", 1)[1]]).read_bytes()
        elif path in FILTERVERDIER:
            body = (BUNDLED / FILTERVERDIER[path]).read_bytes()
        elif path in (GSI, FRAVAER, NP5, NPU) and query.get("inkluderKoder") == "true":
            saved = SAVED.get((path, query.get("filter"), query.get("radSti")))
            body = (BUNDLED / saved).read_bytes() if saved else EMPTY
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def udir_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeUdir)
    FakeUdir.requests = []
    FakeUdir.fail_at = None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def env_for(copy, **extra: str) -> dict[str, str]:
    # the test proxies point at a dead port: loopback must bypass them, as on a real machine
    return copy.env() | {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"} | extra


def kept(copy) -> list[Path]:
    folder = copy.data / "ingen-import" / "udir"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_fetch_downloads_checks_keeps_and_builds(built_project_copy, udir_server):
    proc = run_cli(["fetch", "udir", "--aar", "2024-25", "2025-26", "--api", udir_server, "--pause", "0"],
                   cwd=built_project_copy.root, env=env_for(built_project_copy))
    assert proc.returncode == 0, describe(proc)
    # every report's Rapportside and list of years first, then one call per year, filter and row anchor
    paths = [p for p, _ in FakeUdir.requests]
    assert [p for p in paths if "Rapportside" in p] == [f"/rest/v1/Rapportside/{k}" for k in RAPPORTSIDER]
    assert len([p for p in paths if p.endswith("/filterVerdier")]) == 4
    data_calls = [q for p, q in FakeUdir.requests if p.endswith("/data")]
    assert len(data_calls) == 2 + 2 * 2 + 2 * 3 * 2 + 2 * 6 * 2
    # the kept files are the saved responses byte for byte, each with its provenance beside it
    files = [p for p in kept(built_project_copy) if not p.name.endswith(".kilde.json")]
    assert sorted(p.read_bytes() for p in files) == sorted((BUNDLED / f).read_bytes() for f in WITH_FIGURES)
    for path in files:
        meta = json.loads(path.with_name(path.name + ".kilde.json").read_text(encoding="utf-8"))
        assert meta["opprinnelse"] == "hentet" and meta["hentet"] == dt.date.today().isoformat()
        assert meta["endepunkt"].startswith(udir_server) and "inkluderKoder=true" in meta["endepunkt"]
    total = len(data_calls)
    assert "tomt svar" in proc.stderr and f"[{total}/{total}] Nasjonale prøver 8. og 9. trinn, 2025-26, " \
        "engelsk 9. trinn, skoler i utlandet …" in proc.stderr
    assert "[1/" in proc.stderr and "Elever og skoler (GSI), 2024-25, hele landet …" in proc.stderr
    assert not (built_project_copy.data / "ingen-import" / ".udir-henting").exists()
    with connect_ro(built_project_copy.warehouse) as con:
        fetched = con.execute(
            "select count(*), min(hentet), max(hentet) from mart_offentlig_kilde where opprinnelse = 'hentet'"
        ).fetchone()
        used = con.execute(
            "select count(distinct fil) from stg_udir_verdi where fil in "
            "(select fil from stg_udir_fil where opprinnelse = 'hentet')").fetchone()[0]
    assert fetched == (len(WITH_FIGURES), dt.date.today().isoformat(), dt.date.today().isoformat())
    assert used == len(WITH_FIGURES)


def test_fetch_without_years_asks_for_each_reports_default_years(built_project_copy, udir_server):
    proc = run_cli(["fetch", "udir", "--api", udir_server], cwd=built_project_copy.root, env=env_for(built_project_copy))
    assert proc.returncode == 0, describe(proc)
    periods = sorted({q["filter"].split("_", 1)[0] for p, q in FakeUdir.requests if p.endswith("/data")})
    # the defaults the saved Rapportsider declare: GSI 202510, fravær 202306/202406/202506, NP 20252026
    assert periods == ["SkoleAarID(20252026)", "TidID(202306)", "TidID(202406)", "TidID(202506)", "TidID(202510)"]


def test_fetch_offline_fails_clearly_and_changes_nothing(built_project_copy, udir_server):
    before = snapshot(built_project_copy.warehouse)
    dead = "http://127.0.0.1:9/"  # nothing listens on the discard port
    proc = run_cli(["fetch", "udir", "--api", dead], cwd=built_project_copy.root, env=env_for(built_project_copy))
    assert proc.returncode == 1, describe(proc)
    assert "Fikk ikke kontakt med Udirs statistikkbank" in proc.stderr and "Er maskinen på nett?" in proc.stderr
    assert "Ingenting er endret." in proc.stderr and "Traceback" not in proc.stderr
    # the default address through the machine's (dead) proxy: the same clear message
    proc = built_project_copy.run("fetch", "udir")
    assert proc.returncode == 1 and "statistikkportalen.udir.no" in proc.stderr and "Traceback" not in proc.stderr
    assert kept(built_project_copy) == [] and snapshot(built_project_copy.warehouse) == before


def test_fetch_that_fails_halfway_keeps_nothing(built_project_copy, udir_server):
    """The fake server knows no fravær Rapportside under this name: the second report fails."""
    before = snapshot(built_project_copy.warehouse)
    RAPPORTSIDER_SAVED = dict(RAPPORTSIDER)
    RAPPORTSIDER.pop("GSK_fravaer")
    try:
        proc = run_cli(["fetch", "udir", "--aar", "2024-25", "--api", udir_server],
                       cwd=built_project_copy.root, env=env_for(built_project_copy))
    finally:
        RAPPORTSIDER.update(RAPPORTSIDER_SAVED)
    assert proc.returncode == 1, describe(proc)
    assert "svarte 404" in proc.stderr and "GSK_fravaer" in proc.stderr
    assert kept(built_project_copy) == [] and snapshot(built_project_copy.warehouse) == before


def test_fetch_rejects_a_school_year_that_is_not_one(built_project_copy):
    proc = built_project_copy.run("fetch", "udir", "--aar", "2024-26")
    assert proc.returncode == 2 and "fant «2024-26», forventet et skoleår som 2024-25" in proc.stderr


def data_requests() -> list[str]:
    return [q["filter"] for p, q in FakeUdir.requests if p.endswith("/data")]


def test_a_long_series_asks_only_for_the_years_udir_holds(built_project_copy, udir_server):
    """GSI's saved list of years runs from 2014-15: 2012-13 and 2013-14 are not asked for. The other
    reports' lists are not saved (404): they are asked for every year, and a year without figures
    gives Udir's empty answer."""
    proc = run_cli(["fetch", "udir", "--aar", "2012-13..2014-15", "2025-26", "--api", udir_server, "--pause", "0"],
                   cwd=built_project_copy.root, env=env_for(built_project_copy))
    assert proc.returncode == 0, describe(proc)
    gsi = sorted({f.split("_", 1)[0] for f in data_requests() if f.startswith("TidID(2") and "TrinnID(-10)" in f})
    assert gsi == ["TidID(201410)", "TidID(202510)"]
    assert "Elever og skoler (GSI): Udir har ikke 2012-13, 2013-14 (rapporten har 2014-15–2025-26)" in proc.stderr
    assert "Fravær 10. trinn: fant ikke listen over skoleår hos Udir; spør om hvert år" in proc.stderr
    np5 = sorted({f.split("_", 1)[0] for f in data_requests() if "TrinnID(4)" in f})
    assert np5 == ["SkoleAarID(20122013)", "SkoleAarID(20132014)", "SkoleAarID(20142015)", "SkoleAarID(20252026)"]
    # one request at a time: the progress lines count up without a gap
    numbers = [int(line.split("/")[0].lstrip("[")) for line in proc.stderr.splitlines() if line.startswith("[")]
    assert numbers == list(range(1, len(data_requests()) + 1))


def test_a_fetch_that_stops_continues_where_it_stopped(built_project_copy, udir_server):
    before = snapshot(built_project_copy.warehouse)
    FakeUdir.fail_at = 7
    args = ["fetch", "udir", "--aar", "2024-25..2025-26", "--api", udir_server, "--pause", "0"]
    proc = run_cli(args, cwd=built_project_copy.root, env=env_for(built_project_copy))
    assert proc.returncode == 1, describe(proc)
    assert "svarte 500" in proc.stderr and "6 av 42 svar er lagret i" in proc.stderr
    assert "kjør samme kommando igjen for å fortsette der den stoppet" in proc.stderr
    assert kept(built_project_copy) == [] and snapshot(built_project_copy.warehouse) == before
    first = data_requests()
    first_keys = [(q["filter"], q["radSti"]) for p, q in FakeUdir.requests if p.endswith("/data")][:6]
    FakeUdir.requests, FakeUdir.fail_at = [], None
    proc = run_cli(args, cwd=built_project_copy.root, env=env_for(built_project_copy))
    assert proc.returncode == 0, describe(proc)
    assert "Fortsetter en henting som stoppet: 6 av 42 svar er hentet fra før" in proc.stderr
    # the six answers saved are not asked for again; the one that failed is, first
    again = [(p, q["filter"], q["radSti"]) for p, q in FakeUdir.requests if p.endswith("/data")]
    assert len(first) == 7 and len(again) == 42 - 6 and again[0][1] == first[6]
    assert not {(f, r) for _, f, r in again} & set(first_keys)
    assert len([p for p in kept(built_project_copy) if not p.name.endswith(".kilde.json")]) == len(WITH_FIGURES)
    assert not (built_project_copy.data / "ingen-import" / ".udir-henting").exists()


def test_a_range_must_run_forwards(built_project_copy):
    proc = built_project_copy.run("fetch", "udir", "--aar", "2025-26..2015-16")
    assert proc.returncode == 2 and "forventet det første skoleåret før det siste" in proc.stderr

"""Who sees what (issue 21): the scope in the data layer, the access file, and what the dashboard
shows without login, through public entry points: the warehouse's views on a real demo build,
the command line, and every page under AppTest.

Without login the server's address decides (dashboard/tilgang.py): listening on loopback only
(`make run`) the local operator sees every unit and every page says so; listening on the network
no unit-level result is shown, and every page says why.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import browser_helpers
import pytest
from browser_helpers import APP, PAGE_NAMES, page_paths
from conftest import PROJECT_ROOT, describe
from streamlit import config as streamlit_config
from streamlit.testing.v1 import AppTest

demo_warehouse_a = browser_helpers.demo_warehouse_a

# the marts with unit-level rows, and the views that show them only inside the viewer's scope
SCOPED = {"mart_indikator": "synlig_indikator", "mart_indikator_endring": "synlig_indikator_endring",
          "mart_deltakelse": "synlig_deltakelse"}
LOKAL = "Lokal visning: du ser alle enheters resultater"
NETT = "Resultater per enhet vises ikke"
INGEN_ENHETER = "Du har ikke tilgang til resultater per enhet"
EXAMPLE = PROJECT_ROOT / "data" / "tilgang.eksempel.yaml"


# --- the data layer -------------------------------------------------------------------------------


def test_queries_read_unit_level_marts_only_through_the_scope_views():
    """A page can only get unit rows through sql/queries/, and those read the scoped views: a new
    query that reads a mart directly, or sets the scope itself, fails here."""
    files = sorted((PROJECT_ROOT / "sql" / "queries").glob("*.sql"))
    assert files
    for path in files:
        sql = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8")).lower()
        direct = sorted(set(re.findall(r"\b(" + "|".join(SCOPED) + r")\b", sql)))
        assert not direct, f"{path.name} reads {direct} directly; read {[SCOPED[d] for d in direct]}"
        assert "variable" not in sql, f"{path.name} touches a DuckDB variable (the scope is db.py's)"


def _counts(con, view: str) -> tuple[dict[str, int], int]:
    units = dict(con.sql(f"select kommunenummer, count(*) from {view} where niva = 'enhet' group by 1").fetchall())
    [(others,)] = con.sql(f"select count(*) from {view} where niva <> 'enhet'").fetchall()
    return units, others


def test_views_show_units_only_inside_the_scope(demo_warehouse_a, connect_ro):
    with connect_ro(demo_warehouse_a) as con:
        for mart, view in SCOPED.items():
            everything, others = _counts(con, mart)
            assert len(everything) >= 2, f"{mart}: the demo build has units in fewer than two municipalities"
            assert others > 0
            # no scope set (a connection that forgot it): no unit, every other level unchanged
            assert _counts(con, view) == ({}, others), view
            con.execute("set variable omfang = []")
            assert _counts(con, view) == ({}, others), view
            # one municipality: exactly its units
            kommune = max(everything, key=everything.get)
            con.execute("set variable omfang = $k", {"k": [kommune]})
            assert _counts(con, view) == ({kommune: everything[kommune]}, others), view
            # every unit
            con.execute("set variable omfang = ['*']")
            assert _counts(con, view) == (everything, others), view
            con.execute("reset variable omfang")


# --- the pages, local and on the network ------------------------------------------------------------


@pytest.fixture
def on_network() -> Iterator[None]:
    """Streamlit listening on every interface (`make run HOST=0.0.0.0`) for one test."""
    streamlit_config.set_option("server.address", "0.0.0.0")
    try:
        yield
    finally:
        streamlit_config.set_option("server.address", "127.0.0.1")


def page(monkeypatch, warehouse: Path, name: str, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("KL_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(APP), default_timeout=90)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(page_paths()[name]).run()
    assert not at.exception, f"{name}: " + "; ".join(e.message for e in at.exception)
    return at


def unit_rows(at: AppTest) -> int:
    """Rows of the Indikatorer table (one per unit at unit level)."""
    return sum(len(frame.value) for frame in at.dataframe)


def extract_rows(at: AppTest, title: str) -> str:
    found = [m.value for m in at.markdown if m.value.startswith(f"**{title}**")]
    assert found, f"no extract {title!r}: {[m.value[:60] for m in at.markdown]}"
    return found[0]


def test_local_operator_sees_every_unit_and_every_page_says_so(monkeypatch, demo_warehouse_a):
    for name in PAGE_NAMES:
        at = page(monkeypatch, demo_warehouse_a, name)
        assert any(LOKAL in c.value for c in at.caption), f"{name}: no word that this is the local view"
        assert not any(NETT in i.value for i in at.info), name
    at = page(monkeypatch, demo_warehouse_a, "indikatorer", {"niva": "Enheter"})
    assert unit_rows(at) > 0, "the local operator sees no unit"
    assert not any(INGEN_ENHETER in i.value for i in at.info)


def test_network_without_login_shows_no_unit_and_says_why(monkeypatch, demo_warehouse_a, on_network):
    for name in PAGE_NAMES:
        at = page(monkeypatch, demo_warehouse_a, name)
        assert any(NETT in i.value for i in at.info), f"{name}: does not say why units are not shown"
        assert not any(LOKAL in c.value for c in at.caption), name
    at = page(monkeypatch, demo_warehouse_a, "indikatorer", {"niva": "Enheter"})
    assert unit_rows(at) == 0
    assert any(INGEN_ENHETER in i.value for i in at.info)
    # the municipality level is the same for everyone
    kommuner = page(monkeypatch, demo_warehouse_a, "indikatorer", {"niva": "Kommuner"})
    assert unit_rows(kommuner) > 0
    data = page(monkeypatch, demo_warehouse_a, "data", {"d_niva": "Enheter"})
    assert "· 0 rader" in extract_rows(data, "Indikatorer – enheter")


def test_cached_results_and_links_never_widen_the_scope(monkeypatch, demo_warehouse_a):
    """The local operator's results are in the process's cache first; a network viewer with the
    same filters, and a link that asks for more, still get no unit (the scope is in every key)."""
    query = {"niva": "Enheter", "omfang": "*", "rolle": "sepu", "kommune": "Hamar"}
    local = page(monkeypatch, demo_warehouse_a, "indikatorer", query)
    assert unit_rows(local) > 0
    streamlit_config.set_option("server.address", "0.0.0.0")
    try:
        remote = page(monkeypatch, demo_warehouse_a, "indikatorer", query)
    finally:
        streamlit_config.set_option("server.address", "127.0.0.1")
    assert unit_rows(remote) == 0


# --- the access file ------------------------------------------------------------------------------


def test_the_example_access_file_is_accepted(run_etl, tmp_path):
    proc = run_etl(["tilgang", str(EXAMPLE)])
    assert proc.returncode == 0, describe(proc)
    assert "er i orden: 4 oppføringer" in proc.stdout


BAD = """\
tilgang:
  - epost: ikke-en-adresse
    roller:
      eier: ["9999"]
      sepu: ja
  - sub: "a"
    org: "974760673"
    roller:
      admin: true
  - org: "12345678"
    roller:
      samarbeid: [finnes-ikke]
      leser: true
  - sub: "b"
"""


def test_a_bad_access_file_is_refused_with_lines(run_etl, tmp_path):
    fil = tmp_path / "tilgang.yaml"
    fil.write_text(BAD, encoding="utf-8")
    proc = run_etl(["tilgang", str(fil)])
    assert proc.returncode == 2, describe(proc)
    expected = [
        (2, "epost", "«ikke-en-adresse»"), (4, "roller.eier", "«9999»"), (5, "roller.sepu", "«ja»"),
        (7, "org", "«sub, org»"), (10, "org", "«12345678»"), (12, "roller.samarbeid", "«finnes-ikke»"),
        (13, "roller.leser", "«leser»"), (14, "roller", "(tom)"),
    ]
    for line, column, found in expected:
        assert re.search(rf"rad {line}, kolonne «{re.escape(column)}»: fant {re.escape(found)}", proc.stderr), (
            f"no problem for line {line} ({column}):\n{proc.stderr}")


def test_roles_give_their_scope():
    from etl import tilgang

    checked = tilgang.read(EXAMPLE)
    eier = checked.roller(None, "Skoleeier@Flesberg.eksempel.no", [])
    assert (eier.eier, eier.admin) == (frozenset({"3334"}), False)
    assert checked.omfang(eier) == tilgang.Omfang(frozenset({"3334"}))
    koordinator = checked.roller("eksempel-sub-1234", None, [])
    scope = checked.omfang(koordinator)
    assert koordinator.admin and "3334" in scope.kommuner and len(scope.kommuner) > 1
    assert checked.omfang(checked.roller(None, "analyse@sepu.eksempel.no", [])) == tilgang.ALLE
    assert checked.omfang(checked.roller("ukjent", "ukjent@example.org", ["123456789"])).tom

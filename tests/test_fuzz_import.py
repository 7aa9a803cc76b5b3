"""A fuzz test of the import boundary (hypothesis): `etl import KIND FILE [--kolonner YAML]`.

Random bytes, text in several encodings and separators, workbooks, huge and hostile strings
(bidi controls, zero-width characters, control characters, markup, formulas) and column files
that are alias bombs, deep nesting or noise. Every run must end with exit code 0 or 2 (never a
crash, never a hang: a generous bound ends the test), a Norwegian message, and for every
refusal the warehouse and the kept imports byte for byte as before.

The CLI's own `main()` runs in this process (in a thread, so a hang can be detected): a
subprocess per example would spend most of the time starting Python. The examples are
derandomised, so every run tries the same ones; an accepted file is imported for real (a rebuild),
and the state is then put back for the next example.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import threading
from pathlib import Path

import pytest
from conftest import FYLKE_GEOJSON, KOMMUNE_GEOJSON, snapshot
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_bad_input import FOREIGN, imported_examples  # noqa: F401 - the shared imported state

HANG_GUARD = 600  # seconds; only a hang gets near it (no timing is asserted)
KINDS = ("units", "answers", "results", "mapping")
HEADERS = {
    "units": ["enhet_id", "enhet_navn", "enhetstype", "kommunenummer"],
    "answers": ["runde", "enhet_id", "respondentgruppe", "respondent_id", "sporsmal_id", "svar"],
    "results": ["runde", "enhet_id", "kommunenummer", "respondentgruppe", "indikator", "antall_svar", "skaar", "norm"],
    "mapping": ["runde", "kommunenummer", "enhet_id", "rolle", "respondent_id", "omrade", "kompetanse", "behov"],
}
# values that fit the columns (so some rows, and some files, are valid)
VALID = {
    "enhet_id": ["FUZZ-1", "FUZZ-2", "EKS-SKOLE-1"], "enhet_navn": ["Fuzzskolen", "Eidsvoll <b>[x](y)</b>"],
    "enhetstype": ["skole", "barnehage"], "kommunenummer": ["3303", "0301"], "runde": ["2023", "2024-høst"],
    "respondentgruppe": ["elev_5_10"], "respondent_id": ["R1", "R2"], "sporsmal_id": ["E5_TRIV_1"],
    "svar": ["1", "4"], "indikator": ["trivsel"], "antall_svar": ["30"], "skaar": ["510,5"], "norm": ["N"],
    "rolle": ["leder", "pedagog"], "omrade": ["autisme"], "kompetanse": ["3"], "behov": ["4"],
}
HOSTILE = ["\u202e", "\u202c", "\u2066", "\u2069", "\u200b", "\u200d", "\ufeff", "\u00ad", "\x00", "\x1b[31m",
           "\x07", "\r", "\n", "\t", '"', "'", ";", ",", "|", "\\", "<img src=http://203.0.113.7/x>",
           "[a](http://203.0.113.7)", "=HYPERLINK(\"x\")", "&#x202E;", "A\u030a", "\u2028"]

hostile_text = st.lists(st.characters(codec="utf-8") | st.sampled_from(HOSTILE), max_size=12).map("".join)
huge_text = st.builds(lambda char, n: char * n, st.sampled_from(["x", "ø", "\u202e", "<"]),
                      st.sampled_from([101, 201, 40_000]))


def cell_for(column: str):
    return st.one_of(st.sampled_from(VALID.get(column, [""])), hostile_text, huge_text, st.just(""))


@st.composite
def table_rows(draw, kind: str) -> list[list[str]]:
    header = draw(st.one_of(st.just(HEADERS[kind]), st.lists(hostile_text, max_size=5)))
    rows = draw(st.lists(
        st.one_of(
            st.tuples(*[st.sampled_from(VALID.get(c, ["x"])) for c in header]).map(list),  # a valid row
            st.lists(st.one_of(*[cell_for(c) for c in header[:3]] or [hostile_text]), max_size=len(header) + 2),
        ),
        max_size=4,
    ))
    return [list(header), *rows]


def _csv(rows: list[list[str]], separator: str) -> str:
    def quoted(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if re.search(r'[",;\t|\r\n]', cell) else cell

    return "\r\n".join(separator.join(quoted(c) for c in row) for row in rows) + "\r\n"


def _xlsx(rows: list[list[str]]) -> bytes:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = openpyxl.Workbook()
    for row in rows:  # openpyxl refuses to write control characters; Excel cannot hold them
        book.active.append([ILLEGAL_CHARACTERS_RE.sub("", c)[:32_767] for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@st.composite
def import_file(draw) -> tuple[str, str, bytes]:
    kind = draw(st.sampled_from(KINDS))
    shape = draw(st.sampled_from(["csv", "csv", "xlsx", "bytes", "zip"]))
    if shape == "bytes":
        return kind, "tilfeldig.csv", draw(st.binary(max_size=2000))
    if shape == "zip":
        return kind, "ikke_en_arbeidsbok.xlsx", b"PK\x03\x04" + draw(st.binary(max_size=500))
    rows = draw(table_rows(kind))
    if shape == "xlsx":
        return kind, "fil.xlsx", _xlsx(rows)
    text = _csv(rows, draw(st.sampled_from([",", ";", "\t", "|"])))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le", "latin-1"]))
    return kind, "fil.csv", text.encode(encoding, errors="replace")


def _bomb(levels: int) -> str:
    lines = ['  l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"  l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "kolonner:\n" + "\n".join(lines) + "\n"


column_file = st.one_of(
    st.none(), st.none(),
    st.integers(3, 12).map(_bomb),
    st.integers(20, 200).map(lambda n: "kolonner: " + "[" * n + "1" + "]" * n + "\n"),
    hostile_text.map(lambda h: f"kolonner:\n  {h!r}: skaar\n"),
    st.text(max_size=200),
)


@pytest.fixture(scope="module")
def fuzz_state(imported_examples, geo_dir: Path, tmp_path_factory):  # noqa: F811 - the fixture above
    """A copy of the imported examples, and the environment of the CLI pointing at it."""
    root = tmp_path_factory.mktemp("fuzz") / "state"
    shutil.copytree(imported_examples, root, symlinks=True, ignore=shutil.ignore_patterns(".ferdig"))
    env = {
        "KL_WAREHOUSE": str(root / "warehouse.duckdb"), "KL_CACHE_DIR": str(root / "cache"),
        "KL_IMPORT_DIR": str(root / "imports"), "KL_DEMO_DIR": str(root / "demo"),
        "KL_GEOJSON": str(geo_dir / KOMMUNE_GEOJSON), "KL_FYLKE_GEOJSON": str(geo_dir / FYLKE_GEOJSON),
    }
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in __import__("os").environ if n.startswith("KL_")]:
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        yield root, Path(imported_examples)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_import(argv: list[str]) -> tuple[int | None, str]:
    """`main(argv)` in a thread; (exit code, standard error), or (None, …) if it did not end."""
    from etl.cli import main

    result: dict[str, object] = {}
    err = io.StringIO()

    def work() -> None:
        try:
            result["code"] = main(argv)
        except SystemExit as exit_:  # argparse
            result["code"] = exit_.code
        except BaseException as exc:  # noqa: BLE001 - reported by the test, not swallowed
            result["code"], result["crash"] = -1, repr(exc)

    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        thread.join(HANG_GUARD)
    if thread.is_alive():
        return None, err.getvalue()
    return result.get("code"), err.getvalue() + str(result.get("crash", ""))


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(given_file=import_file(), kolonner=column_file)
def test_the_import_boundary_exits_0_or_2_in_norwegian_and_refusals_change_nothing(
        fuzz_state, tmp_path_factory, given_file, kolonner):
    root, pristine = fuzz_state
    kind, name, data = given_file
    folder = tmp_path_factory.mktemp("inn")
    path = folder / name
    path.write_bytes(data)
    argv = ["import", kind, str(path)]
    if kolonner is not None:
        (folder / "kolonner.yaml").write_text(kolonner, encoding="utf-8", errors="surrogatepass")
        argv += ["--kolonner", str(folder / "kolonner.yaml")]
    before = (snapshot(root / "warehouse.duckdb"), _files(root / "imports"))

    code, message = run_import(argv)

    assert code is not None, f"the import did not end within {HANG_GUARD} s: {argv}"
    event(f"exit {code}")
    assert code in (0, 2), f"exit code {code}:\n{message}"
    plain = message.replace(str(folder), "").replace(str(root), "")
    assert plain.strip(), "no message"
    assert not FOREIGN.search(plain), f"library text or a Python name in:\n{message}"
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]", message), repr(message)
    if code == 2:
        assert plain.startswith(("Feil i inndata", "Feil:")), message
        assert (snapshot(root / "warehouse.duckdb"), _files(root / "imports")) == before, "a refusal changed something"
    else:  # accepted and published: back to the state every example starts from
        assert "Lageret er bygget på nytt" in message, message
        shutil.rmtree(root)
        shutil.copytree(pristine, root, symlinks=True, ignore=shutil.ignore_patterns(".ferdig"))

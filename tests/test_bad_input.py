"""Broken input files: the build stops with exit code 2, a Norwegian message that names file,
line, record and field, what was found and what was expected, and leaves the warehouse alone.

Each test breaks a file in its own copy of the project (the ETL reads data/ relative to its
package) that already holds a built warehouse.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import (
    FYLKE_GEOJSON,
    KOMMUNE_GEOJSON,
    PROJECT_ROOT,
    ProjectCopy,
    describe,
    etl_env,
    run_cli,
    shared_once,
    snapshot,
)

YAML = "data/partnerships.yaml"
BODO = "bodo-kompetanseloftet-inkluderende-praksis"
BODO_PERIODE = 'periode: {tekst: "2022-2024", start: 2022, slutt: 2024, forlenget_fra: null, forlenget_til: null}'
KONGSBERG_3303 = '{kommunenummer: "3303", navn: "Kongsberg"}'


def build_fails(copy: ProjectCopy, geo_args: list[str]) -> subprocess.CompletedProcess:
    """Run a build in the copy; it must fail as an input error and change nothing."""
    before = snapshot(copy.warehouse)
    proc = copy.run("build", "--quiet", *geo_args)
    assert proc.returncode == 2, f"expected exit code 2 (input error)\n{describe(proc)}"
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr, describe(proc)
    assert "fant" in proc.stderr and "forventet" in proc.stderr, proc.stderr
    assert "Feil i inndata" in proc.stderr, proc.stderr
    assert snapshot(copy.warehouse) == before, "a failed build changed the warehouse"
    return proc


def problems(stderr: str) -> list[str]:
    """The listed problems of an input-error report."""
    return [line.strip()[2:] for line in stderr.splitlines() if line.startswith("  - ")]


def at_line(message: str, line: int) -> bool:
    """Whether a problem points at this line of the file ("rad N", not a longer number)."""
    return re.search(rf"\brad {line}(?!\d)", message) is not None


def assert_in(message: str, *words: str) -> None:
    for word in words:
        assert word in message, f"{word!r} not in the message:\n{message}"


# --- one problem at a time --------------------------------------------------------------------


def test_malformed_yaml_names_file_and_line(built_project_copy: ProjectCopy, geo_args):
    # indent one key of the first record one space less than its siblings
    line = built_project_copy.edit(YAML, '    kortnavn: "Bodø"', '   kortnavn: "Bodø"')
    proc = build_fails(built_project_copy, geo_args)
    [problem] = problems(proc.stderr)
    assert_in(problem, "partnerships.yaml", "YAML")
    assert at_line(problem, line), problem


def test_unknown_municipality_code(built_project_copy: ProjectCopy, geo_args):
    line = built_project_copy.edit(YAML, KONGSBERG_3303, KONGSBERG_3303.replace("3303", "9999"))
    proc = build_fails(built_project_copy, geo_args)
    [problem] = problems(proc.stderr)
    assert_in(problem, "partnerships.yaml", "kongsbergregionen-alle-med", "kommuner", "«9999»")
    assert at_line(problem, line), problem
    assert re.search(r"forventet .*kommunenummer.*2024", problem), problem


@pytest.mark.parametrize("year", ["20222", "ukjent", "1999", "2022.5"])
def test_bad_start_year(built_project_copy: ProjectCopy, geo_args, year: str):
    line = built_project_copy.edit(YAML, BODO_PERIODE, BODO_PERIODE.replace("start: 2022,", f"start: {year},"))
    proc = build_fails(built_project_copy, geo_args)
    [problem] = problems(proc.stderr)
    assert_in(problem, "partnerships.yaml", BODO, "periode.start", f"«{year}»", "årstall")
    assert at_line(problem, line), problem


def test_duplicate_id(built_project_copy: ProjectCopy, geo_args):
    first = built_project_copy.edit(YAML, f"  - id: {BODO}\n", f"  - id: {BODO}\n")
    line = built_project_copy.edit(
        YAML, "  - id: eidsvoll-barnehage-regional-kompetanseutvikling\n", f"  - id: {BODO}\n"
    )
    proc = build_fails(built_project_copy, geo_args)
    [problem] = problems(proc.stderr)
    assert_in(problem, "partnerships.yaml", f"«{BODO}»", "unik")
    assert at_line(problem, line), problem
    # and it says where the id was first used
    assert re.search(rf"(?<!\d){first}(?!\d)", problem.split("forventet", 1)[1]), problem


def test_unknown_grant_strand(built_project_copy: ProjectCopy, geo_args):
    line = built_project_copy.edit(YAML, "ordninger: [kompetanseloftet]", "ordninger: [kompetanseløftet]")
    proc = build_fails(built_project_copy, geo_args)
    [problem] = problems(proc.stderr)
    assert_in(problem, "partnerships.yaml", BODO, "ordninger", "«kompetanseløftet»")
    assert at_line(problem, line), problem
    with open(built_project_copy.data / "ordninger.csv", encoding="utf-8") as f:
        valid = [row["kode"] for row in csv.DictReader(f)]
    assert_in(problem.split("forventet", 1)[1], *valid)


def test_note_citing_an_unknown_source_number(built_project_copy: ProjectCopy, geo_args):
    # notes cite documents by number; the build names them by title, so a number must exist
    built_project_copy.edit(YAML, '"000 nevner at det er utviklet', '"009 nevner at det er utviklet')
    proc = build_fails(built_project_copy, geo_args)
    [problem] = problems(proc.stderr)
    assert_in(problem, "partnerships.yaml", "kongsbergregionen-alle-med", "datakvalitet", "«009»", "kilder.yaml")


def test_start_after_end(built_project_copy: ProjectCopy, geo_args):
    built_project_copy.edit(YAML, BODO_PERIODE, BODO_PERIODE.replace("start: 2022,", "start: 2025,"))
    proc = build_fails(built_project_copy, geo_args)
    [problem] = problems(proc.stderr)
    assert_in(problem, "partnerships.yaml", BODO, "periode", "2025", "2024", "start")


def test_extension_after_end(built_project_copy: ProjectCopy, geo_args):
    old = "start: 2018, slutt: 2025, forlenget_fra: 2022, forlenget_til: 2025}"
    built_project_copy.edit(YAML, old, old.replace("forlenget_til: 2025", "forlenget_til: 2027"))
    proc = build_fails(built_project_copy, geo_args)
    [problem] = problems(proc.stderr)
    assert_in(problem, "ost-finnmark-kompetanseutvikling", "periode.forlenget_til", "«2027»")


def test_missing_column_in_reference_csv(built_project_copy: ProjectCopy, geo_args):
    built_project_copy.edit("data/geo/kommuner_2024.csv", ",lat,lon\n", ",breddegrad,lon\n")
    proc = build_fails(built_project_copy, geo_args)
    assert_in(proc.stderr, "kommuner_2024.csv", "«lat»")
    assert at_line(proc.stderr, 1), proc.stderr


# --- several problems in one run --------------------------------------------------------------


def test_all_problems_are_reported_in_one_run(built_project_copy: ProjectCopy, geo_args):
    code_line = built_project_copy.edit(YAML, KONGSBERG_3303, KONGSBERG_3303.replace("3303", "9999"))
    built_project_copy.edit(YAML, BODO_PERIODE, BODO_PERIODE.replace("start: 2022,", "start: 2025,"))
    strand_line = built_project_copy.edit(
        YAML, "    ordninger: [dekomp, rekomp, kompetanseloftet]", "    ordninger: [dekomp, rekomp, inkludering]"
    )
    proc = build_fails(built_project_copy, geo_args)
    found = problems(proc.stderr)
    assert "3 problem" in proc.stderr, proc.stderr
    assert len(found) == 3, found
    assert any("«9999»" in p and at_line(p, code_line) for p in found), found
    assert any(BODO in p and "2025" in p for p in found), found
    assert any("«inkludering»" in p and at_line(p, strand_line) for p in found), found


# --- records of the wrong shape: still a clear input error, never a traceback -----------------

WRONG_SHAPES = {
    # a period written as text instead of {tekst, start, slutt, ...}: must not be dropped silently
    "periode-as-text": (BODO_PERIODE, 'periode: "2022-2024"', (BODO, "periode", "«2022-2024»")),
    "fakta-as-list": (
        "fakta: {kommuner: null, barnehager: null, skoler: null, ppt_kontor: null}",
        "fakta: [1]",
        (BODO, "fakta"),
    ),
    "unit-as-text": (
        '      - {navn: "Innbygda skole", enhetstype: "skole", kommunenummer: "3421"}',
        '      - "Innbygda skole"',
        ("innbygda-skole-skoleutvikling", "enheter", "«Innbygda skole»"),
    ),
    "strands-as-text": (
        "ordninger: [kompetanseloftet]",
        "ordninger: kompetanseloftet",
        (BODO, "ordninger", "«kompetanseloftet»"),
    ),
    "municipality-as-text": (
        KONGSBERG_3303,
        '"3303"',
        ("kongsbergregionen-alle-med", "kommuner", "«3303»"),
    ),
}


@pytest.mark.parametrize("case", list(WRONG_SHAPES))
def test_wrong_shape_is_one_clear_problem(built_project_copy: ProjectCopy, geo_args, case: str):
    old, new, words = WRONG_SHAPES[case]
    line = built_project_copy.edit(YAML, old, new)
    # the line of the edit, or of the field's key above it (a list item of text has no own line)
    field = words[1]
    lines = (built_project_copy.root / YAML).read_text(encoding="utf-8").splitlines()
    key_line = next(n for n in range(line, 0, -1) if lines[n - 1].lstrip().startswith(f"{field}:"))
    proc = build_fails(built_project_copy, geo_args)
    found = problems(proc.stderr)
    assert len(found) == 1, f"expected one problem, got {len(found)}:\n{proc.stderr}"
    assert_in(found[0], "partnerships.yaml", *words)
    assert at_line(found[0], line) or at_line(found[0], key_line), found[0]


def test_copy_builds_cleanly_without_edits(built_project_copy: ProjectCopy, geo_args):
    """Control: the unbroken copy builds, so every failure above comes from the edit."""
    proc = built_project_copy.run("build", "--quiet", *geo_args)
    assert proc.returncode == 0, describe(proc)


def test_edit_helper_targets_exist(project_copy: ProjectCopy):
    """The anchors the tests above edit are present exactly where expected in the data."""
    text = (project_copy.root / Path(YAML)).read_text(encoding="utf-8")
    assert text.count(BODO_PERIODE) == 1
    assert text.count(KONGSBERG_3303) == 1
    assert text.index("ordninger: [kompetanseloftet]") < text.index("id: eidsvoll-barnehage")
    assert text.index("fakta: {kommuner: null") < text.index("id: eidsvoll-barnehage")


# --- the corpus of bad import files -----------------------------------------------------------
#
# Each file is imported into its own copy of one state (the example units, answers and results
# imported): exit code 2, a Norwegian report naming the file (and the sheet of a workbook), the
# row and column where they apply, no library text, no raw control characters, and the
# warehouse and the kept imports byte for byte as before.

EXAMPLES = PROJECT_ROOT / "data" / "examples"
UNITS = "enhet_id,enhet_navn,enhetstype,kommunenummer,eierform,organisasjonsnummer\r\n"
ANSWERS = "runde;enhet_id;respondentgruppe;respondent_id;sporsmal_id;svar;trinn;kjonn\r\n"
RESULTS = "runde;enhet_id;kommunenummer;respondentgruppe;indikator;antall_svar;skaar;standardavvik;norm\r\n"
MAPPING = ["runde", "kommunenummer", "enhet_id", "rolle", "respondent_id", "omrade", "kompetanse", "behov"]
ANSWER = "2023;EKS-SKOLE-1;elev_5_10;R1;E5_TRIV_1;4;7;gutt\r\n"
RESULT = "2024;EKS-SKOLE-2;;elev_5_10;trivsel;30;510,5;90;N\r\n"
# English a library might have said, and Python's names for things
FOREIGN = re.compile(
    r"\b(?:error|Error|expected|invalid|field larger|NoneType|None|Traceback|Exception|line \d|"
    r"could not|not a|No such|Permission denied)\b"
)


def _xlsx(rows: list[list[object]], title: str = "Kartlegging") -> bytes:
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


MAPPING_ROW = ["2022-høst", "3303", "EKS-SKOLE-1", "leder", "K-1", "autisme", 3, 4]

# id: (kind, file name, content, fragments the report must hold, extra CLI arguments)
CORPUS: dict[str, tuple[str, str, bytes, tuple[str, ...], tuple[str, ...]]] = {
    "empty": ("units", "tom.csv", b"", ("fant «en tom fil»",), ()),
    "blank-lines": ("units", "blank.csv", b" \r\n\r\n\t\r\n", ("fant «en tom fil»",), ()),
    "header-only": ("units", "bare.csv", _text(UNITS), ("fant «bare overskriftsraden»",), ()),
    "not-cp1252": ("units", "bytes.csv", _text(UNITS) + b"X1,Skole \x81\x8d,skole,3303,,\r\n",
                   ("fant «tegn som ikke kan leses»", "Windows-1252"), ()),
    "utf16-no-bom": ("units", "utf16.csv", (UNITS + "X1,Skole,skole,3303,,\r\n").encode("utf-16-le"),
                     ("fant «tegn som ikke kan leses»",), ()),
    "binary": ("units", "bilde.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
               ("fant «tegn som ikke kan leses»",), ()),
    "old-xls": ("units", "enheter.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
                ("gammelt format (.xls)",), ()),
    "broken-xlsx": ("mapping", "ødelagt.xlsx", b"PK\x03\x04" + b"\x00" * 64 + b"ikke en zip",
                    ("fant «en fil som ikke kan åpnes som .xlsx", "forventet en gyldig .xlsx-fil"), ()),
    "empty-sheet": ("mapping", "tomt.xlsx", _xlsx([], "Tomt"), ("arket «Tomt»", "tomt første regneark"), ()),
    "missing-column": ("units", "uten_type.csv", _text("enhet_id,enhet_navn,kommunenummer\r\nX1,A,3303\r\n"),
                       ("rad 1, kolonne «enhetstype»", "fant «(mangler)»", "--kolonner"), ()),
    "pipe-separator": ("units", "pipe.csv", _text(UNITS.replace(",", "|") + "X1|A|skole|3303||\r\n"),
                       ("rad 1:", "skilt med komma eller semikolon"), ()),
    "repeated-column": ("units", "to_ganger.csv",
                        _text("enhet_id,enhet_navn,enhetstype,Kommunenr,kommunenummer\r\nX1,A,skole,3303,3303\r\n"),
                        ("rad 1, kolonne «Kommunenr»", "fant «kommunenummer (kolonne 5)»", "bare én gang"), ()),
    "unit-type": ("units", "type.csv", _text(UNITS + "X1,A,Grunnskole,3303,,\r\n"),
                  ("rad 2, kolonne «enhetstype»", "fant «Grunnskole»"), ()),
    "orgnr-check-digit": ("units", "orgnr.csv", _text(UNITS + "X1,A,skole,3303,,123456789\r\n"),
                          ("rad 2, kolonne «organisasjonsnummer»", "kontrollsifferet"), ()),
    "municipality-unknown": ("units", "kommune.csv", _text(UNITS + "X1,A,skole,9999,,\r\n"),
                             ("rad 2, kolonne «kommunenummer»", "fant «9999»"), ()),
    "municipality-text": ("units", "kommune_tekst.csv", _text(UNITS + "X1,A,skole,abc,,\r\n"),
                          ("rad 2, kolonne «kommunenummer»", "4 siffer"), ()),
    "demo-prefix": ("units", "demo.csv", _text(UNITS + "demo-X1,A,skole,3303,,\r\n"),
                    ("rad 2, kolonne «enhet_id»", "demo-"), ()),
    "duplicate-unit": ("units", "dobbel.csv", _text(UNITS + "X1,A,skole,3303,,\r\nX1,A,skole,3303,,\r\n"),
                       ("rad 3:", "samme nøkkel står i rad 2"), ()),
    "ansi-escape": ("units", "ansi.csv", _text(UNITS + "X1,A,\x1b[31mskole\x1b[0m,3303,,\r\n"),
                    ("rad 2, kolonne «enhetstype»", "\\x1b[31m"), ()),
    "huge-field": ("units", "stor.csv", _text(UNITS + "X1,A," + "x" * 200_000 + ",3303,,\r\n"),
                   ("rad 2, kolonne «enhetstype»", "en celle på 200 000 tegn", "høyst 32 767 tegn",
                    "MAX_CELL_CHARS"), ()),
    "unclosed-quote": ("units", "sitat.csv", _text(UNITS + 'X1,"A,skole,3303,,\r\nX2,B,skole,3303,,\r\n'),
                       ("rad 2",), ()),
    "answer-scale": ("answers", "skala.csv", _text(ANSWERS + ANSWER.replace(";4;7;", ";6;7;")),
                     ("rad 2, kolonne «svar»", "fant «6»", "1 til 5"), ()),
    "answer-text": ("answers", "svar_tekst.csv", _text(ANSWERS + ANSWER.replace(";4;7;", ";a;7;")),
                    ("rad 2, kolonne «svar»", "fant «a»"), ()),
    "answer-unknown-unit": ("answers", "ukjent.csv", _text(ANSWERS + ANSWER.replace("EKS-SKOLE-1", "UKJENT")),
                            ("rad 2, kolonne «enhet_id»", "fant «UKJENT»", "importer enhetene først"), ()),
    "answer-unknown-group": ("answers", "gruppe.csv", _text(ANSWERS + ANSWER.replace("elev_5_10", "elev_x")),
                             ("rad 2, kolonne «respondentgruppe»", "fant «elev_x»"), ()),
    "answer-item-of-other-group": ("answers", "sporsmal.csv",
                                   _text(ANSWERS + ANSWER.replace("E5_TRIV_1", "E1_TRIV_1")),
                                   ("rad 2, kolonne «sporsmal_id»", "hører til «elev_1_4»"), ()),
    "round-in-2035": ("answers", "runde_2035.csv", _text(ANSWERS + ANSWER.replace("2023;", "2035;", 1)),
                      ("rad 2, kolonne «runde»", "fant «2035»", "høyst ett år fram i tid"), ()),
    "round-word": ("answers", "runde_ord.csv", _text(ANSWERS + ANSWER.replace("2023;", "2023-vinter;", 1)),
                   ("rad 2, kolonne «runde»", "fant «2023-vinter»"), ()),
    "respondent-gender-differs": ("answers", "kjonn.csv",
                                  _text(ANSWERS + ANSWER + ANSWER.replace("E5_TRIV_1", "E5_TRIV_2").replace("gutt", "jente")),
                                  ("rad 3, kolonne «kjonn»", "samme verdi som i rad 2"), ()),
    "grade-outside-group": ("answers", "trinn.csv", _text(ANSWERS + ANSWER.replace(";4;7;", ";4;3;")),
                            ("rad 2, kolonne «trinn»", "fra 5 til 10"), ()),
    "fields-missing": ("answers", "felt.csv", _text(ANSWERS + ANSWER + "2023,EKS-SKOLE-1,elev_5_10,R2,E5_TRIV_1,4,7,gutt\r\n"),
                       ("rad 3:", "fant «1 felt»", "8 felt skilt med semikolon"), ()),
    "zero-answers-with-score": ("results", "null_svar.csv", _text(RESULTS + RESULT.replace(";30;", ";0;")),
                                ("rad 2, kolonne «antall_svar»", "fant «0»", "≥ 1"), ()),
    "score-out-of-range": ("results", "skaar.csv", _text(RESULTS + RESULT.replace("510,5", "1200")),
                           ("rad 2, kolonne «skaar»", "fant «1200»"), ()),
    "decimal-comma-unquoted": ("results", "komma.csv",
                               _text(RESULTS.replace(";", ",") + RESULT.replace(";", ",")),
                               ("rad 2:", "desimalkomma"), ()),
    "no-norm": ("results", "uten_norm.csv",
                _text(RESULTS.replace(";norm", "") + RESULT.replace(";N\r\n", "\r\n")),
                ("rad 1, kolonne «norm»", "--norm"), ()),
    "neither-unit-nor-municipality": ("results", "ingen.csv", _text(RESULTS + RESULT.replace("EKS-SKOLE-2", "")),
                                      ("rad 2, kolonne «enhet_id»", "minst én av dem"), ()),
    "unit-in-other-municipality": ("results", "kommune.csv", _text(RESULTS + RESULT.replace("EKS-SKOLE-2;;", "EKS-SKOLE-2;3303;")),
                                   ("rad 2, kolonne «kommunenummer»", "kommunen til enheten"), ()),
    "indicator-not-measured": ("results", "indikator.csv",
                               _text(RESULTS + RESULT.replace("elev_5_10;trivsel", "elev_5_10;samarbeid_ppt")),
                               ("rad 2, kolonne «indikator»", "måles for respondentgruppen"), ()),
    "cell-from-answers-and-results": ("results", "dobbelt.csv",
                                      _text(RESULTS + "2023-høst;EKS-SKOLE-1;;elev_5_10;trivsel;30;510;90;N\r\n"),
                                      ("rad 2:", "importer enten svar eller resultater"), ()),
    "mapping-out-of-range": ("mapping", "kart.xlsx", _xlsx([MAPPING, MAPPING_ROW[:6] + [7, 4]]),
                             ("arket «Kartlegging», rad 2, kolonne «kompetanse»", "fant «7»"), ()),
    "mapping-role": ("mapping", "rolle.xlsx", _xlsx([MAPPING, MAPPING_ROW[:3] + ["rektor"] + MAPPING_ROW[4:]]),
                     ("arket «Kartlegging», rad 2, kolonne «rolle»", "fant «rektor»"), ()),
    "mapping-right-of-last-column": ("mapping", "til_hoyre.xlsx", _xlsx([MAPPING, [*MAPPING_ROW, None, "x"]], "Ark 1"),
                                     ("arket «Ark 1», rad 2:", "verdier til høyre", "kolonne H"), ()),
    "xlsx-below-title": ("mapping", "tittel.xlsx",
                         _xlsx([["Kartlegging 2022"], [], MAPPING, MAPPING_ROW, MAPPING_ROW[:5] + ["ukjent", 3, 4]]),
                         ("arket «Kartlegging», rad 5, kolonne «omrade»", "fant «ukjent»"), ()),
    "column-file-unknown-target": ("results", "res.csv", _text(RESULTS.replace("skaar", "Gj.snitt") + RESULT),
                                   ("kolonner.yaml", "rad 2, kolonne «Gj.snitt»", "fant «skår»", "et kolonnenavn for results"),
                                   ("--kolonner", "{dir}/kolonner.yaml")),
    "column-file-not-a-mapping": ("results", "res.csv", _text(RESULTS + RESULT),
                                  ("tom.yaml", "«kolonner:»"), ("--kolonner", "{dir}/tom.yaml")),
    "column-file-broken-yaml": ("results", "res.csv", _text(RESULTS + RESULT),
                                ("ødelagt.yaml, rad ", "gyldig YAML"), ("--kolonner", "{dir}/ødelagt.yaml")),
    "no-such-file": ("units", "finnes_ikke.csv", b"", ("fant «ingen fil»",), ()),
    # spoofing characters and the limits of etl/limits.py (issue 23)
    "bidi-override-name": ("units", "bidi.csv", _text(UNITS + "X1,Skole \u202eloot\u202c,skole,3303,,\r\n"),
                           ("rad 2, kolonne «enhet_navn»", "U+202E", "styretegn for skriveretning"), ()),
    "bidi-isolate-name": ("units", "isolat.csv", _text(UNITS + "X1,\u2066Skole\u2069,skole,3303,,\r\n"),
                          ("rad 2, kolonne «enhet_navn»", "U+2066"), ()),
    "zero-width-id": ("units", "null.csv", _text(UNITS + "X\u200b1,Skole,skole,3303,,\r\n"),
                      ("rad 2, kolonne «enhet_id»", "U+200B", "null bredde"), ()),
    "control-in-unused-column": ("units", "ekstra.csv",
                                 _text(UNITS.replace("\r\n", ",Merknad\r\n") + 'X1,Skole,skole,3303,,,"a\x07b"\r\n'),
                                 ("rad 2, kolonne «Merknad»", "U+0007"), ()),
    "bidi-in-header": ("units", "overskrift.csv", _text("enhet_id,enhet_navn,enhetstype,kommunenummer,\u202eX\r\n"
                                                         "X1,A,skole,3303,\r\n"), ("rad 1, kolonne «kolonne 5»", "U+202E"), ()),
    "long-name": ("units", "navn.csv", _text(UNITS + "X1," + "N" * 201 + ",skole,3303,,\r\n"),
                  ("rad 2, kolonne «enhet_navn»", "en tekst på 201 tegn", "høyst 200 tegn", "MAX_NAME_CHARS"), ()),
    "long-id": ("answers", "id.csv", _text(ANSWERS + ANSWER.replace("R1;", "R" * 101 + ";")),
                ("rad 2, kolonne «respondent_id»", "en tekst på 101 tegn", "høyst 100 tegn", "MAX_ID_CHARS"), ()),
    "too-many-columns": ("units", "bred.csv", _text(UNITS.replace("\r\n", "," + ",".join(f"x{i}" for i in range(495)) + "\r\n")
                                                    + "X1,A,skole,3303,,\r\n"),
                         ("rad 1:", "fant 501 kolonner", "høyst 500 kolonner", "MAX_COLUMNS"), ()),
    "xlsx-unpacked-too-large": ("mapping", "stor.xlsx", b"",  # made in the test: stated sizes of 2 GB
                                ("en arbeidsbok på 2 048 MB utpakket", "høyst 1 024 MB", "MAX_XLSX_UNPACKED_BYTES"), ()),
    "xlsx-long-cell": ("mapping", "lang.xlsx", b"",  # made in the test: Excel itself stops at 32 767
                       ("arket «Kartlegging», rad 2, kolonne «respondent_id»", "en celle på 40 000 tegn", "MAX_CELL_CHARS"), ()),
    "column-file-alias-bomb": ("results", "res.csv", _text(RESULTS + RESULT),
                               ("bombe.yaml, rad 2", "et anker (&l0)", "uten ankre (&navn) og alias (*navn)"),
                               ("--kolonner", "{dir}/bombe.yaml")),
    "column-file-deep": ("results", "res.csv", _text(RESULTS + RESULT),
                         ("dyp.yaml, rad 1", "mer enn 30 nivåer", "MAX_YAML_DEPTH"), ("--kolonner", "{dir}/dyp.yaml")),
    "column-file-bidi": ("results", "res.csv", _text(RESULTS.replace("skaar", "Gj.snitt") + RESULT),
                         ("bidi.yaml, rad 2, kolonne «kolonner.Gj.snitt»", "U+202E"), ("--kolonner", "{dir}/bidi.yaml")),
    "demo-data-present": ("units", "enheter.csv", _text(UNITS + "X1,A,skole,3303,,\r\n"),
                          ("demodata", "--med-demodata"), ()),
}
COLUMN_FILES = {
    "kolonner.yaml": "kolonner:\n  Gj.snitt: skår\n",
    "tom.yaml": "- bare en liste\n",
    "ødelagt.yaml": "kolonner:\n  Skår: skaar\n  Gj.snitt: [skaar\n",
    "bombe.yaml": "kolonner:\n" + "".join(
        f"  l{i}: &l{i} [" + ",".join(['"lol"'] * 9 if i == 0 else [f"*l{i - 1}"] * 9) + "]\n" for i in range(10)),
    "dyp.yaml": "kolonner: " + "{a: " * 40 + "x" + "}" * 40 + "\n",
    "bidi.yaml": "kolonner:\n  Gj.snitt: \"skaar\u202e\"\n",
}


def _long_cell_workbook(length: int) -> bytes:
    """A workbook with a cell of `length` characters (openpyxl and Excel cut cells at 32 767,
    so the shared string is lengthened in the zip afterwards)."""
    import io
    import zipfile

    short = "K" * 32_767
    source = zipfile.ZipFile(io.BytesIO(_xlsx([MAPPING, MAPPING_ROW[:4] + [short] + MAPPING_ROW[5:]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            data = source.read(part)
            if short.encode() in data:
                data = data.replace(short.encode(), b"K" * length)
            target.writestr(part, data)
    return out.getvalue()


def _stated_size_workbook(stated: int) -> bytes:
    """A small workbook whose zip directory states `stated` bytes for one part (a zip bomb's
    claim: the reader trusts the directory, so the stated sizes are what is checked)."""
    import struct

    data = bytearray(_xlsx([MAPPING, MAPPING_ROW]))
    at = data.find(b"PK\x01\x02")  # the first entry of the central directory
    struct.pack_into("<I", data, at + 24, stated - 1)  # its uncompressed size
    return bytes(data)


@pytest.fixture(scope="session")
def imported_examples(tmp_path_factory, geo_dir: Path) -> Path:
    """Units, answers and results of data/examples imported (read only: copy before use)."""

    def make(root: Path) -> None:
        env = _env(root, geo_dir)
        for kind, name in (("units", "enheter.csv"), ("answers", "svar.csv"), ("results", "resultater.csv")):
            proc = run_cli(["import", kind, str(EXAMPLES / name)], env=env)
            if proc.returncode != 0:
                pytest.fail(f"importing {name} failed:\n{describe(proc)}", pytrace=False)

    return shared_once(tmp_path_factory, "bad-input-state", make)


def _env(root: Path, geo: Path) -> dict[str, str]:
    return etl_env(
        root / "warehouse.duckdb",
        root / "cache",
        KL_IMPORT_DIR=str(root / "imports"),
        KL_DEMO_DIR=str(root / "demo"),
        KL_GEOJSON=str(geo / KOMMUNE_GEOJSON),
        KL_FYLKE_GEOJSON=str(geo / FYLKE_GEOJSON),
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 35, len(CORPUS)


@pytest.mark.parametrize("case", list(CORPUS))
def test_bad_import_file(case: str, imported_examples: Path, geo_dir: Path, tmp_path: Path):
    kind, name, content, fragments, extra = CORPUS[case]
    root = tmp_path / "state"
    shutil.copytree(imported_examples, root, symlinks=True, ignore=shutil.ignore_patterns(".ferdig"))
    source = tmp_path / "inn"
    source.mkdir()
    path = source / name
    if case == "xlsx-unpacked-too-large":
        content = _stated_size_workbook(2048 * 1024 * 1024)
    if case == "xlsx-long-cell":
        content = _long_cell_workbook(40_000)
    if case != "no-such-file":
        path.write_bytes(content)
    for file_name, text in COLUMN_FILES.items():
        (source / file_name).write_text(text, encoding="utf-8")
    if case == "demo-data-present":
        (root / "demo").mkdir()
        shutil.copy(next((root / "imports" / "units").glob("*.parquet")), root / "demo" / "units.parquet")
    before = (snapshot(root / "warehouse.duckdb"), _files(root / "imports"))
    args = [a.format(dir=source) for a in extra]
    proc = run_cli(["import", kind, str(path), *args], env=_env(root, geo_dir))
    assert proc.returncode == 2, describe(proc)
    assert proc.stdout == "", describe(proc)
    assert "Feil i inndata" in proc.stderr and "ingenting er endret" in proc.stderr, proc.stderr
    found = problems(proc.stderr)
    assert found, proc.stderr
    for problem in found:
        assert ": fant " in problem and ", forventet " in problem, problem
        assert problem.startswith((str(source), str(root))), problem
    report = "\n".join(found)
    for fragment in fragments:
        assert fragment in report, f"{fragment!r} not in:\n{report}"
    plain = report.replace(str(source), "").replace(str(root), "")
    assert not FOREIGN.search(plain), f"library text or a Python name in:\n{report}"
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", proc.stderr), repr(proc.stderr)
    assert (snapshot(root / "warehouse.duckdb"), _files(root / "imports")) == before, "something changed"


def test_a_unit_name_of_100_mb_is_refused_naming_the_limit(imported_examples: Path, geo_dir: Path, tmp_path: Path):
    """The 104 857 600-character unit name of issue 23 (once accepted with 1.9 GiB peak)."""
    root = tmp_path / "state"
    shutil.copytree(imported_examples, root, symlinks=True, ignore=shutil.ignore_patterns(".ferdig"))
    path = tmp_path / "stort_navn.csv"
    with open(path, "wb") as f:
        f.write(UNITS.encode() + b"X1,")
        f.write(b"N" * 104_857_600)
        f.write(b",skole,3303,,\r\n")
    before = (snapshot(root / "warehouse.duckdb"), _files(root / "imports"))
    proc = run_cli(["import", "units", str(path)], env=_env(root, geo_dir))
    assert proc.returncode == 2, describe(proc)
    assert "rad 2, kolonne «enhet_navn»: fant en celle på 104 857 600 tegn, forventet høyst 32 767 tegn" in proc.stderr, proc.stderr
    assert "MAX_CELL_CHARS" in proc.stderr and len(proc.stderr) < 2000, proc.stderr[:2000]
    assert (snapshot(root / "warehouse.duckdb"), _files(root / "imports")) == before


def test_a_runaway_read_ends_at_the_time_bound(imported_examples: Path, geo_dir: Path, tmp_path: Path):
    """KL_MAKS_LESETID=0 makes every read overrun: the message names the bound, nothing changes
    (no timing is measured: the bound is crossed at the first check)."""
    root = tmp_path / "state"
    shutil.copytree(imported_examples, root, symlinks=True, ignore=shutil.ignore_patterns(".ferdig"))
    path = tmp_path / "enheter.csv"
    path.write_text(UNITS + "X1,A,skole,3303,,\r\n", encoding="utf-8")
    before = (snapshot(root / "warehouse.duckdb"), _files(root / "imports"))
    proc = run_cli(["import", "units", str(path)], env=_env(root, geo_dir) | {"KL_MAKS_LESETID": "0"})
    assert proc.returncode == 2, describe(proc)
    assert "fant en fil som ikke var lest ferdig etter 0 sekunder" in proc.stderr, proc.stderr
    assert "MAX_PARSE_SECONDS" in proc.stderr and "del den opp" in proc.stderr, proc.stderr
    assert (snapshot(root / "warehouse.duckdb"), _files(root / "imports")) == before

"""Broken input files: the build stops with exit code 2, a Norwegian message that names file,
line, record and field, what was found and what was expected, and leaves the warehouse alone.

Each test breaks a file in its own copy of the project (the ETL reads data/ relative to its
package) that already holds a built warehouse.
"""

from __future__ import annotations

import csv
import re
import subprocess
from pathlib import Path

import pytest
from conftest import ProjectCopy, describe, snapshot

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

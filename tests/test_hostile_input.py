"""Hostile files: alias bombs, deep nesting, spoofing characters, huge texts and a runaway parse.

Each is refused through the CLI with exit code 2, a Norwegian message naming the file, the row
(line), the field and the limit or code point, and the warehouse byte for byte as before. No
test here measures time: a hang would end in the subprocess timeout of conftest.
"""

from __future__ import annotations

import re

import pytest
from conftest import ProjectCopy, describe, snapshot

YAML = "data/partnerships.yaml"
BODO_KORTNAVN = '    kortnavn: "Bodø"\n'
ENGLISH = re.compile(r"Traceback|Error|error|anchor|found|expected|not allowed|NoneType|\bline \d")


def bomb(levels: int = 9, indent: str = "  ") -> str:
    """A «billion laughs»: `levels` lines of aliases, each nine of the one above (9**levels)."""
    lines = [f'{indent}l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{indent}l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def refused(copy: ProjectCopy, geo_args: list[str], *fragments: str) -> str:
    before = snapshot(copy.warehouse)
    proc = copy.run("build", "--quiet", *geo_args)
    assert proc.returncode == 2, describe(proc)
    message = proc.stderr.replace(str(copy.root), "")
    assert "Feil i inndata" in message and "fant" in message and "forventet" in message, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    assert not ENGLISH.search(message.replace("partnerships.yaml", "")), message
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]", proc.stderr), repr(proc.stderr)
    assert snapshot(copy.warehouse) == before, "a refused build changed the warehouse"
    return message


CASES = {
    # the bomb as the value of a real record's field: refused at its first anchor
    "alias-bomb": (BODO_KORTNAVN, BODO_KORTNAVN + "    temaer_bombe:\n" + bomb(indent="      "),
                   ("rad ", "et anker (&l0)", "uten ankre (&navn) og alias (*navn)")),
    "alias-only": (BODO_KORTNAVN, '    kortnavn: *bodo\n', ("et alias (*bodo)",)),
    "bidi-override": (BODO_KORTNAVN, '    kortnavn: "Bodø \u202eanretsO\u202c"\n',
                      ("kolonne «partnerskap.kortnavn»", "U+202E", "styretegn for skriveretning")),
    "bidi-isolate": (BODO_KORTNAVN, '    kortnavn: "Bodø \u2066x\u2069"\n', ("U+2066", "styretegn")),
    "zero-width": (BODO_KORTNAVN, '    kortnavn: "Bo\u200bdø"\n', ("U+200B", "null bredde")),
    "escape-sequence": (BODO_KORTNAVN, '    kortnavn: "\\e[31mBodø"\n', ("U+001B", "kontrolltegn")),
    "long-short-name": (BODO_KORTNAVN, f'    kortnavn: "{"B" * 201}"\n',
                        ("bodo-kompetanseloftet-inkluderende-praksis.kortnavn", "en tekst på 201 tegn",
                         "høyst 200 tegn", "MAX_NAME_CHARS")),
    "name-on-two-lines": (BODO_KORTNAVN, '    kortnavn: "Bodø\\nkommune"\n', ("U+000A",)),
    "deep-nesting": (BODO_KORTNAVN, BODO_KORTNAVN + "    dypt: " + "[" * 40 + "1" + "]" * 40 + "\n",
                     ("mer enn 30 nivåer", "MAX_YAML_DEPTH")),
    "bad-date": (BODO_KORTNAVN, BODO_KORTNAVN + "    dato: 2023-02-30\n", ("gyldig dato",)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_partnerships_yaml_is_refused(case: str, built_project_copy: ProjectCopy, geo_args):
    old, new, fragments = CASES[case]
    line = built_project_copy.edit(YAML, old, new)
    message = refused(built_project_copy, geo_args, *fragments)
    # the line of the offending value: the edit's first line, or the one added below it
    offset = {"alias-bomb": 2, "deep-nesting": 1, "bad-date": 1}.get(case, 0)
    assert re.search(rf"partnerships\.yaml, rad {line + offset}[,:]", message), message


def test_partnerships_yaml_over_the_size_limit_is_refused_unread(built_project_copy: ProjectCopy, geo_args):
    path = built_project_copy.root / YAML
    with open(path, "a", encoding="utf-8") as f:
        f.write("# " + "x" * (5 * 1024 * 1024) + "\n")
    refused(built_project_copy, geo_args, "fant en fil på 5 MB", "høyst 5 MB", "MAX_YAML_BYTES")


def test_the_injected_short_name_of_the_issue_is_accepted_as_text(built_project_copy: ProjectCopy, geo_args):
    """Markup in a name is not refused: it is text, and the pages show it as text
    (tests/test_escaping.py). NFC: a decomposed å is stored composed."""
    hostile = ('Eidsvoll <img src="http://203.0.113.7/b.png"><a href="http://203.0.113.7/login">Logg inn '
               'her</a><style>body{display:none}</style>')
    built_project_copy.edit(YAML, BODO_KORTNAVN, f"    kortnavn: '{hostile}'\n")
    built_project_copy.edit(YAML, '    region: "Bodø kommune"\n', '    region: "Bodo\u0308 kommune"\n')
    proc = built_project_copy.run("build", "--quiet", *geo_args)
    assert proc.returncode == 0, describe(proc)
    from conftest import connect_ro

    with connect_ro(built_project_copy.warehouse) as con:
        names = dict(con.execute("select partnerskap_id, kortnavn from stg_partnerskap").fetchall())
        regions = {r for (r,) in con.execute("select region from stg_partnerskap").fetchall()}
    assert names["bodo-kompetanseloftet-inkluderende-praksis"] == hostile
    assert "Bodö kommune" in regions and "Bodo\u0308 kommune" not in regions

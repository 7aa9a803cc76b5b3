"""The text catalogue (dashboard/tekster.yaml) and the colour language (dashboard/palette.py).

* every key has bokmål, nynorsk and English, non-empty, with the same {placeholders};
* every key the code asks for exists, and every key in the catalogue is used;
* no user-facing text is written straight into dashboard/*.py: a string literal that reads like
  words (two words, a Norwegian letter, or a capitalised word) fails unless it is a docstring,
  markup without text, or its line says `# ikke-tekst` (CSS font lists and the like);
* the fixed palettes stay apart under simulated deuteranopia, protanopia and tritanopia, and
  text colours keep 4.5:1.
"""

from __future__ import annotations

import ast
import io
import itertools
import re
import string
import tokenize
from pathlib import Path

import pytest

from dashboard import palette, tekster

DASHBOARD = Path(tekster.__file__).parent
SOURCES = sorted(DASHBOARD.rglob("*.py"))
WORDS = re.compile(r"[A-Za-zÆØÅæøå]{2,} [A-Za-zÆØÅæøå]{2,}")
NORWEGIAN = re.compile(r"[ÆØÅæøå]")
CAPITALISED = re.compile(r"^[A-ZÆØÅ][a-zæøå]{2,}[.:]?$")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_has_three_languages_with_the_same_placeholders():
    catalogue = tekster.catalogue()
    assert len(catalogue) > 200
    problems = []
    for key, texts in catalogue.items():
        missing = [lang for lang in tekster.LANGS if not texts.get(lang, "").strip()]
        if missing:
            problems.append(f"{key}: no text in {missing}")
            continue
        fields = {lang: placeholders(texts[lang]) for lang in tekster.LANGS}
        if len({frozenset(v) for v in fields.values()}) != 1:
            problems.append(f"{key}: placeholders differ {fields}")
    assert not problems, "\n".join(problems)


def _keys_used() -> tuple[set[str], set[str]]:
    """Literal keys of t("...") and prefixes of t(f"prefix.{x}") in dashboard/."""
    literal, prefixes = set(), set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "t" and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    literal.add(arg.value)
                elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
                    prefixes.add(arg.values[0].value)
                elif isinstance(arg, ast.IfExp):
                    literal |= {n.value for n in (arg.body, arg.orelse) if isinstance(n, ast.Constant)}
    return literal, prefixes


def test_every_key_used_exists_and_every_key_is_used():
    catalogue = tekster.catalogue()
    literal, prefixes = _keys_used()
    assert literal, "no t(...) calls found"
    missing = sorted(k for k in literal if k not in catalogue)
    assert not missing, f"keys used in dashboard/ but missing from tekster.yaml: {missing}"
    # kode.* labels are looked up by code from the warehouse (tekster.kode)
    unused = sorted(
        k for k in catalogue
        if k not in literal and not k.startswith("kode.") and not any(k.startswith(p) for p in prefixes)
    )
    assert not unused, f"keys in tekster.yaml that no code uses: {unused}"


def _docstring_lines(tree: ast.AST) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                lines |= set(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def reads_like_text(literal: str) -> bool:
    if literal.lstrip().startswith("<"):
        # markup: only the text between tags counts
        literal = " ".join(re.findall(r">([^<{]+)<", literal))
    literal = re.sub(r"\{[^}]*\}", " ", literal)  # placeholders are filled from the catalogue
    return bool(WORDS.search(literal) or NORWEGIAN.search(literal) or CAPITALISED.match(literal.strip()))


def hard_coded_texts() -> list[str]:
    found = []
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        docstrings = _docstring_lines(ast.parse(source))
        lines = source.splitlines()
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type != tokenize.STRING or tok.start[0] in docstrings:
                continue
            if "ikke-tekst" in lines[tok.start[0] - 1]:
                continue
            if tok.string.lower().startswith(("f", "rf", "fr")):
                value = re.sub(r"""^[rRfF]+('{3}|"{3}|'|")(.*)\1$""", r"\2", tok.string, flags=re.DOTALL)
            else:
                value = ast.literal_eval(tok.string)
            if isinstance(value, str) and reads_like_text(value):
                found.append(f"{path.relative_to(DASHBOARD.parent)}:{tok.start[0]}: {tok.string[:80]}")
    return found


def test_no_user_facing_text_is_hard_coded_in_dashboard():
    found = hard_coded_texts()
    assert not found, "user-facing text outside dashboard/tekster.yaml:\n" + "\n".join(found)


@pytest.mark.parametrize("literal, expected", [
    ('"Velg samarbeid"', True), ('"Skår"', True), ('"Svar"', True), ('"niva_navn"', False),
    ('"%d.%m.%Y"', False), ('"<div class=\\"kl-legend\\">{rows}</div>"', False),
    ('"<p>Hei der</p>"', True), ('":material/map:"', False), ('"quantitative"', False),
])
def test_the_detector_tells_text_from_code(literal, expected):
    assert reads_like_text(ast.literal_eval(literal)) is expected


def test_the_detector_finds_a_planted_string(tmp_path, monkeypatch):
    planted = tmp_path / "side.py"
    planted.write_text('import streamlit as st\nst.title("Oversikt over samarbeidene")\n', encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "SOURCES", [planted])
    monkeypatch.setattr(__import__(__name__), "DASHBOARD", tmp_path / "dashboard")
    assert len(hard_coded_texts()) == 1


# --- colours ----------------------------------------------------------------------------------

VISIONS = ["normal", "deuteranopia", "protanopia", "tritanopia"]


@pytest.mark.parametrize("name, colours, minimum", [
    ("grant strands", [*palette.STRANDS.values(), palette.NOT_STATED], 15),
    ("unit types", list(palette.UNIT_TYPES.values()), 15),
    ("series", palette.SERIES, 12),
    ("score classes", palette.SCORE_CLASSES + [palette.NO_DATA, palette.OUTSIDE], 12),
])
@pytest.mark.parametrize("vision", VISIONS)
def test_palettes_stay_apart_under_colour_vision_deficiency(name, colours, minimum, vision):
    smallest = palette.smallest_distance(colours, vision)
    assert smallest >= minimum, f"{name} under {vision}: two colours only {smallest:.1f} apart (CIE76)"


@pytest.mark.parametrize("colour", [*palette.STRANDS.values(), *palette.UNIT_TYPES.values(), *palette.SERIES[:5]])
def test_marks_have_3_to_1_against_white(colour):
    assert palette.contrast(colour, palette.BACKGROUND) >= 3.0, colour


def test_text_colours_have_4_5_to_1():
    for colour in (palette.INK, palette.MUTED):
        assert palette.contrast(colour, palette.BACKGROUND) >= 7.0
    for fill in palette.NEED_CLASSES + palette.COMPETENCE_CLASSES + palette.GAP_CLASSES + palette.SCORE_CLASSES:
        assert palette.contrast(palette.text_on(fill), fill) >= 4.5, fill


# --- collaboration colours ------------------------------------------------------------------------

NEIGHBOURS_KM = 100  # collaborations closer than this must differ in colour (the table keeps 119)


def _collaboration_places() -> dict[str, list[tuple[float, float]]]:
    """Representative points (lat, lon) of each collaboration's municipalities and units."""
    import csv

    import yaml

    data = DASHBOARD.parent / "data"
    with open(data / "geo" / "kommuner_2024.csv", encoding="utf-8") as fh:
        points = {r["kommunenummer"]: (float(r["lat"]), float(r["lon"])) for r in csv.DictReader(fh)}
    partnerships = yaml.safe_load((data / "partnerships.yaml").read_text(encoding="utf-8"))["partnerskap"]
    return {p["id"]: [points[c] for c in [k["kommunenummer"] for k in p["kommuner"] or []]
                      + [e["kommunenummer"] for e in p["enheter"] or [] if e.get("kommunenummer")]]
            for p in partnerships}


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    import math

    (la1, lo1), (la2, lo2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(h))


def test_every_collaboration_has_its_own_fixed_colour_and_neighbours_differ():
    places = _collaboration_places()
    assert set(palette.COLLABORATIONS) == set(places), (
        "palette.COLLABORATIONS must name exactly the collaborations of data/partnerships.yaml: "
        f"missing {sorted(set(places) - set(palette.COLLABORATIONS))}, "
        f"unknown {sorted(set(palette.COLLABORATIONS) - set(places))}")
    assert set(palette.COLLABORATIONS.values()) <= set(palette.COLLABORATION_COLOURS)
    clashes = []
    for a, b in itertools.combinations(sorted(places), 2):
        if palette.collaboration(a) != palette.collaboration(b) or not places[a] or not places[b]:
            continue
        km = min(_km(x, y) for x in places[a] for y in places[b])
        if km < NEIGHBOURS_KM:
            clashes.append((a, b, round(km)))
    assert not clashes, f"neighbouring collaborations share a colour (km apart): {clashes}"
    # the function is the table, and an id it does not know still gets a stable colour of the six
    assert all(palette.collaboration(p) == c for p, c in palette.COLLABORATIONS.items())
    assert palette.collaboration("ny-x") == palette.collaboration("ny-x") in palette.COLLABORATION_COLOURS


@pytest.mark.parametrize("vision", VISIONS)
def test_collaboration_colours_stay_apart_and_from_several(vision):
    colours = palette.COLLABORATION_COLOURS
    assert palette.smallest_distance(colours, vision) >= 20
    # «Flere samarbeid» and "outside the selection" are neither of the six
    for other in (palette.SEVERAL, palette.OUTSIDE):
        assert min(palette.distance(other, c, vision) for c in colours) >= 20, other
    assert all(palette.contrast(c, palette.BACKGROUND) >= 3.0 for c in colours)


# --- the catalogue as written: nothing cut by YAML syntax ------------------------------------------


def test_no_text_is_cut_by_a_yaml_comment():
    """A ` #` inside an unquoted text starts a YAML comment and silently cuts the text there (the
    Data page's introduction lost its second half in all three languages that way). The catalogue
    may hold comments only on lines of their own: every `#` that is neither inside a text nor the
    first thing on its line is a text cut short."""
    import yaml

    source = tekster.CATALOGUE.read_text(encoding="utf-8")
    inside: list[tuple[int, int]] = []
    stack = [yaml.compose(source)]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            inside.append((node.start_mark.index, node.end_mark.index))
        elif isinstance(node, yaml.MappingNode):
            stack += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    inside.sort()
    cut = []
    line_start = 0
    for i, ch in enumerate(source):
        if ch == "\n":
            line_start = i + 1
        elif ch == "#" and source[line_start:i].strip() and not any(a <= i < b for a, b in inside):
            line = source.count("\n", 0, i) + 1
            cut.append(f"line {line}: {source[line_start:source.find(chr(10), i)].strip()[:120]}")
    assert not cut, "texts cut short by a YAML comment (quote the text):\n" + "\n".join(cut)

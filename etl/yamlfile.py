"""YAML reading that remembers line numbers, so errors can point at the record and field.

Stricter than YAML itself: a key twice in the same mapping (where YAML silently keeps the
last) and, when the caller names the allowed top-level keys, any other top-level key are
refused with their line numbers. PyYAML's English messages are translated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from etl.errors import Described, InputError, Problem


class Node(dict):
    """A mapping from YAML that knows the line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Node:
    result = Node(loader.construct_mapping(node, deep=True))
    result.line = node.start_mark.line + 1
    result.key_lines = {k.value: k.start_mark.line + 1 for k, _ in node.value}
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

# PyYAML's problems in Norwegian (matched at the start of the English text, which is never shown).
_PROBLEMS = [
    (r"found character .* that cannot start any token", ("et tegn som ikke kan begynne en verdi "
     "(tabulator i innrykket? bruk mellomrom)")),
    (r"found a tab character", "tabulator i innrykket (bruk mellomrom)"),
    (r"mapping values are not allowed here", ("et kolon der det ikke kan stå (sett teksten i "
     "anførselstegn, eller rett innrykket)")),
    (r"could not find expected ':'", "en nøkkel uten kolon etter seg"),
    (r"found unexpected end of stream", ("slutten av filen midt i en verdi (mangler et "
     "avsluttende anførselstegn?)")),
    (r"did not find expected key", "feil innrykk (en nøkkel var ventet)"),
    (r"did not find expected '-' indicator", "feil innrykk i en liste"),
    (r"did not find expected node content", "en tom eller ufullstendig verdi"),
    (r"expected <block end>", "feil innrykk"),
    (r"expected ',' or '\]'", "en liste i [ ] uten komma eller avsluttende ]"),
    (r"expected ',' or '\}'", "en tabell i { } uten komma eller avsluttende }"),
    (r"could not determine a constructor for the tag", "en YAML-merkelapp (!…) som ikke er tillatt"),
    (r"found undefined alias", "et alias (*navn) som ikke er definert"),
    (r"found duplicate anchor", "et anker (&navn) som er definert to ganger"),
    (r"found unhashable key", "en nøkkel som er en liste eller tabell"),
    (r"found unknown escape character", "et ukjent escape-tegn (\\) i anførselstegn"),
    (r"expected a comment or a line break", "tekst etter en verdi der linjen skulle sluttet"),
    (r"expected '<document start>'", "mer enn ett dokument, eller tekst utenfor strukturen"),
    (r"found unexpected ':'", "et kolon der det ikke kan stå"),
    (r"unacceptable character", "et tegn som ikke er tillatt i YAML"),
]


def _problem(exc: yaml.YAMLError) -> str:
    text = getattr(exc, "problem", None) or ""
    for pattern, norwegian in _PROBLEMS:
        if re.match(pattern, text):
            return norwegian
    return "ugyldig YAML-syntaks"


def _duplicates(path: Path, node: yaml.Node | None) -> list[Problem]:
    """Every key that appears twice in one mapping, at any depth (YAML would keep the last)."""
    problems: list[Problem] = []
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in current.value:
                line = key.start_mark.line + 1
                if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                    if key.value in first:
                        problems.append(Problem(
                            str(path), line, key.value, key.value,
                            f"hver nøkkel én gang i samme blokk (står også på linje {first[key.value]})",
                        ))
                    else:
                        first[key.value] = line
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return sorted(problems, key=lambda p: p.rad)


def load(path: Path, keys: Iterable[str] | None = None) -> object:
    """The YAML document of `path`; `keys` lists the top-level keys allowed (None: any)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(str(path), None, None, Described("ugyldige tegn"), "UTF-8-tekst")]) from exc
    try:
        problems = _duplicates(path, yaml.compose(text, Loader=_LineLoader))
        doc = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise InputError([Problem(str(path), line, None, Described(_problem(exc)), "gyldig YAML")]) from exc
    if keys is not None and isinstance(doc, Node):
        allowed = list(keys)
        problems += [
            Problem(str(path), doc.line_of(key), key, key, "en kjent nøkkel øverst i filen: " + ", ".join(allowed))
            for key in doc if key not in allowed
        ]
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.rad or 0))
    return doc

"""The one YAML loader for files users give: safe, bounded, and remembering line numbers.

Stricter than YAML itself: anchors and aliases are refused (a «billion laughs» file expands
without end), size, values, nesting and reading time are bounded (etl/limits.py), text is
NFC-normalised and refused with control or format characters, a key twice in the same mapping
(where YAML silently keeps the last) and, when the caller names the allowed top-level keys, any
other top-level key are refused with their line numbers. PyYAML's English messages are translated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from etl import limits
from etl.errors import Described, InputError, Problem


class Node(dict):
    """A mapping from YAML that knows the line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _LineLoader(yaml.SafeLoader):
    """PyYAML's safe loader, bounded: no anchors or aliases (a «billion laughs» file is a few
    lines of aliases that expand without end), at most MAX_YAML_NODES values nested at most
    MAX_YAML_DEPTH deep, each value at most MAX_YAML_SCALAR_CHARS, NFC, and no refused
    characters; reading stops at the time bound (MAX_YAML_SECONDS)."""

    def __init__(self, text: str, fil: str) -> None:
        super().__init__(text)
        self.fil = fil
        self.nodes = 0
        self.depth = 0
        self.path: list[str] = []
        self.problems: list[Problem] = []
        self.deadline = limits.Deadline(fil, "MAX_YAML_SECONDS")

    def _refuse(self, mark, found: str, expected: str) -> InputError:
        return InputError([Problem(self.fil, mark.line + 1, self._where(), Described(found), expected)])

    def _where(self) -> str | None:
        return ".".join(self.path) or None

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
            raise self._refuse(event.start_mark, f"{_KIND[sign]} ({sign}{event.anchor})", NO_ALIASES)
        self.nodes += 1
        if self.nodes > limits.MAX_YAML_NODES:
            raise self._refuse(event.start_mark, f"mer enn {limits.number(limits.MAX_YAML_NODES)} "
                               "verdier", limits.at_most("MAX_YAML_NODES", "verdier"))
        if self.nodes % 500 == 0:
            self.deadline.check()
        self.depth += 1
        try:
            if self.depth > limits.MAX_YAML_DEPTH:
                raise self._refuse(event.start_mark, f"mer enn {limits.MAX_YAML_DEPTH} nivåer inni "
                                   "hverandre", limits.at_most("MAX_YAML_DEPTH", "nivåer"))
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def compose_scalar_node(self, anchor):
        node = super().compose_scalar_node(anchor)
        node.value = limits.nfc(node.value)
        line = node.start_mark.line + 1
        problem = limits.text_problem(node.value, "MAX_YAML_SCALAR_CHARS", allow="\n\t")
        if problem is not None:
            found, expected = problem
            self.problems.append(Problem(self.fil, line, self._where(), Described(found), expected))
            node.value = ""  # reported; not shown again by the checks after loading
        return node

    def compose_mapping_node(self, anchor):
        start = self.get_event()
        tag = start.tag
        if tag is None or tag == "!":
            tag = self.resolve(yaml.MappingNode, None, start.implicit)
        node = yaml.MappingNode(tag, [], start.start_mark, None, flow_style=start.flow_style)
        while not self.check_event(yaml.MappingEndEvent):
            key = self.compose_node(node, None)
            self.path.append(str(key.value) if isinstance(key, yaml.ScalarNode) else "?")
            try:
                value = self.compose_node(node, key)
            finally:
                self.path.pop()
            node.value.append((key, value))
        node.end_mark = self.get_event().end_mark
        return node

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:  # int("9" * 5000), the date 2023-02-30
            raise InputError([Problem(
                self.fil, node.start_mark.line + 1, None, Described("en verdi som ikke kan leses "
                "som tall eller dato"), "et tall, en gyldig dato (2024-01-31) eller tekst i "
                "anførselstegn",
            )]) from exc


_KIND = {"*": "et alias", "&": "et anker"}
NO_ALIASES = (
    "YAML uten ankre (&navn) og alias (*navn) – skriv verdien ut der den skal stå (alias er ikke "
    "tillatt i filer vi leser, fordi noen få linjer med alias kan bli vilkårlig store)"
)


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
    (r"but found another document", "mer enn ett dokument i filen (--- skiller dokumenter)"),
]


def _problem(exc: yaml.YAMLError) -> str:
    text = getattr(exc, "problem", None) or ""
    for pattern, norwegian in _PROBLEMS:
        if re.match(pattern, text):
            return norwegian
    return "ugyldig YAML-syntaks"


def _duplicates(fil: str, node: yaml.Node | None) -> list[Problem]:
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
                            fil, line, key.value, key.value,
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
    fil = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError([Problem(fil, None, None, "ingen fil", "en YAML-fil som finnes")]) from None
    limits.check_file_size(fil, size, "MAX_YAML_BYTES")  # before reading a byte of it
    return loads(path.read_bytes(), fil, keys)


def loads(data: bytes | str, fil: str, keys: Iterable[str] | None = None) -> object:
    """The YAML document in `data` (a file's bytes, or an upload), named `fil` in messages."""
    size = len(data.encode("utf-8") if isinstance(data, str) else data)
    limits.check_file_size(fil, size, "MAX_YAML_BYTES")
    try:
        text = data if isinstance(data, str) else data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(fil, None, None, Described("ugyldige tegn"), "UTF-8-tekst")]) from exc
    loader = None
    try:
        loader = _LineLoader(text, fil)
        node = loader.get_single_node()
        loader.deadline.check()
        problems = loader.problems + _duplicates(fil, node)
        doc = loader.construct_document(node) if node is not None else None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, before any parsing
        line = text.count("\n", 0, exc.position) + 1
        found = limits.describe_char(chr(exc.character)) if isinstance(exc.character, int) else "ugyldige tegn"
        raise InputError([Problem(fil, line, None, Described(found), limits.CLEAN_TEXT)]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise InputError([Problem(fil, line, None, Described(_problem(exc)), "gyldig YAML")]) from exc
    finally:
        if loader is not None:
            loader.dispose()
    if keys is not None and isinstance(doc, Node):
        allowed = list(keys)
        problems += [
            Problem(fil, doc.line_of(key), key, key, "en kjent nøkkel øverst i filen: " + ", ".join(allowed))
            for key in doc if key not in allowed
        ]
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.rad or 0))
    return doc

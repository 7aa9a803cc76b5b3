"""YAML reading that remembers line numbers, so errors can point at the record and field."""

from __future__ import annotations

from pathlib import Path

import yaml

from etl.errors import InputError, Problem


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


def load(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(str(path), None, None, "ugyldige tegn", "UTF-8-tekst")]) from exc
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError([Problem(str(path), line, None, problem, "gyldig YAML")]) from exc

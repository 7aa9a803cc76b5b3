"""No data reaches the page as markup: a source check of dashboard/ (this file) and the browser
test with a hostile short name on every page (test_browser_hostile.py).

Rules (dashboard/markup.py says why):
* HTML (`st.html`, `unsafe_allow_html`, `unsafe_allow_javascript`) is written only in
  dashboard/markup.py; every call of its `html`/`show_html`/`script` has a fixed template (a
  string literal) as its first argument.
* Every argument of a Streamlit element that renders Markdown is built from literals, catalogue
  texts (`t(...)`) whose values are themselves safe, numbers, and data passed through
  `markup.md(...)`. A local name counts as safe only when everything assigned to it is.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import PROJECT_ROOT

DASHBOARD = PROJECT_ROOT / "dashboard"
MARKUP = DASHBOARD / "markup.py"
# Streamlit elements whose text arguments are Markdown (positional and these keywords)
MARKDOWN_SINKS = {"markdown", "caption", "title", "header", "subheader", "info", "warning", "error",
                  "success", "toast", "write", "expander", "tabs", "popover", "status"}
MARKDOWN_KEYWORDS = {"body", "label", "help"}
HTML_SINKS = {"html"}
TEMPLATE_FUNCTIONS = {"html", "show_html", "script"}
# helpers that return text made from the catalogue, numbers and checked codes only (never names
# or free text): fmt's numbers, a round code («2023-høst»), a school year, an indicator's definition
SAFE_CALLS = {"md", "hidden_rule", "tall", "skaar", "endring", "prosent", "runde", "n_text", "len",
              "int", "round", "school_year", "description", "period_text"}
# attributes that are numbers
SAFE_ATTRIBUTES = {"min_svar", "height"}


def sources() -> list[Path]:
    return sorted(p for p in DASHBOARD.rglob("*.py") if p != MARKUP)


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


class Scope:
    """Assignments to local names in one function (or the module), to judge a name's value."""

    def __init__(self, body: ast.AST) -> None:
        self.values: dict[str, list[ast.AST]] = {}
        for node in ast.walk(body):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    self._assign(target, node.value)
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
                self._assign(node.target, node.value)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in ("append", "extend") and isinstance(node.func.value, ast.Name):
                self.values.setdefault(node.func.value.id, []).extend(node.args)
            elif isinstance(node, (ast.For, ast.comprehension)):
                self._assign(node.target, node.iter, element=True)

    def _assign(self, target: ast.AST, value: ast.AST, element: bool = False) -> None:
        if isinstance(target, ast.Name):
            self.values.setdefault(target.id, []).append(value)
        elif isinstance(target, ast.Tuple):
            for item in target.elts:  # unpacking: judged by the whole value
                self._assign(item, value, element)


class Judge:
    def __init__(self, scope: Scope, module: Scope) -> None:
        self.scope, self.module, self.seen = scope, module, set()

    def safe(self, node: ast.AST | None) -> bool:
        if node is None or isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.JoinedStr):
            return all(self.safe(v.value) for v in node.values if isinstance(v, ast.FormattedValue))
        if isinstance(node, ast.BinOp):
            return self.safe(node.left) and self.safe(node.right)
        if isinstance(node, ast.IfExp):
            return self.safe(node.body) and self.safe(node.orelse)
        if isinstance(node, ast.BoolOp):
            return all(self.safe(v) for v in node.values)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return all(self.safe(e) for e in node.elts)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            return self.safe(node.elt)
        if isinstance(node, ast.Starred):
            return self.safe(node.value)
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name == "join" and isinstance(node.func, ast.Attribute):
                return self.safe(node.func.value) and all(self.safe(a) for a in node.args)
            if name in ("format", "replace", "strip", "split", "lower", "upper") and \
                    isinstance(node.func, ast.Attribute):
                return self.safe(node.func.value) and all(self.safe(a) for a in node.args) and \
                    all(self.safe(k.value) for k in node.keywords)
            if name == "t":  # a catalogue text: safe when every value filled in is
                return all(self.safe(k.value) for k in node.keywords)
            return name in SAFE_CALLS
        if isinstance(node, ast.Subscript):  # an item of a safe list
            return self.safe(node.value)
        if isinstance(node, ast.Attribute) and node.attr in SAFE_ATTRIBUTES:
            return True
        if isinstance(node, ast.Name):
            if node.id in self.seen:
                return True
            self.seen.add(node.id)
            values = self.scope.values.get(node.id) or self.module.values.get(node.id)
            return values is not None and all(self.safe(v) for v in values)
        return False


def _markdown_args(call: ast.Call) -> list[ast.AST]:
    args = list(call.args)
    args += [k.value for k in call.keywords if k.arg in MARKDOWN_KEYWORDS]
    return args


def _functions(tree: ast.Module):
    """(scope node, calls directly in it) for the module and every function."""
    yield tree
    yield from (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))


def markdown_violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = Scope(tree)
    found = []
    for scope_node in _functions(tree):
        scope = Scope(scope_node) if scope_node is not tree else module
        for call in ast.walk(scope_node):
            if not isinstance(call, ast.Call) or _name(call.func) not in MARKDOWN_SINKS:
                continue
            if not isinstance(call.func, ast.Attribute):
                continue
            for arg in _markdown_args(call):
                if not Judge(scope, module).safe(arg):
                    found.append(f"{path.relative_to(PROJECT_ROOT)}:{arg.lineno}: {ast.unparse(arg)[:90]}")
    return sorted(set(found))


def test_html_is_written_only_in_markup():
    offenders = []
    for path in sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg in ("unsafe_allow_html", "unsafe_allow_javascript"):
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{node.value.lineno}: {node.arg}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in HTML_SINKS:
                owner = _name(node.func.value)
                if owner != "markup":
                    offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: {ast.unparse(node.func)}(...)")
    assert not offenders, "HTML outside dashboard/markup.py:\n" + "\n".join(offenders)


def test_every_html_template_is_fixed_markup_from_the_code():
    offenders = []
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    _name(node.func.value) == "markup" and node.func.attr in TEMPLATE_FUNCTIONS:
                template = node.args[0] if node.args else None
                if not (isinstance(template, ast.Constant) and isinstance(template.value, str)):
                    offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert not offenders, "markup templates that are not string literals:\n" + "\n".join(offenders)


def test_data_reaches_markdown_only_through_md():
    found = [v for path in sources() for v in markdown_violations(path)]
    assert not found, "data shown as Markdown without markup.md(...):\n" + "\n".join(found)


def test_the_checker_catches_data_in_markdown(tmp_path: Path):
    """The rules above can fail: a page that shows a name unescaped is caught, an escaped one is not."""
    page = DASHBOARD / "_probe_for_test.py"
    try:
        page.write_text(
            "import streamlit as st\nfrom dashboard import markup\nfrom dashboard.tekster import t\n"
            "def f(record, navn):\n"
            "    st.subheader(record['navn'])\n"
            "    lines = [f\"**{t('a')}:** {navn}\"]\n"
            "    st.markdown('  \\n'.join(lines))\n"
            "    st.info(t('x', navn=navn))\n"
            "    st.caption(t('x', navn=markup.md(navn)))\n"
            "    st.markdown(f\"**{t('a')}:** {markup.md(navn)}\")\n",
            encoding="utf-8",
        )
        found = markdown_violations(page)
    finally:
        page.unlink()
    assert [line.split(":")[1] for line in found] == ["5", "7", "8"], found


def test_md_and_html_escape_what_markdown_and_html_would_act_on():
    from dashboard import markup

    hostile = '<img src="http://203.0.113.7/b.png"> [Logg inn](http://203.0.113.7/login) ![b](x) :red[r] $x$'
    escaped = markup.md(hostile)
    for char in "<>[]!:$":
        assert f"\\{char}" in escaped
    assert escaped.replace("\\", "").replace(markup.WORD_JOINER, "") == hostile
    assert "http:" not in escaped.replace("\\", "")  # no autolink: http⁠:// with a word joiner
    assert markup.md("a\n# b") == "a # b"  # one line: a «#» inside it starts nothing
    assert markup.md("# b") == "\\# b" and markup.md("- b") == "\\- b" and markup.md("1. b") == "1\\. b"
    assert str(markup.html("<p class='x'>{v}</p>", v=hostile)).count("<") == 2
    inner = markup.html("<b>{v}</b>", v="&")
    assert markup.html("<p>{a}</p>", a=inner) == "<p><b>&amp;</b></p>"

"""The one place where text from data meets markup: Markdown, HTML and script.

A name in data/partnerships.yaml, a unit name from an import or a value in the URL is text, and
must stay text on the page. Streamlit's Markdown turns `[a](url)` into a link and `![](url)`
into an image fetched from anywhere; HTML given with `unsafe_allow_html`/`st.html` is HTML.
So:

* Text elements (`st.dataframe`, option labels, chart labels) need nothing.
* Data inside Markdown (`st.markdown`, `st.caption`, `st.info`, headings, `t(...)` texts shown
  as Markdown) goes through `md(value)`.
* HTML is written only here: `show_html(TEMPLATE, **values)` with a fixed template from the code
  and every value escaped (`html(...)` builds a fragment; a fragment is `Safe` and is not escaped
  twice). `script(TEMPLATE, **values)` puts values into a script as JSON.
* The map's tooltip template is fixed markup from the catalogue; Streamlit's deck.gl chart
  escapes the fields it fills in (checked in the browser: a name with `<img …>` shows as text),
  so those fields are given as they are, never escaped twice.

tests/test_escaping.py fails when page code passes data to Markdown or HTML any other way.
"""

from __future__ import annotations

import html as _html
import json
import re


class Safe(str):
    """Markup made by this module from a fixed template and escaped values."""


# Every ASCII punctuation character may be backslash-escaped in CommonMark. Escaped anywhere: the
# characters that make links and images (`[ ] !`), HTML and entities (`< > &`), emphasis and code
# (`* _ ~ \``), Streamlit's `:emoji:`/`:material/icon:`/`:red[…]` (`:`) and `$maths$`. At the start
# only: what starts a heading or a list (`#`, `-`, `+`, `1.`), since data may follow «- ».
_MARKDOWN = re.compile(r"""([\\`*_\[\]<>!~$:&])""")
_BLOCK_START = re.compile(r"^(\s*)([#+\-]|\d+(?=[.)]))")

# GitHub's autolinks are found in the text after escapes are undone, so escaping cannot stop
# them: a word joiner (U+2060, invisible) after `http`, `www` or `@` breaks the pattern.
_AUTOLINK = re.compile(r"(?i)\b(?:https?(?=:)|www(?=\.)|mailto(?=:)|xmpp(?=:))|@")
WORD_JOINER = "\u2060"


def md(value: object) -> str:
    """Text for a Markdown context: shown exactly as written, never as markup (one line)."""
    text = "" if value is None else str(value)
    text = " ".join(text.splitlines())  # a line break in data cannot start a list or heading
    text = _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, text)
    text = _MARKDOWN.sub(r"\\\1", text)
    return _BLOCK_START.sub(_escape_block_start, text, count=1)


def _escape_block_start(match: re.Match) -> str:
    lead, mark = match.group(1), match.group(2)
    return f"{lead}{mark}\\" if mark[0].isdigit() else f"{lead}\\{mark}"  # «1\.», «\#»


def _escape(value: object) -> str:
    if isinstance(value, Safe):
        return value
    return _html.escape("" if value is None else str(value), quote=True)


def html(template: str, **values: object) -> Safe:
    """`template` (fixed markup from the code) with each {name} filled by its value, escaped."""
    return Safe(template.format(**{k: _escape(v) for k, v in values.items()}))


def join(parts, separator: str = "") -> Safe:
    """Fragments made by `html` joined (the separator is fixed markup from the code)."""
    return Safe(separator.join(_escape(p) for p in parts))


def show_html(template: str, container=None, **values: object) -> None:
    """Show `html(template, **values)` on the page (or in `container`)."""
    import streamlit as st  # here: the command line's reports use this module without Streamlit

    (container or st).html(html(template, **values))


def _json(value: object) -> str:
    # JSON, with the characters that could end the <script> element or a JS string escaped
    text = json.dumps(value, ensure_ascii=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text


def script(template: str, container=None, **values: object) -> None:
    """Run `template` (a fixed script from the code) with each {name} a JSON value."""
    import streamlit as st

    code = template.format(**{k: _json(v) for k, v in values.items()})
    (container or st).html(f"<script>{code}</script>", unsafe_allow_javascript=True)

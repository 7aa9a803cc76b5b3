"""Every user-facing text of the dashboard, in bokmål, nynorsk and English (tekster.yaml).

`t("side.nokkel", navn=...)` gives the text in the language of this run. The language is chosen
in the sidebar or by `?lang=nb|nn|en`; bokmål is the default. A missing key is a programming
error and raises (tests/test_tekster.py checks every key used in dashboard/ and every language).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

import yaml

LANGS = ("nb", "nn", "en")
DEFAULT = "nb"
CATALOGUE = Path(__file__).with_name("tekster.yaml")
# browser locale for numbers in tables ("localized" columns) and the page's lang attribute
LOCALES = {"nb": "nb-NO", "nn": "nn-NO", "en": "en-GB"}
# a language set for a block of work outside a page run (reports from the command line)
_CHOSEN: ContextVar[str | None] = ContextVar("kl_sprak", default=None)


def _flatten(node: dict, prefix: str = "") -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for key, value in node.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and set(value) <= set(LANGS) and value:
            out[path] = {lang: str(text) for lang, text in value.items()}
        elif isinstance(value, dict):
            out |= _flatten(value, path + ".")
        else:
            raise ValueError(f"{CATALOGUE.name}: {path} must map nb/nn/en to texts")  # ikke-tekst
    return out


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """{'side.nokkel': {'nb': ..., 'nn': ..., 'en': ...}} read once per process."""
    return _flatten(yaml.safe_load(CATALOGUE.read_text(encoding="utf-8")))


@contextmanager
def sprak(lang: str) -> Iterator[None]:
    """Texts in `lang` inside the block, whatever the page run says (reports, exports)."""
    token = _CHOSEN.set(lang if lang in LANGS else DEFAULT)
    try:
        yield
    finally:
        _CHOSEN.reset(token)


def lang() -> str:
    """The language of this run (bokmål outside a Streamlit run). Streamlit is only asked when
    it is already loaded, so the command line's reports never import it."""
    chosen = _CHOSEN.get()
    st = sys.modules.get("streamlit")
    if chosen is None and st is not None:
        try:
            chosen = st.session_state.get("_lang", DEFAULT)
        except Exception:  # noqa: BLE001 - no session outside a run (benchmarks, unit tests)
            chosen = DEFAULT
    return chosen if chosen in LANGS else DEFAULT


def t(key: str, **values: object) -> str:
    """The text for key in this run's language, with {placeholders} filled in."""
    text = catalogue()[key][lang()]
    return text.format(**values) if values else text


def has(key: str) -> bool:
    return key in catalogue()


def kode(kind: str, code: str | None, fallback: str | None = None) -> str:
    """A label for a code from the warehouse (indicator, respondent group, area, role, unit
    type, strand). The warehouse holds bokmål names; the catalogue adds nynorsk and English.
    A code the catalogue does not know (a new instrument) keeps the warehouse's name."""
    if code is None:
        return fallback or ""
    key = f"kode.{kind}.{code}"
    return t(key) if key in catalogue() else (fallback if fallback is not None else code)


def runde(code: str | None) -> str:
    """'2023-høst' -> '2023 haust' / '2023 autumn'; plain years stay as they are."""
    if not code:
        return "–"
    year, _, season = code.partition("-")
    return f"{year} {t('felles.host')}" if season == "høst" else code  # ikke-tekst: a round code


def kode_map(kind: str, codes) -> dict[str, str]:
    """{code: label} for a set of codes (for polars `replace_strict`)."""
    return {c: kode(kind, c) for c in codes if c is not None}


def gruppe(gruppering: str, value: str) -> str:
    """A breakdown group as shown: 'Jenter' / 'Girls', '5.–7. trinn' / 'years 5–7'."""
    if gruppering == "kjonn" or value == "alle":
        return kode("kjonn", value)
    if gruppering == "trinn" and lang() == "en":
        return f"{t('kode.trinn')} {value.replace('. trinn', '').replace('.', '')}"
    return value

"""Limits on everything a user gives, and the rules for clean text: one place for both.

Every file a user hands over (an import, its column file, partnerships.yaml, data/tilgang.yaml,
an upload from the browser) is read within these bounds, so a hostile or broken file is
refused with a Norwegian message that names the limit instead of filling memory, hanging the
build or reaching a page. docs/trusselmodell.md lists each limit and what it protects.

Text rules: every text is NFC-normalised (the same letters are the same bytes, so a key cannot
hide as a lookalike); control characters, format characters (Unicode category Cf: bidi
overrides and isolates, zero-width characters, the soft hyphen …) and line/paragraph
separators are refused, naming the code point.
"""

from __future__ import annotations

import os
import time
import unicodedata

from etl.errors import Described, InputError, Problem

MIB = 1024 * 1024

# --- files a user gives ----------------------------------------------------------------------
MAX_IMPORT_BYTES = 2048 * MIB  # a CSV or .xlsx import as given (10 M answer rows are ~600 MB)
MAX_ROWS = 60_000_000  # rows of one import (the national demo has ~55 M answer rows)
MAX_XLSX_ROWS = 1_048_576  # Excel's own limit for one sheet
MAX_COLUMNS = 500  # columns in an import's header row (our kinds use at most 9)
MAX_CELL_CHARS = 32_767  # characters in one cell (Excel's own limit)
MAX_XLSX_UNPACKED_BYTES = 1024 * MIB  # all parts of a workbook, unpacked
MAX_XLSX_PARTS = 10_000  # files inside a workbook (a zip)
MAX_PARSE_SECONDS = 900  # reading and checking one import file (10 M rows take ~2 min)

# --- YAML (partnerships.yaml, kilder.yaml, instruments, a column file, tilgang.yaml) ------------
MAX_YAML_BYTES = 5 * MIB  # partnerships.yaml is ~55 kB
MAX_YAML_NODES = 200_000  # values, lists and mappings in one document
MAX_YAML_DEPTH = 30  # nesting of lists and mappings (our files use 5)
MAX_YAML_SCALAR_CHARS = 20_000  # one value
MAX_YAML_SECONDS = 30  # reading one YAML file (partnerships.yaml takes ~0.2 s)

# --- text fields -----------------------------------------------------------------------------
MAX_ID_CHARS = 100  # ids and codes: enhet_id, respondent_id, a collaboration's id
MAX_NAME_CHARS = 200  # names: a collaboration, a unit, a partner, a municipality in a source
MAX_TEXT_CHARS = 5_000  # notes, descriptions, quotes, list items
MAX_HEADER_CHARS = 200  # a column header, and a header named in a column file

# Norwegian names of the limits, for messages («grensen for cellelengde»).
NAMES = {
    "MAX_IMPORT_BYTES": "filstørrelse",
    "MAX_ROWS": "antall rader",
    "MAX_XLSX_ROWS": "antall rader i et regneark",
    "MAX_COLUMNS": "antall kolonner",
    "MAX_CELL_CHARS": "tegn i én celle",
    "MAX_XLSX_UNPACKED_BYTES": "utpakket størrelse av en arbeidsbok",
    "MAX_XLSX_PARTS": "antall deler i en arbeidsbok",
    "MAX_PARSE_SECONDS": "lesetid",
    "MAX_YAML_BYTES": "størrelsen på en YAML-fil",
    "MAX_YAML_NODES": "antall verdier i en YAML-fil",
    "MAX_YAML_DEPTH": "nivåer i en YAML-fil",
    "MAX_YAML_SCALAR_CHARS": "tegn i én YAML-verdi",
    "MAX_YAML_SECONDS": "lesetid for en YAML-fil",
    "MAX_ID_CHARS": "tegn i en ID",
    "MAX_NAME_CHARS": "tegn i et navn",
    "MAX_TEXT_CHARS": "tegn i en tekst",
    "MAX_HEADER_CHARS": "tegn i en kolonneoverskrift",
}


def number(n: int) -> str:
    """12 345 678 (Norwegian thousands, a narrow no-break space would be invisible in a terminal)."""
    return f"{n:,}".replace(",", " ")


def size(n: int) -> str:
    if n >= MIB:
        return f"{n / MIB:,.0f} MB".replace(",", " ")
    return f"{number(n)} byte"


def at_most(limit: str, unit: str = "") -> str:
    """«høyst 32 767 tegn (grensen for tegn i én celle, MAX_CELL_CHARS i etl/limits.py)»."""
    value = globals()[limit]
    shown = size(value) if limit.endswith("_BYTES") else number(value)
    return f"høyst {shown}{' ' + unit if unit else ''} (grensen for {NAMES[limit]}, {limit} i etl/limits.py)"


def too_large(fil: str, found: str, limit: str, unit: str = "", rad=None, kolonne=None) -> InputError:
    return InputError([Problem(fil, rad, kolonne, Described(found), at_most(limit, unit))])


def check_file_size(fil: str, n_bytes: int, limit: str = "MAX_IMPORT_BYTES") -> None:
    if n_bytes > globals()[limit]:
        raise too_large(fil, f"en fil på {size(n_bytes)}", limit)


# --- time ------------------------------------------------------------------------------------


class Deadline:
    """A time bound on reading one file, checked between steps and every so many rows, so a
    runaway parse ends in a clear error instead of a hang (works in any thread, unlike a signal).

    KL_MAKS_LESETID (seconds) overrides the bound: a test sets it to 0 to see the message.
    """

    def __init__(self, fil: str, limit: str = "MAX_PARSE_SECONDS") -> None:
        self.fil, self.limit = fil, limit
        override = (os.environ.get("KL_MAKS_LESETID") or "").strip()
        self.seconds = float(override) if _is_number(override) else float(globals()[limit])
        self.ends = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() >= self.ends:
            shown = number(int(self.seconds))
            raise InputError([Problem(
                self.fil, None, None,
                Described(f"en fil som ikke var lest ferdig etter {shown} sekunder"),
                f"en fil som kan leses innen {shown} sekunder (grensen for {NAMES[self.limit]}, "
                f"{self.limit} i etl/limits.py) – er filen mye større eller mer sammensatt enn "
                "vanlig, del den opp",
            )])


def _is_number(text: str) -> bool:
    try:
        return float(text) >= 0
    except ValueError:
        return False


# --- clean text ------------------------------------------------------------------------------

REFUSED_CATEGORIES = ("Cc", "Cf", "Cs", "Zl", "Zp")
# the same in the regular expressions of Polars (Rust's regex crate)
REFUSED_PATTERN = r"[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]"  # no surrogates in Rust text
BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
ZERO_WIDTH = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF}
CLEAN_TEXT = (
    "tekst uten kontrolltegn, usynlige tegn og styretegn for skriveretning (slike tegn kan "
    "skjule eller snu tekst på skjermen) – fjern tegnet"
)


def forbidden(text: str, allow: str = "") -> str | None:
    """The first character of `text` that is refused (not in `allow`), or None."""
    if text.isprintable():  # the common case, in C: no Cc, Cf, Cs, Zl, Zp (nor Zs but space)
        return None
    for char in text:
        if char not in allow and unicodedata.category(char) in REFUSED_CATEGORIES:
            return char
    return None


def describe_char(char: str) -> str:
    """«tegnet U+202E (et styretegn for skriveretning)»."""
    code = ord(char)
    if code in BIDI:
        kind = "et styretegn for skriveretning"
    elif code in ZERO_WIDTH:
        kind = "et usynlig tegn med null bredde"
    elif unicodedata.category(char) == "Cf":
        kind = "et usynlig formateringstegn"
    elif unicodedata.category(char) in ("Zl", "Zp"):
        kind = "et linje- eller avsnittsskille"
    elif unicodedata.category(char) == "Cs":
        kind = "en halv UTF-16-tegnkode"
    else:
        kind = "et kontrolltegn"
    return f"tegnet U+{code:04X} ({kind})"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def text_problem(text: str, limit: str, allow: str = "") -> tuple[str, str] | None:
    """(found, expected) when a text breaks a rule (a refused character, or longer than the
    limit named), else None. `text` is expected NFC already; the length counts characters."""
    char = forbidden(text, allow)
    if char is not None:
        shown = text if len(text) <= 60 else text[:60] + "…"
        return f"«{_visible(shown)}» med {describe_char(char)}", CLEAN_TEXT
    if len(text) > globals()[limit]:
        return f"en tekst på {number(len(text))} tegn", at_most(limit, "tegn")
    return None


def _visible(text: str) -> str:
    from etl.meldinger import escape

    return escape(text, limit=10_000)

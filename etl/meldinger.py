"""The boundary between library text and the user: every message in Norwegian, never a traceback.

`explain(exc)` turns what the operating system, DuckDB or a library raised into one Norwegian
sentence that names the file and says what to do; nothing English and no Python type name gets
through (an unknown error says so in Norwegian and how to see the details: KL_FEILSOK=1).
`escape(value)` makes text from input files safe to print: control characters, ANSI escapes
included, are shown as `\\x1b`, never sent to the terminal. `install_argparse()` puts
argparse's own texts ("usage", "options", "the following arguments are required") in Norwegian.
"""

from __future__ import annotations

import argparse
import errno
import os
import re
import unicodedata

DEBUG_ENV = "KL_FEILSOK"
SEE_DETAILS = f"Kjør på nytt med {DEBUG_ENV}=1 for tekniske detaljer."
NOTHING_CHANGED = "Det gamle lageret er urørt."


def debug() -> bool:
    return (os.environ.get(DEBUG_ENV) or "").strip() == "1"


def escape(value: object, limit: int = 200) -> str:
    """Text safe for a terminal: control characters as \\xNN, long values shortened."""
    text = "" if value is None else str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return "".join(
        (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
        if unicodedata.category(c) in ("Cc", "Cf")
        else c
        for c in text
    )


# What a YAML/JSON value is, in words (never `dict`, `NoneType` or the loader's `Node`).
PYTHON_TYPE_NAMES = {
    "NoneType": "(tom)",
    "dict": "en tabell (nøkkel: verdi)",
    "Node": "en tabell (nøkkel: verdi)",
    "list": "en liste",
    "tuple": "en liste",
    "str": "tekst",
    "int": "et heltall",
    "float": "et desimaltall",
    "bool": "true eller false",
    "date": "en dato",
    "datetime": "et tidspunkt",
}


def kind_of(value: object) -> str:
    """A YAML/JSON value described for the user: «true», a list of 3, a mapping, «tekst»."""
    if value is None:
        return "(tom)"
    if isinstance(value, bool):
        return "«true»" if value else "«false»"
    if isinstance(value, dict):
        return "en tabell (nøkkel: verdi)"
    if isinstance(value, (list, tuple, set)):
        return f"en liste med {len(value)} element(er)"
    if isinstance(value, (int, float, str)):
        return f"«{escape(value)}»"
    return PYTHON_TYPE_NAMES.get(type(value).__name__, "en verdi av ukjent slag")


# --- errors from the operating system and DuckDB -------------------------------------------


def _where(path: object) -> str:
    return f" ({escape(path)})" if path else ""


_OS_MESSAGES = {
    errno.EACCES: "Mangler tilgang{where}: mappen eller filen er skrivebeskyttet eller eies av en "
    "annen bruker. Gi skrivetilgang, eller velg en annen sti (KL_WAREHOUSE, KL_CACHE_DIR, "
    "KL_IMPORT_DIR, KL_DEMO_DIR).",
    errno.EROFS: "Filsystemet er skrivebeskyttet{where}. Velg en sti der det kan skrives "
    "(KL_WAREHOUSE, KL_CACHE_DIR, KL_IMPORT_DIR, KL_DEMO_DIR).",
    errno.ENOSPC: "Disken er full{where}. Frigjør plass og prøv igjen.",
    errno.ENOENT: "Fant ikke filen eller mappen{where}.",
    errno.EBUSY: "Filen er låst eller i bruk av et annet program{where}. Lukk det og prøv igjen.",
    errno.ETXTBSY: "Filen er låst eller i bruk av et annet program{where}. Lukk det og prøv igjen.",
    errno.ENOTDIR: "En del av stien er en fil, ikke en mappe{where}.",
    errno.EISDIR: "Stien er en mappe, ikke en fil{where}.",
    errno.ENAMETOOLONG: "Filnavnet er for langt{where}.",
    errno.EMFILE: "For mange åpne filer i prosessen{where}.",
    errno.EIO: "Lese- eller skrivefeil på disken{where}.",
}
_OS_MESSAGES[errno.EPERM] = _OS_MESSAGES[errno.EACCES]
_OS_MESSAGES[errno.EDQUOT] = "Diskkvoten er brukt opp{where}. Frigjør plass og prøv igjen."
_OS_MESSAGES[errno.EAGAIN] = _OS_MESSAGES[errno.EBUSY]

# DuckDB puts the operating system's English text into its own; the text is matched, not shown.
_DUCKDB_PATTERNS = [
    (re.compile(r"no space left|disk is full|not enough space", re.IGNORECASE), errno.ENOSPC),
    (re.compile(r"could not set lock|conflicting lock", re.IGNORECASE), errno.EBUSY),
    (re.compile(r"read-only file system", re.IGNORECASE), errno.EROFS),
    (re.compile(r"permission denied|access is denied", re.IGNORECASE), errno.EACCES),
    (re.compile(r"no such file or directory", re.IGNORECASE), errno.ENOENT),
]


def os_message(exc: OSError) -> str:
    where = _where(exc.filename)
    template = _OS_MESSAGES.get(exc.errno or -1)
    if template is None:
        return f"Operativsystemet avviste en filoperasjon{where} (feilnummer {exc.errno}). {SEE_DETAILS}"
    return template.format(where=where)


def explain(exc: BaseException) -> str:
    """One Norwegian message for an error that stopped a command."""
    import duckdb

    if isinstance(exc, OSError):
        return os_message(exc)
    if isinstance(exc, (MemoryError, duckdb.OutOfMemoryException)):
        return "For lite minne til å fullføre. Lukk andre programmer eller bygg med mindre data."
    if isinstance(exc, duckdb.Error):
        text = str(exc)
        quoted = re.search(r'"([^"]+)"', text)
        for pattern, code in _DUCKDB_PATTERNS:
            if pattern.search(text):
                return os_message(OSError(code, "", quoted.group(1) if quoted else None))
        return f"Databasen (DuckDB) stoppet med en feil. {SEE_DETAILS}"
    return f"En uventet feil stoppet kommandoen. {SEE_DETAILS}"


_CSV_PROBLEMS = [
    (r"field larger than field limit \((\d+)\)", "et felt som er lengre enn {0} tegn"),
    (r"line contains NUL", "et NUL-tegn (er filen tekst?)"),
    (r"new-line character seen in unquoted field", "et linjeskift i et felt uten anførselstegn"),
    (r"unexpected end of data", "slutten av filen midt i et felt"),
    (r"',' expected after '\"'", "tekst etter et avsluttende anførselstegn"),
]


def found_text(exc: BaseException) -> str:
    """What was found, when what was found is an error (a Problem's `funnet`)."""
    import csv

    if isinstance(exc, OSError):
        return os_message(exc)
    if isinstance(exc, csv.Error):
        for pattern, norwegian in _CSV_PROBLEMS:
            match = re.search(pattern, str(exc))
            if match:
                return norwegian.format(*match.groups())
        return "tekst som ikke kan leses som CSV"
    if isinstance(exc, UnicodeError):
        return "tegn som ikke kan leses"
    return "innhold som ikke kan leses"


# os.strerror texts that callers pass on as what was found ("Permission denied"), in Norwegian.
STRERROR = {
    os.strerror(code): text
    for code, text in {
        errno.EACCES: "ingen tilgang", errno.EPERM: "ingen tilgang", errno.ENOENT: "ingen fil",
        errno.EISDIR: "en mappe", errno.ENOTDIR: "en sti gjennom en fil", errno.EROFS:
        "et skrivebeskyttet filsystem", errno.ENOSPC: "full disk", errno.EIO: "en lesefeil på disken",
        errno.EBUSY: "en fil som er i bruk", errno.ENAMETOOLONG: "et for langt filnavn",
    }.items()
}


# --- argparse in Norwegian -----------------------------------------------------------------

_ARGPARSE = {
    "usage: ": "bruk: ",
    "positional arguments": "argumenter",
    "options": "valg",
    "optional arguments": "valg",
    "show this help message and exit": "vis denne hjelpeteksten og avslutt",
    "%(prog)s: error: %(message)s\n": "%(prog)s: feil: %(message)s\n",
    "the following arguments are required: %s": "mangler påkrevd(e) argument(er): %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "ugyldig valg: %(value)r (velg blant %(choices)s)",
    "unrecognized arguments: %s": "ukjente argumenter: %s",
    "argument %(argument_name)s: %(message)s": "argumentet %(argument_name)s: %(message)s",
    "expected one argument": "forventet én verdi",
    "expected at least one argument": "forventet minst én verdi",
    "expected at most one argument": "forventet høyst én verdi",
    "ambiguous option: %(option)s could match %(matches)s": "tvetydig valg: %(option)s kan bety %(matches)s",
    "invalid %(type)s value: %(value)r": "ugyldig verdi: %(value)r",
    "one of the arguments %s is required": "ett av argumentene %s er påkrevd",
    "not allowed with argument %s": "kan ikke brukes sammen med %s",
    "ignored explicit argument %r": "verdien %r ble ignorert",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "ukjent kommando %(parser_name)r (velg blant %(choices)s)",
    "can't open '%(filename)s': %(error)s": "kan ikke åpne «%(filename)s»: %(error)s",
}
_ARGPARSE_PLURAL = {"expected %s argument": ("forventet %s verdi", "forventet %s verdier")}


def _gettext(message: str) -> str:
    return _ARGPARSE.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    if singular in _ARGPARSE_PLURAL:
        one, many = _ARGPARSE_PLURAL[singular]
        return one if n == 1 else many
    return singular if n == 1 else plural


def install_argparse() -> None:
    """argparse looks its texts up through its module-level `_` and `ngettext` at call time."""
    argparse._ = _gettext
    argparse.ngettext = _ngettext

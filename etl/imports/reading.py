"""Reading a file as text cells: CSV (separator, encoding sniffed) or the first sheet of an .xlsx."""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from etl.errors import InputError, Problem

SEPARATORS = {";": "semikolon", ",": "komma", "\t": "tabulator"}


# --- reading a file as text cells ------------------------------------------------------------


@dataclass
class RawTable:
    """A file's cells as text: header row and data rows with their row numbers (header = 1)."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    format: str
    separator: str | None = None  # CSV only; None for xlsx (cells cannot spill over)


def file_problem(fil: str, found: object, expected: str) -> InputError:
    return InputError([Problem(fil, None, None, found, expected)])


def read_raw(fil: str, data: bytes, suffix: str) -> RawTable:
    """Cells of a CSV or the first sheet of an .xlsx, as text; raises InputError when unreadable."""
    if not data.strip():
        raise file_problem(fil, "en tom fil", "en overskriftsrad og minst én datarad")
    if data.startswith(b"PK\x03\x04") or suffix == ".xlsx":
        return _read_xlsx(fil, data)
    if data.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        raise file_problem(fil, "en Excel-fil i gammelt format (.xls)", "en .xlsx- eller CSV-fil")
    return _read_csv(fil, data)


def _decode(fil: str, data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        encodings = [("utf-8-sig", "UTF-8 med BOM")]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = [("utf-16", "UTF-16")]
    else:
        encodings = [("utf-8", "UTF-8"), ("cp1252", "Windows-1252")]
    for encoding, label in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text, label
    raise file_problem(
        fil,
        "tegn som ikke kan leses",
        "tekst i tegnkodingen UTF-8 (med eller uten BOM) eller Windows-1252 – "
        "lagre filen som «CSV UTF-8» eller som .xlsx",
    )


def _sniff_separator(header_line: str) -> str:
    """The separator that occurs most often in the header line, outside quotes."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {sep: unquoted.count(sep) for sep in SEPARATORS}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _read_csv(fil: str, data: bytes) -> RawTable:
    text, encoding = _decode(fil, data)
    separator = _sniff_separator(text.lstrip("\ufeff").split("\n", 1)[0])
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error as exc:
        raise file_problem(fil, exc, "en gyldig CSV-fil") from exc
    header, *body = records
    rows = [
        (number, cells)
        for number, cells in enumerate(body, start=2)
        if any(c.strip() for c in cells)
    ]
    fmt = f"CSV, {encoding}, skilletegn {SEPARATORS[separator]}"
    return RawTable([h.lstrip("\ufeff") for h in header], rows, fmt, separator)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _read_xlsx(fil: str, data: bytes) -> RawTable:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise file_problem(
            fil, f"en fil som ikke kan åpnes ({exc})", "en gyldig .xlsx-fil"
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        cells = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    if not cells:
        raise file_problem(fil, "et tomt første regneark", "en overskriftsrad og minst én datarad")
    header = cells[0]
    while header and not header[-1].strip():
        header.pop()
    rows = [
        (number, row)
        for number, row in enumerate(cells[1:], start=2)
        if any(c.strip() for c in row)
    ]
    return RawTable(header, rows, f"Excel, arket «{sheet.title}»")



def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise file_problem(str(path), "ingen fil", "en fil som finnes") from None
    except OSError as exc:
        raise file_problem(str(path), exc.strerror, "en fil som kan leses") from exc


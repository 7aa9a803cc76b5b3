"""Reading a file as text cells: CSV (encoding, separator and header row found) or an .xlsx sheet.

CSV files are parsed by Polars (no per-row Python, so answer files of tens of millions of rows
stay fast); only the first rows are looked at in Python, to find the separator and the header
row below any title rows. Every cell is kept as text; `columns` and `checks` cast and check them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import polars as pl

from etl import limits
from etl.errors import MAX_SHOWN, Described, InputError, Problem

SEPARATORS = {";": "semikolon", ",": "komma", "\t": "tabulator"}
HEAD_ROWS = 20  # the header row is looked for among the first rows (title rows above it)
HEAD_BYTES = 256 * 1024
CHUNK = 16 * 1024 * 1024
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: object) -> str:
    """Text safe to print: control characters (an ANSI escape, a NUL …) shown as \\xNN."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


@dataclass
class RawTable:
    """A file's cells as text, below its header row.

    `cells` has `_rad` (the row as a spreadsheet shows it: the file's first row is 1),
    `_feil_bredde` (a CSV record with another number of fields than the header, or an .xlsx row
    with values right of the last named column), `_felt` (fields in a CSV record) and one text
    column `c0`, `c1` … per header cell.
    """

    headers: list[str]
    cells: pl.DataFrame
    format: str
    where: str  # the file, and for a workbook its sheet: «fil.xlsx, arket «Ark1»»
    header_row: int = 1
    separator: str | None = None  # CSV only

    @property
    def excel(self) -> bool:
        return self.separator is None

    @property
    def rows(self) -> int:
        return self.cells.height


def file_problem(fil: str, found: object, expected: str) -> InputError:
    return InputError([Problem(visible(fil), None, None, visible(found), expected)])


def read_bytes(path: Path) -> bytes:
    try:
        if path.is_file():  # the size is checked before a byte is read
            limits.check_file_size(visible(path), path.stat().st_size)
        return path.read_bytes()
    except FileNotFoundError:
        raise file_problem(str(path), "ingen fil", "en fil som finnes") from None
    except IsADirectoryError:
        raise file_problem(str(path), "en mappe", "en fil (.csv eller .xlsx)") from None
    except PermissionError:
        raise file_problem(str(path), "en fil uten lesetilgang", "en fil som kan leses") from None
    except OSError as exc:
        raise file_problem(str(path), "en fil som ikke kan leses", "en fil som kan leses") from exc


HeaderScore = Callable[[list[str]], int]


def read_raw(
    fil: str, data: bytes, suffix: str, score: HeaderScore, deadline: limits.Deadline | None = None
) -> RawTable:
    """Cells of a CSV or the first sheet of an .xlsx, as text; raises InputError when unreadable.

    `score` counts the known column names in a row; the header is the first row with the most.
    The file is read within the limits of etl/limits.py: size, rows, columns, cell length, a
    workbook's unpacked size, and the time bound `deadline`.
    """
    limits.check_file_size(fil, len(data))
    deadline = deadline or limits.Deadline(fil)
    if not data.strip():
        raise file_problem(fil, "en tom fil", "en overskriftsrad og minst én datarad")
    if data.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        raw = _read_xlsx(fil, data, score, deadline)
    elif data.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        raise file_problem(fil, "en Excel-fil i gammelt format (.xls)", "en .xlsx- eller CSV-fil")
    else:
        raw = _read_csv(fil, data, score, deadline)
    deadline.check()
    return raw


def _check_width(where: str, header: list[str], header_row: int) -> None:
    if len(header) > limits.MAX_COLUMNS:
        raise limits.too_large(where, f"{limits.number(len(header))} kolonner", "MAX_COLUMNS",
                               "kolonner", header_row)


def _check_rows(where: str, rows: int, limit: str = "MAX_ROWS") -> None:
    if rows > getattr(limits, limit):
        raise limits.too_large(where, f"mer enn {limits.number(getattr(limits, limit))} rader", limit,
                               "rader")


def long_cells(where: str, cells: pl.DataFrame, headers: list[str]) -> None:
    """Refuse at once a file with a cell longer than MAX_CELL_CHARS (before anything else is done
    with its text), naming the rows and columns. Works on any slice of rows (a chunk)."""
    problems: list[Problem] = []
    for i in range(len(headers) + 1):
        name = f"c{i}"
        if name not in cells.columns:
            continue
        bad = cells.select("_rad", _lengde=pl.col(name).str.len_chars()).filter(
            pl.col("_lengde") > limits.MAX_CELL_CHARS
        )
        label = headers[i].strip() if i < len(headers) and headers[i].strip() else f"kolonne {i + 1}"
        for row, length in bad.head(MAX_SHOWN).iter_rows():
            problems.append(Problem(
                where, row, visible(label[:100]), Described(f"en celle på {limits.number(length)} tegn"),
                limits.at_most("MAX_CELL_CHARS", "tegn"),
            ))
    if problems:
        raise InputError(problems)


# --- CSV -------------------------------------------------------------------------------------


def _utf8(data: bytes) -> bool:
    """Whether the bytes are UTF-8, checked in chunks (no decoded copy of a large file)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(view), CHUNK):
            decoder.decode(view[start : start + CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _as_utf8(fil: str, data: bytes) -> tuple[bytes, str]:
    """The file as UTF-8 bytes (Polars reads only that) and the encoding it had."""
    unreadable = file_problem(
        fil,
        "tegn som ikke kan leses",
        "tekst i tegnkodingen UTF-8 (med eller uten BOM) eller Windows-1252 – "
        "lagre filen som «CSV UTF-8» eller som .xlsx",
    )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise unreadable from None
        if "\x00" in text:
            raise unreadable
        return text.encode("utf-8"), "UTF-16"
    if b"\x00" in data:  # UTF-16 without a BOM, or not text at all
        raise unreadable
    if data.startswith(codecs.BOM_UTF8):
        if not _utf8(data[3:]):
            raise unreadable
        return data[3:], "UTF-8 med BOM"
    if _utf8(data):
        return data, "UTF-8"
    try:
        return data.decode("cp1252").encode("utf-8"), "Windows-1252"
    except UnicodeDecodeError:
        raise unreadable from None


def _head(text: str, separator: str) -> list[list[str]]:
    """The first records, parsed in Python (only to find the header row)."""
    rows: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=separator):
            rows.append(record)
            if len(rows) >= HEAD_ROWS:
                break
    except csv.Error:
        pass  # a broken record near the top: the rows before it are enough to look at
    return rows


def _first_separator(line: str) -> str:
    """The separator that occurs most often in a line, outside quotes."""
    unquoted = re.sub(r'"[^"]*"', "", line)
    counts = {sep: unquoted.count(sep) for sep in SEPARATORS}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def header_index(rows: list[list[str]], score: HeaderScore) -> int:
    """Index of the header row: the first with the most known column names, else the first
    with the most filled cells (a title row has one)."""
    filled = [sum(1 for c in row if c.strip()) for row in rows]
    scores = [score(row) for row in rows]
    if rows and max(scores) > 0:
        return scores.index(max(scores))
    if not any(filled):
        return 0
    return filled.index(max(filled))


def _read_csv(fil: str, data: bytes, score: HeaderScore, deadline: limits.Deadline) -> RawTable:
    data, encoding = _as_utf8(fil, data)
    limits.check_file_size(fil, len(data))  # Windows-1252 or UTF-16 grow as UTF-8
    head = data[:HEAD_BYTES].decode("utf-8", errors="ignore")
    first_line = next((line for line in head.splitlines() if line.strip()), "")
    candidates = {sep: _head(head, sep) for sep in SEPARATORS}
    best = {sep: max((score(r) for r in rows), default=0) for sep, rows in candidates.items()}
    separator = max(best, key=lambda s: best[s]) if max(best.values()) > 0 else None
    separator = separator or _first_separator(first_line)
    rows = candidates[separator]
    header_at = header_index(rows, score)
    header = [h.lstrip("\ufeff") for h in rows[header_at]] if rows else []
    _check_width(fil, header, header_at + 1)
    width = max(len(header), 1)
    names = [f"c{i}" for i in range(width + 1)]  # one more: a first field too many
    try:
        cells = pl.read_csv(
            data,
            has_header=False,
            separator=separator,
            schema=dict.fromkeys(names, pl.Utf8),
            missing_columns="insert",
            truncate_ragged_lines=True,
            empty_string_is_null=False,
            row_index_name="_rad",
            row_index_offset=1,
        )
        _check_rows(fil, cells.height)
        long_cells(fil, cells, header)
        deadline.check()
        counts = _field_counts(data, separator, cells.height, width)
    except pl.exceptions.PolarsError as exc:
        raise _unparsable(fil, data, separator) from exc
    cells = pl.concat([cells, counts], how="horizontal").with_columns(
        _feil_bredde=(pl.col("_felt") < width) | (pl.col("_felt_fylt") > width)
    ).drop("_felt_fylt")
    cells = _below_header(cells, header_at + 1, names)
    fmt = f"CSV, {encoding}, skilletegn {SEPARATORS[separator]}"
    if header_at > 0:
        fmt += f", overskrift i rad {header_at + 1}"
    return RawTable(header, cells, fmt, fil, header_at + 1, separator)


def _unparsable(fil: str, data: bytes, separator: str) -> InputError:
    """Where Polars gave up: Python's strict csv reader finds the record (error path only)."""
    expected = f"felt skilt med {SEPARATORS[separator]}, med anførselstegn i par rundt et felt"
    reader = csv.reader(
        io.StringIO(data.decode("utf-8"), newline=""), delimiter=separator, strict=True
    )
    number = 0
    try:
        for number, _ in enumerate(reader, start=1):
            pass
    except csv.Error:
        found = "et anførselstegn som ikke er lukket, eller tekst etter et lukket anførselstegn"
        return InputError([Problem(fil, number + 1, None, found, expected)])
    return file_problem(fil, "en CSV-fil som ikke kan tolkes", expected)


def _field_counts(data: bytes, separator: str, records: int, width: int) -> pl.DataFrame:
    """Fields per record (`_felt`), and up to its last filled field (`_felt_fylt`).

    Counted on the lines with quoted text removed (vectorised); a file whose quoted fields span
    lines has fewer records than lines, and is counted by Python's csv module instead.
    """
    lines = pl.read_csv(
        data,
        has_header=False,
        separator="\x00",  # never in the text (checked above): one column per line
        quote_char=None,
        schema={"linje": pl.Utf8},
        truncate_ragged_lines=True,
        empty_string_is_null=False,
    )
    if lines.height == records:
        sep = re.escape(separator)
        line = pl.col("linje")
        # regular expressions only where needed: lines with quotes, rows with too many fields
        unquoted = (
            pl.when(line.str.contains('"', literal=True))
            .then(line.str.replace_all(r'"[^"]*"', ""))
            .otherwise(line)
        )
        fields = unquoted.str.count_matches(separator, literal=True).cast(pl.Int32) + 1
        counts = lines.select(_felt=fields, _tekst=unquoted).select(
            "_felt",
            _felt_fylt=pl.when(pl.col("_felt") > width)
            .then(
                pl.col("_tekst")
                .str.replace(rf"(?:\s*{sep}\s*)+$", "")
                .str.count_matches(separator, literal=True)
                .cast(pl.Int32)
                + 1
            )
            .otherwise(pl.col("_felt")),
        )
    else:
        text = data.decode("utf-8")
        parsed = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
        counts = pl.DataFrame(
            {
                "_felt": [len(r) for r in parsed],
                "_felt_fylt": [
                    next((i + 1 for i in range(len(r) - 1, -1, -1) if r[i].strip()), 0)
                    for r in parsed
                ],
            },
            schema={"_felt": pl.Int32, "_felt_fylt": pl.Int32},
        )
    return counts


def _below_header(cells: pl.DataFrame, header_row: int, names: list[str]) -> pl.DataFrame:
    """Rows below the header; rows with no text are skipped (they keep their numbers)."""
    filled = pl.any_horizontal(pl.col(n).str.strip_chars() != "" for n in names)
    return cells.filter((pl.col("_rad") > header_row) & filled.fill_null(False))


# --- xlsx ------------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time.min else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _open_error(exc: Exception) -> str:
    if isinstance(exc, zipfile.BadZipFile):
        return "en fil som ikke kan åpnes som .xlsx (den er ikke en gyldig Excel-arbeidsbok)"
    if isinstance(exc, KeyError):
        return "en .xlsx-fil som mangler deler av arbeidsboken"
    return "en fil som ikke kan åpnes som .xlsx (skadet eller et annet format)"


def _check_workbook(fil: str, data: bytes) -> None:
    """Before openpyxl unpacks anything: at most MAX_XLSX_PARTS parts and MAX_XLSX_UNPACKED_BYTES
    unpacked (a «zip bomb» is small packed; Python's zip reader never gives more than the sizes
    the directory states, so the stated sizes bound what is unpacked)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise file_problem(fil, _open_error(zipfile.BadZipFile()), "en gyldig .xlsx-fil") from exc
    if len(parts) > limits.MAX_XLSX_PARTS:
        raise limits.too_large(fil, f"en arbeidsbok med {limits.number(len(parts))} deler",
                               "MAX_XLSX_PARTS", "deler")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.MAX_XLSX_UNPACKED_BYTES:
        raise limits.too_large(fil, f"en arbeidsbok på {limits.size(unpacked)} utpakket",
                               "MAX_XLSX_UNPACKED_BYTES")


def _read_xlsx(fil: str, data: bytes, score: HeaderScore, deadline: limits.Deadline) -> RawTable:
    import openpyxl

    _check_workbook(fil, data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise file_problem(fil, _open_error(exc), "en gyldig .xlsx-fil") from exc
    try:
        if not workbook.worksheets:
            raise file_problem(fil, "en arbeidsbok uten regneark", "et regneark med data")
        sheet = workbook.worksheets[0]
        where = f"{fil}, arket «{visible(sheet.title)}»"
        rows: list[tuple[int, list[str]]] = []
        # columns right of MAX_COLUMNS + 1 are not read: a sheet that claims 16 384 columns
        # would otherwise be padded with empty cells on every row
        for row in sheet.iter_rows(max_col=limits.MAX_COLUMNS + 1):
            cells = [c for c in row if getattr(c, "row", None) is not None]
            if cells:
                rows.append((cells[0].row, [cell_text(c.value) for c in row]))
                if len(rows) % 1000 == 0:
                    deadline.check()
                    _check_rows(where, len(rows), "MAX_XLSX_ROWS")
        _check_rows(where, len(rows), "MAX_XLSX_ROWS")
    except InputError:
        raise
    except Exception as exc:
        raise file_problem(fil, _open_error(exc), "en gyldig .xlsx-fil") from exc
    finally:
        workbook.close()
    rows = [(n, r) for n, r in rows if any(c.strip() for c in r)]
    if not rows:
        raise file_problem(where, "et tomt første regneark", "en overskriftsrad og minst én datarad")
    header_at = header_index([r for _, r in rows[:HEAD_ROWS]], score)
    header_row, header = rows[header_at]
    while header and not header[-1].strip():
        header.pop()
    _check_width(where, header, header_row)
    width = max(len(header), 1)
    names = [f"c{i}" for i in range(width + 1)]
    columns: dict[str, list] = {n: [] for n in ["_rad", *names, "_feil_bredde"]}
    for number, row in rows[header_at + 1 :]:
        columns["_rad"].append(number)
        for i in range(width):
            columns[f"c{i}"].append(row[i] if i < len(row) else "")
        extra = [c for c in row[width:] if c.strip()]
        columns[f"c{width}"].append(extra[0] if extra else "")
        columns["_feil_bredde"].append(bool(extra))
    schema = {"_rad": pl.Int64, **dict.fromkeys(names, pl.Utf8), "_feil_bredde": pl.Boolean}
    cells = pl.DataFrame(columns, schema=schema).with_columns(_felt=pl.lit(None, pl.Int32))
    long_cells(where, cells, header)
    fmt = f"Excel, arket «{visible(sheet.title)}»"
    if header_row > 1:
        fmt += f", overskrift i rad {header_row}"
    return RawTable(header, cells, fmt, where, header_row, None)

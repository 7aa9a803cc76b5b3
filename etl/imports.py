"""Import real exports: units, survey answers, aggregated results and competence mapping.

A file is read as text first (CSV separated by `,`, `;` or tab, in UTF-8 with or without BOM or
in Windows-1252; or the first sheet of an `.xlsx`), then every column is validated and cast, so
each problem names its row as the user sees it (the header is row 1). A whole file is checked
before anything is reported. A valid file is kept as a source under
`KL_IMPORT_DIR/<kind>/<sha256[:12]>-<name>` and the warehouse is rebuilt; `load_all()` re-reads
every kept file for the build. Formats: docs/import-formats.md; frames: docs/survey-data.md.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import importlib
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import polars as pl

from etl import config, geography
from etl.errors import Collector, InputError, Problem

KINDS = ("units", "answers", "results", "mapping")
SURVEY_KINDS = ("answers", "results")  # both fill the same indicator cells
KIND_NAMES = {
    "units": "enheter",
    "answers": "svar",
    "results": "resultater",
    "mapping": "kartlegging",
}
INSTRUMENT_FILES = {
    "survey_frames": "data/instruments/sepu_undersokelse.yaml",
    "mapping_frames": "data/instruments/kartlegging.yaml",
}

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "units": {
        "enhet_id": pl.Utf8,
        "enhet_navn": pl.Utf8,
        "enhetstype": pl.Utf8,
        "kommunenummer": pl.Utf8,
        "kommunenummer_kilde": pl.Utf8,
        "eierform": pl.Utf8,
        "organisasjonsnummer": pl.Utf8,
        "syntetisk": pl.Boolean,
    },
    "answers": {
        "runde": pl.Utf8,
        "enhet_id": pl.Utf8,
        "respondentgruppe": pl.Utf8,
        "respondent_id": pl.Utf8,
        "sporsmal_id": pl.Utf8,
        "svar": pl.Int16,
        "trinn": pl.Int8,
        "kjonn": pl.Utf8,
        "syntetisk": pl.Boolean,
    },
    "results": {
        "runde": pl.Utf8,
        "enhet_id": pl.Utf8,
        "kommunenummer": pl.Utf8,
        "respondentgruppe": pl.Utf8,
        "indikator": pl.Utf8,
        "antall_svar": pl.Int32,
        "skaar": pl.Float64,
        "standardavvik": pl.Float64,
        "syntetisk": pl.Boolean,
    },
    "mapping": {
        "runde": pl.Utf8,
        "kommunenummer": pl.Utf8,
        "enhet_id": pl.Utf8,
        "rolle": pl.Utf8,
        "respondent_id": pl.Utf8,
        "omrade": pl.Utf8,
        "kompetanse": pl.Int8,
        "behov": pl.Int8,
        "syntetisk": pl.Boolean,
    },
}

# Columns that identify a row; `_mottaker` is the unit, or the municipality when there is none.
KEYS = {
    "units": ["enhet_id"],
    "answers": ["runde", "enhet_id", "respondent_id", "sporsmal_id"],
    "results": ["runde", "_mottaker", "respondentgruppe", "indikator"],
    "mapping": ["runde", "respondent_id", "omrade"],
}
# Per respondent these must be the same on every row.
RESPONDENT = {
    "answers": (["runde", "enhet_id", "respondent_id"], ["respondentgruppe", "trinn", "kjonn"]),
    "mapping": (["runde", "respondent_id"], ["kommunenummer", "enhet_id", "rolle"]),
}

ENHETSTYPER = {t: t for t in ("barnehage", "skole", "sfo", "ppt")}
EIERFORMER = {t: t for t in ("kommunal", "privat")}
KJONN = {"gutt": "gutt", "g": "gutt", "jente": "jente", "j": "jente"}
ROLLER = {
    **{r: r for r in ("leder", "pedagog", "assistent", "ppt", "annen")},
    "lærer": "pedagog",
    "laerer": "pedagog",
    "lærer/pedagog": "pedagog",
    "laerer/pedagog": "pedagog",
}
TERMINER = {"høst": "høst", "host": "høst", "haust": "høst", "vår": "vår", "var": "vår"}
YEARS = (2000, 2040)
ORGNR_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
SEPARATORS = {";": "semikolon", ",": "komma", "\t": "tabulator"}


# --- where files live ------------------------------------------------------------------------


def import_dir() -> Path:
    """Kept imports (KL_IMPORT_DIR, default data/imports)."""
    return Path(os.environ.get("KL_IMPORT_DIR") or config.DATA_DIR / "imports")


def kept_files(kind: str) -> list[Path]:
    """Every kept file of a kind, sorted by name."""
    _check_kind(kind)
    folder = import_dir() / kind
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"ukjent importtype {kind!r}; bruk en av {', '.join(KINDS)}")


def empty_frame(kind: str) -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMAS[kind])


# --- reading a file as text cells ------------------------------------------------------------


@dataclass
class RawTable:
    """A file's cells as text: header row and data rows with their row numbers (header = 1)."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    format: str
    separator: str | None = None  # CSV only; None for xlsx (cells cannot spill over)


def _file_problem(fil: str, found: object, expected: str) -> InputError:
    return InputError([Problem(fil, None, None, found, expected)])


def read_raw(fil: str, data: bytes, suffix: str) -> RawTable:
    """Cells of a CSV or the first sheet of an .xlsx, as text; raises InputError when unreadable."""
    if not data.strip():
        raise _file_problem(fil, "en tom fil", "en overskriftsrad og minst én datarad")
    if data.startswith(b"PK\x03\x04") or suffix == ".xlsx":
        return _read_xlsx(fil, data)
    if data.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        raise _file_problem(fil, "en Excel-fil i gammelt format (.xls)", "en .xlsx- eller CSV-fil")
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
    raise _file_problem(
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
        raise _file_problem(fil, exc, "en gyldig CSV-fil") from exc
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
        raise _file_problem(
            fil, f"en fil som ikke kan åpnes ({exc})", "en gyldig .xlsx-fil"
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        cells = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    if not cells:
        raise _file_problem(fil, "et tomt første regneark", "en overskriftsrad og minst én datarad")
    header = cells[0]
    while header and not header[-1].strip():
        header.pop()
    rows = [
        (number, row)
        for number, row in enumerate(cells[1:], start=2)
        if any(c.strip() for c in row)
    ]
    return RawTable(header, rows, f"Excel, arket «{sheet.title}»")


# --- columns ---------------------------------------------------------------------------------


def fold_header(name: str) -> str:
    """Header spelling that ignores case, spaces and æ/ø/å (`Spørsmål ID` = `sporsmal_id`)."""
    text = name.strip().lstrip("\ufeff").lower()
    for letter, plain in (("æ", "ae"), ("ø", "o"), ("å", "a"), ("aa", "a")):
        text = text.replace(letter, plain)
    return re.sub(r"[\s\-]+", "_", text)


Parse = Callable[[pl.Expr], pl.Expr]


@dataclass(frozen=True)
class Field:
    """One column: how to cast its stripped text (null when empty) and what is expected.

    `parse` returns null for an invalid value; `expected` may depend on the value found.
    """

    name: str
    parse: Parse
    expected: str | Callable[[str], str]
    required: bool = True  # the column must be in the header
    blank: bool = False  # empty cells are allowed


def _as_text(e: pl.Expr) -> pl.Expr:
    return e


def _real_id(e: pl.Expr) -> pl.Expr:
    """Ids starting with `demo-` belong to the synthetic demo units."""
    return pl.when(~e.str.to_lowercase().str.starts_with("demo-")).then(e)


def _lower(e: pl.Expr) -> pl.Expr:
    """Instrument ids are lower case (`elev_5_10`); item ids upper case (`E5_TRIV_1`)."""
    return e.str.to_lowercase()


def _upper(e: pl.Expr) -> pl.Expr:
    return e.str.to_uppercase()


def _choice(values: dict[str, str]) -> Parse:
    def parse(e: pl.Expr) -> pl.Expr:
        text = e.str.to_lowercase().str.replace_all(r"\s*/\s*", "/").str.replace_all(r"\s+", " ")
        return text.replace_strict(values, default=None, return_dtype=pl.Utf8)

    return parse


def _integer(lo: int, hi: int) -> Parse:
    def parse(e: pl.Expr) -> pl.Expr:
        digits = pl.when(e.str.contains(r"^[+-]?\d+(?:[.,]0+)?$")).then(
            e.str.replace(r"[.,]0+$", "")
        )
        value = digits.cast(pl.Int64, strict=False)
        return pl.when(value.is_between(lo, hi)).then(value)

    return parse


def _number(lo: float, hi: float) -> Parse:
    def parse(e: pl.Expr) -> pl.Expr:
        text = e.str.replace_all(r"[\s\u00a0\u202f]", "").str.replace(",", ".", literal=True)
        valid = text.str.contains(r"^[+-]?(?:\d+\.?\d*|\.\d+)$")
        value = pl.when(valid).then(text).cast(pl.Float64, strict=False)
        return pl.when(value.is_between(lo, hi)).then(value)

    return parse


def _runde(e: pl.Expr) -> pl.Expr:
    parts = e.str.to_lowercase().str.extract_groups(r"^(\d{4})(?:\s*[-–_ ]\s*([a-zæøå]+))?$")
    year, word = parts.struct.field("1"), parts.struct.field("2")
    term = word.replace_strict(TERMINER, default=None, return_dtype=pl.Utf8)
    in_range = year.cast(pl.Int32, strict=False).is_between(*YEARS)
    return (
        pl.when(in_range & word.is_null())
        .then(year)
        .when(in_range & term.is_not_null())
        .then(pl.concat_str([year, pl.lit("-"), term]))
    )


def _orgnr(e: pl.Expr) -> pl.Expr:
    digits = e.str.replace_all(r"\s", "")
    weighted = pl.sum_horizontal(
        [
            digits.str.slice(i, 1).cast(pl.Int32, strict=False) * w
            for i, w in enumerate(ORGNR_WEIGHTS)
        ]
    )
    rest = 11 - weighted % 11
    control = pl.when(rest == 11).then(0).otherwise(rest)
    valid = digits.str.contains(r"^\d{9}$") & (
        control == digits.str.slice(8, 1).cast(pl.Int32, strict=False)
    )
    return pl.when(valid).then(digits)


def orgnr_is_valid(text: str) -> bool:
    """Mod-11 check of a Norwegian organisation number (spaces ignored)."""
    digits = re.sub(r"\s", "", text)
    if not re.fullmatch(r"\d{9}", digits):
        return False
    rest = 11 - sum(int(d) * w for d, w in zip(digits, ORGNR_WEIGHTS)) % 11
    return (0 if rest == 11 else rest) == int(digits[8])


def _explain_orgnr(found: str) -> str:
    if not re.fullmatch(r"\d{9}", re.sub(r"\s", "", found)):
        return "et organisasjonsnummer med 9 siffer (mellomrom er lov)"
    return "et gyldig organisasjonsnummer – kontrollsifferet (det 9. sifferet, mod 11) stemmer ikke"


@dataclass(frozen=True)
class Municipalities:
    """Every code a file may use (2024 codes and older ones) and the 2024 code it means."""

    to_2024: dict[str, str]
    splits: dict[str, str]  # old code -> note on where the rest of a split municipality went
    ambiguous: set[str]

    @classmethod
    def load(cls) -> Municipalities:
        current = geography.read_kommuner()["kommunenummer"].to_list()
        geography.read_historikk()  # validates the file
        historikk = pl.read_csv(geography.HISTORIKK_CSV, infer_schema_length=0)
        targets = historikk.group_by("kommunenummer_gammel").agg(
            pl.col("kommunenummer_2024").unique()
        )
        mapping = {code: code for code in current}
        ambiguous: set[str] = set()
        for old, new in targets.iter_rows():
            if old in mapping:
                continue
            if len(new) == 1:
                mapping[old] = new[0]
            else:
                ambiguous.add(old)
        has_share = "andel" in historikk.columns
        split_rows = (
            historikk.filter(pl.col("andel").is_not_null()) if has_share else historikk.clear()
        )
        splits = {
            r["kommunenummer_gammel"]: _split_note(r) for r in split_rows.iter_rows(named=True)
        }
        return cls(mapping, splits, ambiguous)

    def parse(self, e: pl.Expr) -> pl.Expr:
        code = pl.when(e.str.contains(r"^\d{3,4}$")).then(e.str.zfill(4))
        return code.replace_strict(self.to_2024, default=None, return_dtype=pl.Utf8)

    def explain(self, found: str) -> str:
        if not re.fullmatch(r"\d{3,4}", found):
            return "et kommunenummer med 4 siffer (3 siffer når 0 foran mangler)"
        if found.zfill(4) in self.ambiguous:
            return "en entydig kode – koden har betydd ulike kommuner; bruk 2024-koden"
        return (
            "et kjent kommunenummer: en 2024-kode eller en eldre kode fra "
            "data/geo/kommunenummer_historikk.csv"
        )


def _split_note(row: dict) -> str:
    note = (
        f"Kommunenummer {row['kommunenummer_gammel']} ({row['kommunenavn_gammel']}) er ført til "
        f"{row['kommunenummer_2024']}, som fikk {row['andel']}"
    )
    return note + (f" ({row['merknad'].rstrip('.')})" if row["merknad"] else "")


RUNDE = "et år (2023) eller år og termin (2023-høst, 2023-vår)"


def fields(kind: str, kommuner: Municipalities) -> list[Field]:
    """The columns of a kind, in the order they are checked and reported."""
    kommune = Field("kommunenummer", kommuner.parse, kommuner.explain)
    if kind == "units":
        return [
            Field(
                "enhet_id",
                _real_id,
                "en enhets-ID som ikke begynner med «demo-» (forbeholdt demodata)",
            ),
            Field("enhet_navn", _as_text, "enhetens navn"),
            Field("enhetstype", _choice(ENHETSTYPER), "en av " + ", ".join(ENHETSTYPER)),
            kommune,
            Field(
                "eierform",
                _choice(EIERFORMER),
                "kommunal, privat eller tom",
                required=False,
                blank=True,
            ),
            Field("organisasjonsnummer", _orgnr, _explain_orgnr, required=False, blank=True),
        ]
    if kind == "answers":
        return [
            Field("runde", _runde, RUNDE),
            Field("enhet_id", _as_text, "en enhets-ID"),
            Field("respondentgruppe", _lower, "en respondentgruppe"),
            Field("respondent_id", _as_text, "en respondent-ID"),
            Field("sporsmal_id", _upper, "en spørsmåls-ID"),
            Field(
                "svar",
                _integer(-999, 999),
                "et heltall, eller tom celle når spørsmålet ikke er besvart",
                blank=True,
            ),
            Field(
                "trinn",
                _integer(1, 10),
                "et heltall fra 1 til 10, eller tom",
                required=False,
                blank=True,
            ),
            Field(
                "kjonn", _choice(KJONN), "gutt, jente (G/J) eller tom", required=False, blank=True
            ),
        ]
    if kind == "results":
        return [
            Field("runde", _runde, RUNDE),
            Field("enhet_id", _as_text, "en enhets-ID", required=False, blank=True),
            Field("kommunenummer", kommuner.parse, kommuner.explain, required=False, blank=True),
            Field("respondentgruppe", _lower, "en respondentgruppe"),
            Field("indikator", _lower, "en indikator"),
            Field("antall_svar", _integer(0, 2**31 - 1), "et heltall ≥ 0"),
            Field(
                "skaar",
                _number(0, 1000),
                "et tall fra 0 til 1000 (500-skalaen; desimalkomma eller -punktum)",
            ),
            Field(
                "standardavvik",
                _number(0, 1000),
                "et tall ≥ 0 (500-skalaen), eller tom",
                required=False,
                blank=True,
            ),
        ]
    if kind == "mapping":
        return [
            Field("runde", _runde, RUNDE),
            kommune,
            Field("enhet_id", _as_text, "en enhets-ID, eller tom", required=False, blank=True),
            Field(
                "rolle",
                _choice(ROLLER),
                "en av leder, pedagog (eller lærer), assistent, ppt, annen",
            ),
            Field("respondent_id", _as_text, "en respondent-ID"),
            Field("omrade", _lower, "et område"),
            Field("kompetanse", _integer(1, 5), "et heltall fra 1 til 5"),
            Field("behov", _integer(1, 5), "et heltall fra 1 til 5"),
        ]
    _check_kind(kind)
    raise AssertionError(kind)


# --- validation ------------------------------------------------------------------------------


class Report:
    """Problems of one file, with the columns named as the file spells them."""

    def __init__(self, fil: str) -> None:
        self.fil = fil
        self.collector = Collector()
        self.spelling: dict[str, str] = {}
        self.notes: list[str] = []

    def add(self, rad: int | str | None, column: str | None, found: object, expected: str) -> None:
        self.collector.add(self.fil, rad, self.spelling.get(column, column), found, expected)

    def add_rows(
        self,
        bad: pl.DataFrame,
        column: str,
        expected: str | Callable[[dict], str],
        found: str | None = None,
    ) -> None:
        """One problem per row of `bad` (which has `_rad`); `expected` may read the whole row."""
        for row in bad.iter_rows(named=True):
            text = expected(row) if callable(expected) else expected
            self.add(row["_rad"], column, row[found or column], text)

    def raise_if_any(self) -> None:
        """Raise with the problems in row order; the same problem on many rows is listed once."""
        groups: dict[tuple, list[Problem]] = {}
        for p in self.collector.problems:
            groups.setdefault((p.kolonne, str(p.funnet), p.forventet), []).append(p)
        merged = [same[0] if len(same) == 1 else _on_rows(same) for same in groups.values()]
        columns = list(self.spelling.values())
        merged.sort(
            key=lambda p: (
                _first_row(p.rad),
                columns.index(p.kolonne) if p.kolonne in columns else len(columns),
            )
        )
        self.collector.problems = merged
        self.collector.raise_if_any()


def _first_row(rad: int | str | None) -> int:
    if isinstance(rad, int):
        return rad
    digits = re.search(r"\d+", rad or "")
    return int(digits.group()) if digits else 0


def _on_rows(same: list[Problem], limit: int = 8) -> Problem:
    """One problem for many rows: «rader 2–16 (15 i alt)» or «rader 2, 5, 9–12 … (40 i alt)»."""
    numbers = sorted({p.rad for p in same if isinstance(p.rad, int)})
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    text = ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans[:limit])
    if len(spans) > limit:
        text += " …"
    first = same[0]
    return Problem(
        first.fil,
        f"rader {text} ({len(numbers)} i alt)",
        first.kolonne,
        first.funnet,
        first.forventet,
    )


def _columns(raw: RawTable, specs: list[Field], report: Report) -> dict[str, int] | None:
    """Position of each known column in the header; reports missing and repeated columns."""
    wanted = {fold_header(f.name): f.name for f in specs}
    positions: dict[str, int] = {}
    for index, header in enumerate(raw.headers):
        name = wanted.get(fold_header(header))
        if name is None:
            continue
        if name in positions:
            report.add(
                1,
                header,
                header,
                f"kolonnen bare én gang (den står også som kolonne {positions[name] + 1})",
            )
            continue
        positions[name] = index
        report.spelling[name] = header.strip()
    named = [h.strip() for h in raw.headers if h.strip()]
    missing = [f.name for f in specs if f.required and f.name not in positions]
    if missing and len(named) <= 1 < len(specs):
        report.add(
            1,
            None,
            ",".join(raw.headers)[:80],
            "en overskriftsrad med kolonnene skilt med komma eller semikolon",
        )
        return None
    for name in missing:
        report.add(
            1, name, "(mangler)", f"kolonnen «{name}» i overskriftsraden (fant: {', '.join(named)})"
        )
    ignored = [h for h in named if fold_header(h) not in wanted]
    if ignored:
        report.notes.append("Ukjente kolonner er ikke lest: " + ", ".join(ignored))
    return None if missing else positions


def _cells(raw: RawTable, positions: dict[str, int], report: Report) -> pl.DataFrame:
    """Text frame with `_rad` and one column per known field; rows of the wrong width are reported."""
    width = len(raw.headers)
    names = list(positions)
    data: dict[str, list] = {"_rad": []} | {n: [] for n in names}
    for number, cells in raw.rows:
        too_many = any(c.strip() for c in cells[width:])
        too_few = len(cells) < width and raw.separator is not None  # a sheet's empty cells are fine
        if too_many and raw.separator is None:
            report.add(
                number,
                None,
                "verdier til høyre for siste kolonne",
                f"verdier bare i de {width} kolonnene med overskrift",
            )
            continue
        if too_many or too_few:
            hint = ""
            if raw.separator == "," and too_many:
                hint = " – tall med desimalkomma må stå i anførselstegn, eller bruk semikolon som skilletegn"
            report.add(
                number,
                None,
                f"{len(cells)} felt",
                f"{width} felt skilt med {SEPARATORS[raw.separator]}{hint}",
            )
            continue
        data["_rad"].append(number)
        for name in names:
            index = positions[name]
            data[name].append(cells[index] if index < len(cells) else "")
    schema = {"_rad": pl.Int64} | {n: pl.Utf8 for n in names}
    frame = pl.DataFrame(data, schema=schema)
    return frame.with_columns(pl.col(n).str.strip_chars().replace("", None) for n in names)


def _parse_fields(text: pl.DataFrame, specs: list[Field], report: Report) -> pl.DataFrame:
    """Cast each column; report empty required cells and values that do not parse."""
    text = text.with_columns(
        pl.lit(None, pl.Utf8).alias(f.name) for f in specs if f.name not in text.columns
    )
    parsed = text.select(
        "_rad",
        *[f.parse(pl.col(f.name)).alias(f.name) for f in specs],
        *[pl.col(f.name).alias(f"_tekst_{f.name}") for f in specs],
    )
    for f in specs:
        found, value = f"_tekst_{f.name}", pl.col(f.name)
        empty = pl.col(found).is_null() & pl.lit(not f.blank)
        invalid = pl.col(found).is_not_null() & value.is_null()
        expected = f.expected
        explain = (
            (lambda row, x=expected, c=found: x(row[c] or "")) if callable(expected) else expected
        )
        report.add_rows(parsed.filter(empty | invalid), f.name, explain, found)
    return parsed


def _known(
    report: Report, frame: pl.DataFrame, column: str, allowed: list[str], expected: str
) -> None:
    bad = frame.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(allowed))
    report.add_rows(bad, column, expected)


def _listing(values: list[str], limit: int = 8) -> str:
    values = sorted(values)
    shown = ", ".join(values[:limit])
    return shown + (f" … ({len(values)} i alt)" if len(values) > limit else "")


def _check_duplicates(report: Report, frame: pl.DataFrame, kind: str) -> None:
    key = KEYS[kind]
    complete = frame.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in key))
    first = complete.group_by(key, maintain_order=True).agg(pl.col("_rad").min().alias("_forste"))
    repeated = complete.join(first, on=key, nulls_equal=True).filter(
        pl.col("_rad") != pl.col("_forste")
    )
    label = " + ".join(k if k != "_mottaker" else "enhet_id/kommunenummer" for k in key)
    for row in repeated.iter_rows(named=True):
        found = " / ".join(str(row[k]) for k in key)
        report.add(
            row["_rad"],
            None,
            found,
            f"én rad per {label} (samme nøkkel står i rad {row['_forste']})",
        )


def _check_respondents(report: Report, frame: pl.DataFrame, kind: str) -> None:
    """Attributes of a respondent (group, grade, role …) must agree on every row."""
    if kind not in RESPONDENT:
        return
    key, attributes = RESPONDENT[kind]
    first = (
        frame.sort("_rad")
        .group_by(key, maintain_order=True)
        .agg(
            pl.col("_rad").first().alias("_forste"),
            *[pl.col(a).first().alias(f"_forste_{a}") for a in attributes],
        )
    )
    joined = frame.join(first, on=key, nulls_equal=True)
    for a in attributes:
        differs = joined.filter(~pl.col(a).eq_missing(pl.col(f"_forste_{a}")))
        report.add_rows(
            differs,
            a,
            lambda r, a=a: (
                f"samme verdi som i rad {r['_forste']} for respondenten ({r['_forste_' + a] or 'tom'})"
            ),
        )


# --- lookups: units and instruments ----------------------------------------------------------


def _instrument(function: str) -> dict[str, pl.DataFrame]:
    try:
        module = importlib.import_module("etl.instruments")
    except ModuleNotFoundError as exc:
        if exc.name != "etl.instruments":
            raise
        raise _file_problem(
            INSTRUMENT_FILES[function],
            "(mangler)",
            "instrumentet (lest av etl/instruments.py) – det trengs for å kontrollere svar, resultater og kartlegging",
        ) from exc
    return getattr(module, function)()


def reference_units() -> pl.DataFrame:
    """Units that other files may refer to: every kept unit import, then the demo units, if any."""
    files = kept_files("units")
    imported = _combine("units", [read("units", p) for p in files], [str(p) for p in files])
    columns = ["enhet_id", "kommunenummer", "enhetstype"]
    frames = [imported.select(columns)]
    demo = config.demo_dir() / "units.parquet"
    if demo.exists():
        frames.append(pl.read_parquet(demo).select(pl.col(columns).cast(pl.Utf8)))
    return pl.concat(frames).unique("enhet_id", keep="first", maintain_order=True)


def _unit_checks(report: Report, frame: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """Unknown units are reported; adds `_enhet_kommune` and `_enhetstype` (null when not known)."""
    hint = "en kjent enhet (enhet_id) – importer enhetene først (python -m etl import units FIL)"
    _known(report, frame, "enhet_id", units["enhet_id"].to_list(), hint)
    lookup = units.select(
        "enhet_id",
        pl.col("kommunenummer").alias("_enhet_kommune"),
        (pl.col("enhetstype") if "enhetstype" in units.columns else pl.lit(None, pl.Utf8)).alias(
            "_enhetstype"
        ),
    )
    return frame.join(lookup, on="enhet_id", how="left", maintain_order="left")


def _check_answers(report: Report, frame: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    frame = _unit_checks(report, frame, units)
    survey = _instrument("survey_frames")
    groups = survey["respondentgruppe"].select(
        "respondentgruppe", "skala_min", "skala_max", "trinn_fra", "trinn_til", "enhetstyper"
    )
    items = survey["sporsmal"].select(
        "sporsmal_id", pl.col("respondentgruppe").alias("_gruppe_til")
    )
    group_names = groups["respondentgruppe"].to_list()
    _known(
        report,
        frame,
        "respondentgruppe",
        group_names,
        "en respondentgruppe i instrumentet: " + _listing(group_names),
    )
    _known(
        report,
        frame,
        "sporsmal_id",
        items["sporsmal_id"].to_list(),
        f"et spørsmål (sporsmal_id) i instrumentet {INSTRUMENT_FILES['survey_frames']}",
    )
    frame = frame.join(items, on="sporsmal_id", how="left", maintain_order="left")
    wrong_group = frame.filter(
        pl.col("_gruppe_til").is_not_null()
        & pl.col("respondentgruppe").is_in(group_names)
        & (pl.col("_gruppe_til") != pl.col("respondentgruppe"))
    )
    report.add_rows(
        wrong_group,
        "sporsmal_id",
        lambda r: (
            f"et spørsmål til respondentgruppen «{r['respondentgruppe']}» (dette hører til «{r['_gruppe_til']}»)"
        ),
    )
    frame = frame.join(groups, on="respondentgruppe", how="left", maintain_order="left")
    out_of_scale = frame.filter(
        pl.col("svar").is_not_null()
        & pl.col("skala_min").is_not_null()
        & ~pl.col("svar").is_between("skala_min", "skala_max")
    )
    report.add_rows(
        out_of_scale,
        "svar",
        lambda r: (
            f"et heltall fra {r['skala_min']} til {r['skala_max']} (skalaen til «{r['respondentgruppe']}»), "
            "eller tom celle når spørsmålet ikke er besvart"
        ),
    )
    wrong_grade = frame.filter(
        pl.col("trinn").is_not_null()
        & pl.col("trinn_fra").is_not_null()
        & ~pl.col("trinn").is_between("trinn_fra", "trinn_til")
    )
    report.add_rows(
        wrong_grade,
        "trinn",
        lambda r: (
            f"et trinn fra {r['trinn_fra']} til {r['trinn_til']} for respondentgruppen «{r['respondentgruppe']}», eller tom"
        ),
    )
    wrong_type = frame.filter(
        pl.col("_enhetstype").is_not_null()
        & pl.col("enhetstyper").is_not_null()
        & ~pl.col("enhetstyper").list.contains(pl.col("_enhetstype"))
    )
    report.add_rows(
        wrong_type,
        "respondentgruppe",
        lambda r: (
            f"en respondentgruppe for enhetstypen {r['_enhetstype']} (enheten «{r['enhet_id']}»); "
            f"«{r['respondentgruppe']}» gjelder {', '.join(r['enhetstyper'])}"
        ),
    )
    return frame


def _check_results(report: Report, frame: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    frame = _unit_checks(report, frame, units)
    neither = frame.filter(
        pl.col("_tekst_enhet_id").is_null() & pl.col("_tekst_kommunenummer").is_null()
    )
    report.add_rows(neither, "enhet_id", "enhet_id eller kommunenummer (minst én av dem)")
    _check_unit_municipality(report, frame)
    survey = _instrument("survey_frames")
    group_names = survey["respondentgruppe"]["respondentgruppe"].to_list()
    indicators = survey["indikator"]["indikator"].to_list()
    _known(
        report,
        frame,
        "respondentgruppe",
        group_names,
        "en respondentgruppe i instrumentet: " + _listing(group_names),
    )
    _known(
        report,
        frame,
        "indikator",
        indicators,
        "en indikator i instrumentet: " + _listing(indicators),
    )
    pairs = (
        survey["sporsmal"]
        .select("respondentgruppe", "indikator")
        .unique()
        .with_columns(_malt=pl.lit(True))
    )
    unmeasured = frame.join(pairs, on=["respondentgruppe", "indikator"], how="left").filter(
        pl.col("_malt").is_null()
        & pl.col("respondentgruppe").is_in(group_names)
        & pl.col("indikator").is_in(indicators)
    )
    report.add_rows(
        unmeasured,
        "indikator",
        lambda r: f"en indikator som måles for respondentgruppen «{r['respondentgruppe']}»",
    )
    # The key as the file has it: the unit, or the municipality code as written.
    return frame.with_columns(
        kommunenummer=pl.coalesce("_enhet_kommune", "kommunenummer"),
        _mottaker=pl.coalesce(
            pl.col("enhet_id"), pl.lit("kommune ") + pl.col("_tekst_kommunenummer").str.zfill(4)
        ),
    )


def _check_unit_municipality(report: Report, frame: pl.DataFrame) -> None:
    """When a row names both a unit and a municipality, the unit must lie there (2024 codes)."""
    wrong = frame.filter(
        pl.col("_enhet_kommune").is_not_null()
        & pl.col("kommunenummer").is_not_null()
        & (pl.col("_enhet_kommune") != pl.col("kommunenummer"))
    )
    report.add_rows(
        wrong,
        "kommunenummer",
        lambda r: (
            f"kommunen til enheten «{r['enhet_id']}» ({r['_enhet_kommune']}; "
            f"radens kode er {r['kommunenummer']} i 2024)"
        ),
        "_tekst_kommunenummer",
    )


def _check_mapping(report: Report, frame: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    if frame["enhet_id"].is_not_null().any():
        frame = _unit_checks(report, frame, units)
        _check_unit_municipality(report, frame)
    mapping = _instrument("mapping_frames")
    areas = mapping["omrade"]["omrade"].to_list()
    roles = mapping["rolle"]["rolle"].to_list()
    _known(
        report, frame, "omrade", areas, "et område i kartleggingsinstrumentet: " + _listing(areas)
    )
    _known(report, frame, "rolle", roles, "en rolle i kartleggingsinstrumentet: " + _listing(roles))
    return frame


def _note_splits(report: Report, frame: pl.DataFrame, kommuner: Municipalities) -> None:
    column = "_tekst_kommunenummer"
    if column not in frame.columns:
        return
    used = {c.zfill(4) for c in frame[column].drop_nulls().unique().to_list() if c.isdigit()}
    for code in sorted(used & set(kommuner.splits)):
        report.notes.append(
            kommuner.splits[code] + ". Hører en rad til en annen del, bruk 2024-koden der."
        )


def _merge_renumbered(frame: pl.DataFrame, report: Report) -> pl.DataFrame:
    """Results of municipalities that merged into one 2024 municipality are pooled into one row.

    Pooling uses the additive statistics of the contract: n, Σx = n·skaar and
    Σx² = (n−1)·sd² + n·skaar², so the merged row is what one file for the merged
    municipality would have said.
    """
    key = ["runde", "kommunenummer", "respondentgruppe", "indikator"]
    columns = ["_rad", "_tekst_kommunenummer", *[c for c in SCHEMAS["results"] if c != "syntetisk"]]
    frame = frame.select(columns)
    municipal = frame.filter(pl.col("enhet_id").is_null())
    groups = municipal.group_by(key, maintain_order=True).agg(pl.len().alias("_rader"))
    merged_keys = groups.filter(pl.col("_rader") > 1).drop("_rader")
    if merged_keys.is_empty():
        return frame
    to_merge = municipal.join(merged_keys, on=key)
    keep = frame.join(to_merge.select("_rad"), on="_rad", how="anti")
    n = pl.col("antall_svar").cast(pl.Float64)
    pooled = (
        to_merge.group_by(key, maintain_order=True)
        .agg(
            pl.col("_rad").min(),
            pl.col("enhet_id").first(),
            pl.col("_tekst_kommunenummer")
            .str.zfill(4)
            .unique()
            .sort()
            .str.join(", ")
            .alias("_koder"),
            n.sum().alias("_n"),
            (n * pl.col("skaar")).sum().alias("_sx"),
            ((n - 1) * pl.col("standardavvik") ** 2 + n * pl.col("skaar") ** 2).sum().alias("_sxx"),
            pl.col("standardavvik").null_count().alias("_uten_sd"),
            pl.col("skaar").mean().alias("_snitt"),
        )
        .with_columns(
            antall_svar=pl.col("_n").cast(pl.Int64),
            skaar=pl.when(pl.col("_n") > 0)
            .then(pl.col("_sx") / pl.col("_n"))
            .otherwise(pl.col("_snitt")),
        )
        .with_columns(
            standardavvik=pl.when((pl.col("_uten_sd") == 0) & (pl.col("_n") > 1)).then(
                ((pl.col("_sxx") - pl.col("_n") * pl.col("skaar") ** 2) / (pl.col("_n") - 1))
                .clip(0)
                .sqrt()
            )
        )
    )
    for codes, target in (
        pooled.select("_koder", "kommunenummer").unique().sort("_koder").iter_rows()
    ):
        report.notes.append(
            f"Kommunenumrene {codes} er samme kommune i 2024 ({target}); radene er slått sammen, vektet med antall svar."
        )
    pooled = pooled.with_columns(_tekst_kommunenummer=pl.col("_koder"))
    return pl.concat([keep, pooled.select(columns)], how="vertical_relaxed").sort("_rad")


# --- reading one file ------------------------------------------------------------------------


@dataclass
class Checked:
    """A validated file: its normalised frame and what the user should know about it."""

    kind: str
    fil: str
    frame: pl.DataFrame
    rows_read: int
    format: str
    notes: list[str] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)  # the row each frame row came from


def check(
    kind: str, path: Path, known_units: pl.DataFrame | None = None, data: bytes | None = None
) -> Checked:
    """Read and validate a whole file; raise InputError listing every problem."""
    _check_kind(kind)
    fil = str(path)
    if data is None:
        data = _read_bytes(path)
    report = Report(fil)
    raw = read_raw(fil, data, path.suffix.lower())
    kommuner = Municipalities.load()
    specs = fields(kind, kommuner)
    positions = _columns(raw, specs, report)
    if (
        kind == "results"
        and positions is not None
        and not {"enhet_id", "kommunenummer"} & set(positions)
    ):
        report.add(
            1,
            "enhet_id",
            "(mangler)",
            "kolonnen «enhet_id» eller «kommunenummer» (minst én av dem)",
        )
        positions = None
    if positions is None:
        report.raise_if_any()
    if not raw.rows:
        raise _file_problem(fil, "bare overskriftsraden", "minst én datarad under overskriftsraden")
    frame = _parse_fields(_cells(raw, positions, report), specs, report)
    if kind != "units":
        units = known_units if known_units is not None else reference_units()
        cross_checks = {
            "answers": _check_answers,
            "results": _check_results,
            "mapping": _check_mapping,
        }
        frame = cross_checks[kind](report, frame, units)
    _check_duplicates(report, frame, kind)
    _check_respondents(report, frame, kind)
    report.raise_if_any()
    _note_splits(report, frame, kommuner)
    if kind == "results":
        frame = _merge_renumbered(frame, report)
    normalised = _normalise(kind, frame)
    return Checked(
        kind, fil, normalised, len(raw.rows), raw.format, report.notes, frame["_rad"].to_list()
    )


def read(kind: str, path: Path, known_units: pl.DataFrame | None = None) -> pl.DataFrame:
    """A kept or new file as the contract's frame (`syntetisk` false, 2024 `kommunenummer`).

    Answers, results and mapping check their units against `known_units` (columns `enhet_id`,
    `kommunenummer`); without it, against the kept unit imports and the demo units.
    """
    return check(kind, Path(path), known_units).frame


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise _file_problem(str(path), "ingen fil", "en fil som finnes") from None
    except OSError as exc:
        raise _file_problem(str(path), exc.strerror, "en fil som kan leses") from exc


def _normalise(kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    if kind == "units":
        frame = frame.with_columns(kommunenummer_kilde=pl.col("_tekst_kommunenummer"))
    return frame.with_columns(syntetisk=pl.lit(False)).select(
        pl.col(name).cast(dtype) for name, dtype in SCHEMAS[kind].items()
    )


# --- all kept files, for the build -----------------------------------------------------------


def _combine(kind: str, frames: list[pl.DataFrame], names: list[str]) -> pl.DataFrame:
    """Rows of several files; identical rows count once, the same key with other values is an error."""
    if not frames:
        return empty_frame(kind)
    tagged = pl.concat(
        [f.with_columns(_fil=pl.lit(name)) for f, name in zip(frames, names)], how="vertical"
    )
    rows = tagged.unique(
        [c for c in tagged.columns if c != "_fil"], keep="first", maintain_order=True
    )
    key = KEYS[kind]
    if kind == "results":  # a kept row's unit or municipality, as 2024 codes
        key = ["runde", "enhet_id", "kommunenummer", "respondentgruppe", "indikator"]
    clashes = (
        rows.filter(pl.struct(key).is_duplicated())
        .group_by(key, maintain_order=True)
        .agg(pl.col("_fil").unique(maintain_order=True))
    )
    problems = [
        Problem(
            row["_fil"][-1],
            None,
            " + ".join(key),
            " / ".join(str(row[k]) for k in key),
            f"de samme opplysningene som i {', '.join(row['_fil'][:-1])}, der nøkkelen alt står "
            "med andre verdier – fjern den gamle filen fra data/imports/ hvis denne erstatter den",
        )
        for row in clashes.iter_rows(named=True)
    ]
    if problems:
        raise InputError(problems)
    return rows.drop("_fil")


def load_all() -> dict[str, pl.DataFrame]:
    """Every kept import of every kind (units first), concatenated per kind."""
    result: dict[str, pl.DataFrame] = {}
    files = {kind: kept_files(kind) for kind in KINDS}
    result["units"] = _combine(
        "units", [read("units", p) for p in files["units"]], [str(p) for p in files["units"]]
    )
    units = None
    for kind in KINDS[1:]:
        if files[kind] and units is None:
            units = reference_units()
        frames = [read(kind, p, units) for p in files[kind]]
        result[kind] = _combine(kind, frames, [str(p) for p in files[kind]])
    return result


# --- importing: keep the file and rebuild ----------------------------------------------------


def _rows_already_kept(checked: Checked, kept: list[Checked]) -> int:
    """A new file may repeat kept rows exactly (they count once), but not give a key other values."""
    if not kept:
        return 0
    frames = [c.frame for c in [*kept, checked]]
    combined = _combine(checked.kind, frames, [c.fil for c in [*kept, checked]])
    return sum(f.height for f in frames) - combined.height


def _survey_cells(checked: Checked, units: pl.DataFrame) -> pl.DataFrame:
    """The cells (round, unit or municipality, group, indicator) an answers or results file fills."""
    frame = checked.frame.with_columns(
        _rad=pl.Series(checked.row_numbers, dtype=pl.Int64),
        _fil=pl.lit(checked.fil),
        _art=pl.lit(checked.kind),
    )
    if checked.kind == "answers":
        items = _instrument("survey_frames")["sporsmal"].select("sporsmal_id", "indikator")
        frame = frame.join(items, on="sporsmal_id").join(
            units.select("enhet_id", "kommunenummer"), on="enhet_id", how="left"
        )
    cell = ["runde", "enhet_id", "kommunenummer", "respondentgruppe", "indikator"]
    return (
        frame.sort("_rad")
        .select("_fil", "_art", "_rad", *cell)
        .unique([*cell, "_fil"], keep="first", maintain_order=True)
    )


def _check_overlaps(checked: Checked, kept: list[Checked], units: pl.DataFrame) -> None:
    """Answers and aggregated results must not fill the same cell, or the marts would count twice.

    A unit's cell may come from answers or from results, not both; a municipality's total may
    not stand next to cells of its own units for the same round, group and indicator.
    """
    if checked.kind not in SURVEY_KINDS:
        return
    cells = pl.concat([_survey_cells(c, units) for c in [checked, *kept]]).with_columns(
        _celle=pl.concat_str(
            [
                pl.col("runde"),
                pl.coalesce("enhet_id", "kommunenummer"),
                pl.col("respondentgruppe"),
                pl.col("indikator"),
            ],
            separator=" / ",
        )
    )
    mine = pl.col("_fil") == checked.fil
    report = Report(checked.fil)

    by_unit = ["runde", "enhet_id", "respondentgruppe", "indikator"]
    unit_cells = cells.filter(pl.col("enhet_id").is_not_null())
    both_kinds = (
        unit_cells.filter(mine)
        .join(unit_cells, on=by_unit, suffix="_annen")
        .filter(pl.col("_art") != pl.col("_art_annen"))
        .unique("_rad", keep="first", maintain_order=True)
    )
    report.add_rows(
        both_kinds,
        None,
        lambda r: (
            f"en celle som ikke alt er importert som {KIND_NAMES[r['_art_annen']]} "
            f"({r['_fil_annen']}, rad {r['_rad_annen']}) – importer enten svar eller resultater for en enhet"
        ),
        "_celle",
    )

    by_area = ["runde", "kommunenummer", "respondentgruppe", "indikator"]
    pairs = cells.filter(pl.col("enhet_id").is_null()).join(unit_cells, on=by_area, suffix="_enhet")
    report.add_rows(
        pairs.filter(mine).unique("_rad", keep="first", maintain_order=True),
        None,
        lambda r: (
            "et kommuneresultat uten enhetsdata for samme runde, respondentgruppe og indikator "
            f"(enheten «{r['enhet_id_enhet']}» står i {r['_fil_enhet']}, rad {r['_rad_enhet']}) – "
            "ellers telles de samme svarene to ganger"
        ),
        "_celle",
    )
    unit_rows = pairs.filter((pl.col("_fil_enhet") == checked.fil) & ~mine).select(
        pl.col("_rad_enhet").alias("_rad"),
        pl.col("_celle_enhet").alias("_celle"),
        pl.col("_fil").alias("_fil_kommune"),
        pl.col("_rad").alias("_rad_kommune"),
    )
    report.add_rows(
        unit_rows.unique("_rad", keep="first", maintain_order=True),
        None,
        lambda r: (
            "en enhet i en kommune uten samlet resultat for samme runde, respondentgruppe og "
            f"indikator (kommuneresultatet står i {r['_fil_kommune']}, rad {r['_rad_kommune']}) – "
            "ellers telles de samme svarene to ganger"
        ),
        "_celle",
    )
    report.raise_if_any()


def already_kept(kind: str, digest: str) -> Path | None:
    for path in kept_files(kind):
        if path.name.startswith(digest[:12] + "-"):
            return path
    return None


def keep(kind: str, name: str, data: bytes) -> Path:
    """Write the file under its hash prefix (temp name, then rename)."""
    folder = import_dir() / kind
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{hashlib.sha256(data).hexdigest()[:12]}-{Path(name).name}"
    temp = folder / f".{target.name}.{os.getpid()}.part"
    temp.write_bytes(data)
    os.replace(temp, target)
    return target


def _built_line(built: object) -> str:
    """Describe a warehouse.BuildResult (path, file, tables, seconds)."""
    path, file = getattr(built, "path", None), getattr(built, "file", None)
    tables, seconds = len(getattr(built, "tables", {}) or {}), getattr(built, "seconds", 0.0)
    return f"Lageret er bygget på nytt: {path} -> {getattr(file, 'name', file)} ({tables} tabeller, {seconds:.1f} s)."


def import_file(kind: str, path: Path, rebuild: Callable[[], object]) -> list[str]:
    """Validate, keep and rebuild; returns the lines to show. Nothing is kept if anything fails."""
    _check_kind(kind)
    path = Path(path)
    data = _read_bytes(path)
    existing = already_kept(kind, hashlib.sha256(data).hexdigest())
    if existing is not None:
        return [f"{path}: allerede importert, ingen endring ({existing})."]
    units = reference_units()
    checked = check(kind, path, units, data)
    related = SURVEY_KINDS if kind in SURVEY_KINDS else (kind,)
    kept_checks = {k: [check(k, p, units) for p in kept_files(k)] for k in related}
    repeated = _rows_already_kept(checked, kept_checks[kind])
    _check_overlaps(checked, [c for k in related for c in kept_checks[k]], units)
    kept = keep(kind, path.name, data)
    try:
        built = rebuild()
    except BaseException:
        kept.unlink(missing_ok=True)
        raise
    lines = [f"Merk: {note}" for note in checked.notes]
    if repeated:
        lines.append(
            f"Merk: {repeated} rader fantes alt i tidligere importerte filer og telles én gang."
        )
    lines += [
        f"Lest {path} ({checked.format}): {checked.rows_read} rader, "
        + f"{checked.frame.height} godtatt som {KIND_NAMES[kind]}.",
        f"Tatt vare på som {kept}.",
        _built_line(built),
    ]
    return lines

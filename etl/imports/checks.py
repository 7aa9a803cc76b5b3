"""Checks within one file: header, row widths, cell values, duplicate keys, respondents.

Every problem is collected in a Report so a whole file is checked before anything is said.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from etl import limits
from etl.errors import Described, InputError, Problem
from etl.imports.columns import ALIASES, KEYS, RESPONDENT, Field, fold_header
from etl.imports.reading import SEPARATORS, RawTable, visible

# --- the report ----------------------------------------------------------------------------

DETAILED_ROWS = 10_000  # rows whose expected text is worked out one by one; the rest are counted


class Report:
    """Problems of one file, with the columns named as the file spells them.

    Problems are kept grouped by (column, found, expected), each with its rows, so the same
    problem on a million rows is one line and costs one list, not a million objects.
    """

    def __init__(self, fil: str, header_row: int = 1) -> None:
        self.fil = visible(fil)
        self.header_row = header_row
        self.spelling: dict[str, str] = {}
        self.notes: list[str] = []
        self.groups: dict[tuple[str | None, str, str], list[int | str | None]] = {}

    def _column(self, column: str | None) -> str | None:
        return None if column is None else visible(self.spelling.get(column, column))

    def add(self, rad: int | str | None, column: str | None, found: object, expected: str) -> None:
        found_text = "" if found is None else _short(visible(found))
        if isinstance(found, Described):
            found_text = Described(found_text)
        self.groups.setdefault((self._column(column), found_text, expected), []).append(rad)

    def add_rows(
        self,
        bad: pl.DataFrame,
        column: str | None,
        expected: str | pl.Expr | Callable[[dict], str],
        found: str | pl.Expr | None = None,
        described: bool = False,
    ) -> None:
        """The rows of `bad` (which has `_rad`) have a problem in `column`.

        `found` is a column of `bad` (default: `column`) or an expression; `expected` a text,
        an expression, or a function of the whole row (worked out for the first rows only).
        """
        if bad.is_empty():
            return
        found_expr = found if isinstance(found, pl.Expr) else pl.col(found or column)
        if callable(expected) and not isinstance(expected, pl.Expr):
            detailed = bad.head(DETAILED_ROWS).with_columns(_funnet=found_expr)
            for row in detailed.iter_rows(named=True):
                self.add(row["_rad"], column, row["_funnet"], expected(row))
            rest = bad.height - detailed.height
            if rest:
                self.add(f"{rest} rader til", column, "samme slags feil", "se radene over")
            return
        expected_expr = expected if isinstance(expected, pl.Expr) else pl.lit(expected)
        grouped = (
            bad.select(
                "_rad",
                _funnet=found_expr.cast(pl.Utf8).fill_null(""),
                _forventet=expected_expr.cast(pl.Utf8),
            )
            .group_by("_funnet", "_forventet", maintain_order=True)
            .agg("_rad")
        )
        for found_text, expected_text, rows in grouped.iter_rows():
            shown = _short(visible(found_text))
            key = (self._column(column), Described(shown) if described else shown, expected_text)
            self.groups.setdefault(key, []).extend(rows)

    def raise_if_any(self) -> None:
        """Raise with the problems in row order; the same problem on many rows is listed once."""
        if not self.groups:
            return
        merged = [
            Problem(self.fil, rows[0], column, found, expected)
            if len(rows) == 1
            else _on_rows(self.fil, rows, column, found, expected)
            for (column, found, expected), rows in self.groups.items()
        ]
        columns = [visible(c) for c in self.spelling.values()]
        merged.sort(
            key=lambda p: (
                _first_row(p.rad),
                columns.index(p.kolonne) if p.kolonne in columns else len(columns),
            )
        )
        raise InputError(merged)


def _short(text: str, limit: int = 100) -> str:
    """A found value as shown: a cell of 200 000 characters is cut, with its length."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} tegn)"


def _first_row(rad: int | str | None) -> int:
    if isinstance(rad, int):
        return rad
    digits = re.search(r"\d+", rad or "")
    return int(digits.group()) if digits else 0


def _on_rows(fil, rows, column, found, expected, limit: int = 8) -> Problem:
    """One problem for many rows: «rader 2–16 (15 i alt)» or «rader 2, 5, 9–12 … (40 i alt)»."""
    numbers = sorted({r for r in rows if isinstance(r, int)})
    if not numbers:
        return Problem(fil, rows[0], column, found, expected)
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    text = ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans[:limit])
    if len(spans) > limit:
        text += " …"
    rad = f"rader {text} ({len(numbers)} i alt)" if len(numbers) > 1 else numbers[0]
    return Problem(fil, rad, column, found, expected)


# --- the header and the cells --------------------------------------------------------------


@dataclass
class Columns:
    """Where the file has each of our columns, and the columns we do not use (kept aside)."""

    positions: dict[str, int]
    extra: dict[str, int]  # header (or «kolonne N» when it has none) -> position


def find_columns(
    raw: RawTable, specs: list[Field], names: dict[str, str], report: Report
) -> Columns | None:
    """Position of each known column in the header; reports missing and repeated columns.

    `names` maps a folded header spelling to our column (columns.header_names).
    """
    row = raw.header_row
    positions: dict[str, int] = {}
    extra: dict[str, int] = {}
    for index, header in enumerate(raw.headers):
        header = limits.nfc(header)
        problem = limits.text_problem(header, "MAX_HEADER_CHARS")
        if problem is not None:
            report.add(row, f"kolonne {_column_label(raw, index)}", Described(problem[0]), problem[1])
            return None
        name = names.get(fold_header(header))
        if name is None:
            if header.strip():
                label = header.strip()
                while label in extra:
                    label += "*"
                extra[label] = index
            continue
        if name in positions:
            report.add(
                row,
                name,
                f"{header.strip()} (kolonne {_column_label(raw, index)})",
                f"kolonnen «{name}» bare én gang (den står også som kolonne "
                f"{_column_label(raw, positions[name])})",
            )
            continue
        positions[name] = index
        report.spelling[name] = header.strip()
    named = [visible(h.strip()) for h in raw.headers if h.strip()]
    missing = [f.name for f in specs if f.required and f.name not in positions]
    if missing and len(named) <= 1 < len(specs) and not raw.excel:
        report.add(
            row,
            None,
            ",".join(raw.headers)[:80],
            "en overskriftsrad med kolonnene skilt med komma eller semikolon",
        )
        return None
    where = "i overskriftsraden" if row == 1 else f"i overskriftsraden (rad {row})"
    for name in missing:
        aliases = [a for a in ALIASES.get(name, ()) if fold_header(a) != fold_header(name)][:3]
        also = f"; også godtatt: {', '.join(aliases)}" if aliases else ""
        report.add(
            row,
            name,
            "(mangler)",
            f"kolonnen «{name}» {where}{also} – eller oppgi den i en kolonnefil "
            f"(--kolonner FIL.yaml) (fant: {', '.join(named)})",
        )
    if missing:
        return None
    return Columns(positions, extra)


def _column_label(raw: RawTable, index: int) -> str:
    """Column number as the user sees it: a letter in a workbook, a position in a CSV."""
    if not raw.excel:
        return str(index + 1)
    letters, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# In a column we do not use (kept in `ekstra`), a tab or line break is text (a comment with
# several lines); every other refused character is refused there too.
_UNUSED_REFUSED = r"[\p{Cc}\p{Cf}\p{Zl}\p{Zp}--[\t\n\r]]"


def clean_cells(raw: RawTable, columns: Columns, report: Report) -> pl.DataFrame:
    """The raw cells, NFC-normalised; a cell with a control or format character (a bidi
    override, a zero-width space …) is refused with its row, column and code point.

    Works on any slice of rows (a chunk of a large file)."""
    frame = raw.cells
    labels = {i: name for name, i in columns.positions.items()}
    labels |= {i: label for label, i in columns.extra.items()}
    for i, label in labels.items():
        name = f"c{i}"
        pattern = limits.REFUSED_PATTERN if i in columns.positions.values() else _UNUSED_REFUSED
        bad = frame.filter(pl.col(name).str.contains(pattern)).select(
            "_rad", name, _tegn=pl.col(name).str.extract(f"({pattern})", 1)
        )
        if bad.is_empty():
            continue
        chars = {c: limits.describe_char(c) for c in bad["_tegn"].unique().to_list()}
        shown = pl.col(name).str.slice(0, 60) + pl.when(pl.col(name).str.len_chars() > 60).then(
            pl.lit("…")).otherwise(pl.lit(""))
        found = pl.format("«{}» med {}", shown, pl.col("_tegn").replace_strict(chars))
        report.add_rows(bad, label, limits.CLEAN_TEXT, found, described=True)
    report.raise_if_any()
    return frame.with_columns(pl.col(f"c{i}").str.normalize("NFC") for i in labels)


def check_lengths(text: pl.DataFrame, specs: list[Field], report: Report) -> None:
    """Names at most MAX_NAME_CHARS, ids and codes at most MAX_ID_CHARS (etl/limits.py)."""
    for f in specs:
        if f.name not in text.columns:
            continue
        length = pl.col(f.name).str.len_chars()
        bad = text.filter(length > getattr(limits, f.max_chars))
        if bad.is_empty():
            continue
        shown = {n: f"en tekst på {limits.number(n)} tegn" for n in bad.select(length.unique()).to_series()}
        found = length.replace_strict(shown, return_dtype=pl.Utf8)
        report.add_rows(bad, f.name, limits.at_most(f.max_chars, "tegn"), found, described=True)
    report.raise_if_any()


def cells(raw: RawTable, columns: Columns, report: Report) -> pl.DataFrame:
    """Text frame with `_rad`, one column per known field and `ekstra` (the unused columns as
    JSON, or null); rows of the wrong width are reported. Cells are clean and NFC."""
    width = len(raw.headers)
    frame = clean_cells(raw, columns, report)
    bad = frame.filter(pl.col("_feil_bredde"))
    if raw.excel:
        report.add_rows(
            bad,
            None,
            f"verdier bare i de {width} kolonnene med overskrift (til og med kolonne "
            f"{_column_label(raw, width - 1)})",
            pl.lit("verdier til høyre for siste kolonne"),
        )
    else:
        separator = SEPARATORS[raw.separator]
        hint = (
            " – tall med desimalkomma må stå i anførselstegn, eller bruk semikolon som skilletegn"
            if raw.separator == ","
            else ""
        )
        report.add_rows(
            bad,
            None,
            pl.when(pl.col("_felt") > width)
            .then(pl.lit(f"{width} felt skilt med {separator}{hint}"))
            .otherwise(pl.lit(f"{width} felt skilt med {separator}")),
            pl.format("{} felt", pl.col("_felt")),
        )
    good = frame.filter(~pl.col("_feil_bredde"))
    text = [pl.col(f"c{i}").alias(name) for name, i in columns.positions.items()]
    extra = [pl.col(f"c{i}").alias(label) for label, i in columns.extra.items()]
    ekstra = pl.struct(extra).struct.json_encode() if extra else pl.lit(None, pl.Utf8)
    return good.select(
        "_rad",
        *[e.str.strip_chars().replace("", None) for e in text],
        ekstra.alias("ekstra"),
    )


def _parse_column(text: pl.DataFrame, f: Field) -> pl.Expr:
    """The column cast by its parser; a column with few distinct values (rounds, groups, items,
    answers) is parsed once per value and looked up, instead of running regexes on every row."""
    uniques = text[f.name].drop_nulls().unique()
    if uniques.len() * 4 >= text.height:
        return f.parse(pl.col(f.name))
    values = pl.DataFrame({"v": uniques}).select(f.parse(pl.col("v"))).to_series()
    return pl.col(f.name).replace_strict(uniques, values, default=None, return_dtype=values.dtype)


def parse_fields(text: pl.DataFrame, specs: list[Field], report: Report) -> pl.DataFrame:
    """Cast each column; report empty required cells and values that do not parse."""
    text = text.with_columns(
        pl.lit(None, pl.Utf8).alias(f.name) for f in specs if f.name not in text.columns
    )
    parsed = text.select(
        "_rad",
        *[_parse_column(text, f).alias(f.name) for f in specs],
        *[pl.col(f.name).alias(f"_tekst_{f.name}") for f in specs],
    )
    def bad_cell(f: Field) -> pl.Expr:
        found, value = pl.col(f"_tekst_{f.name}"), pl.col(f.name)
        return (found.is_null() & pl.lit(not f.blank)) | (found.is_not_null() & value.is_null())

    # one pass to find the rows with any bad cell; per column only those rows are looked at
    suspects = parsed.filter(pl.any_horizontal(bad_cell(f) for f in specs))
    for f in specs:
        found = f"_tekst_{f.name}"
        bad = suspects.filter(bad_cell(f))
        explain: str | pl.Expr = f.expected  # type: ignore[assignment]
        if callable(f.expected) and not bad.is_empty():
            # explained once per distinct value, not per row
            texts = {v: f.expected(v) for v in bad[found].drop_nulls().unique().to_list()}
            explain = pl.col(found).replace_strict(
                texts, default=f.expected(""), return_dtype=pl.Utf8
            )
        report.add_rows(bad, f.name, explain, found)
    return parsed


def known(
    report: Report, frame: pl.DataFrame, column: str, allowed: list[str], expected: str
) -> None:
    bad = frame.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(allowed))
    report.add_rows(bad, column, expected)


def listing(values: list[str], limit: int = 8) -> str:
    values = sorted(values)
    shown = ", ".join(values[:limit])
    return shown + (f" … ({len(values)} i alt)" if len(values) > limit else "")


def check_duplicates(report: Report, frame: pl.DataFrame, kind: str) -> None:
    key = KEYS[kind]
    # one hash pass over the file; the rows are only joined when a key repeats
    repeats = pl.struct(key).is_duplicated() & pl.all_horizontal(
        pl.col(k).is_not_null() for k in key
    )
    complete = frame.select("_rad", *key).filter(repeats)
    if complete.is_empty():
        return
    first = complete.group_by(key, maintain_order=True).agg(pl.col("_rad").min().alias("_forste"))
    repeated = complete.join(first, on=key, nulls_equal=True).filter(
        pl.col("_rad") != pl.col("_forste")
    )
    label = " + ".join(k if k != "_mottaker" else "enhet_id/kommunenummer" for k in key)
    report.add_rows(
        repeated,
        None,
        pl.format(f"én rad per {label} (samme nøkkel står i rad {{}})", pl.col("_forste")),
        pl.concat_str([pl.col(k).cast(pl.Utf8) for k in key], separator=" / "),
    )


def check_respondents(report: Report, frame: pl.DataFrame, kind: str) -> None:
    """Attributes of a respondent (group, grade, role …) must agree on every row."""
    if kind not in RESPONDENT:
        return
    key, attributes = RESPONDENT[kind]
    combinations = frame.select(*key, *attributes).unique()
    if not combinations.select(pl.struct(key).is_duplicated().any()).item():
        return  # every respondent has one set of attributes
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



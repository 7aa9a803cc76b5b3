"""Checks within one file: header, row widths, cell values, duplicate keys, respondents.

Every problem is collected in a Report so a whole file is checked before anything is said.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

from etl.errors import Collector, Problem
from etl.imports.columns import KEYS, RESPONDENT, Field, fold_header
from etl.imports.reading import SEPARATORS, RawTable

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


def find_columns(raw: RawTable, specs: list[Field], report: Report) -> dict[str, int] | None:
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


def cells(raw: RawTable, positions: dict[str, int], report: Report) -> pl.DataFrame:
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


def parse_fields(text: pl.DataFrame, specs: list[Field], report: Report) -> pl.DataFrame:
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


def check_respondents(report: Report, frame: pl.DataFrame, kind: str) -> None:
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



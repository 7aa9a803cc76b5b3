"""Kept imports: where files live, reading them all for the build, and importing a new one."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import polars as pl

from etl import config
from etl.errors import InputError, Problem
from etl.imports import references
from etl.imports.columns import KEYS, KIND_NAMES, KINDS, SURVEY_KINDS, check_kind, empty_frame
from etl.imports.reading import read_bytes
from etl.imports.validate import Checked, check

# --- where files live ------------------------------------------------------------------------


def import_dir() -> Path:
    """Kept imports (KL_IMPORT_DIR, default data/imports)."""
    return Path(os.environ.get("KL_IMPORT_DIR") or config.DATA_DIR / "imports")


def kept_files(kind: str) -> list[Path]:
    """Every kept file of a kind, sorted by name."""
    check_kind(kind)
    folder = import_dir() / kind
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


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


def read(kind: str, path: Path, known_units: pl.DataFrame | None = None) -> pl.DataFrame:
    """A kept or new file as the contract's frame (`syntetisk` false, 2024 `kommunenummer`).

    Answers, results and mapping check their units against `known_units` (columns `enhet_id`,
    `kommunenummer`); without it, against the kept unit imports and the demo units.
    """
    if kind != "units" and known_units is None:
        known_units = reference_units()
    return check(kind, Path(path), known_units).frame


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
    check_kind(kind)
    path = Path(path)
    data = read_bytes(path)
    existing = already_kept(kind, hashlib.sha256(data).hexdigest())
    if existing is not None:
        return [f"{path}: allerede importert, ingen endring ({existing})."]
    units = reference_units()
    checked = check(kind, path, units, data)
    related = SURVEY_KINDS if kind in SURVEY_KINDS else (kind,)
    kept_checks = {k: [check(k, p, units) for p in kept_files(k)] for k in related}
    repeated = _rows_already_kept(checked, kept_checks[kind])
    references.check_overlaps(checked, [c for k in related for c in kept_checks[k]], units)
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

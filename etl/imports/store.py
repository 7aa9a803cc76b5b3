"""Kept imports: where files live, reading them all for the build, and importing a new one.

Each kept import is three files side by side in `KL_IMPORT_DIR/<kind>/`, named by the first 12
hex digits of the original's sha256: the original (`<hash>-<name>`, the source), its normalised
frame (`<hash>-<name>.parquet`, what a build reads) and, when the user gave any, the options it
was read with (`<hash>-<name>.valg.json`: column file, norm). An import counts as done only
when the published warehouse says it read the file (`bygg_info.importer`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl

from etl import config
from etl.errors import InputError, Problem
from etl.imports import references
from etl.imports.columns import (
    KEYS,
    KIND_NAMES,
    KINDS,
    SCHEMAS,
    SURVEY_KINDS,
    Options,
    check_kind,
    empty_frame,
)
from etl.imports.reading import read_bytes, visible
from etl.imports.validate import KEPT_COLUMNS, Checked, check

PARQUET = ".parquet"
OPTIONS = ".valg.json"
PUBLISHED_KEY = "importer"  # bygg_info key: the kept files (kind/name) the build read

# --- where files live ------------------------------------------------------------------------


def import_dir() -> Path:
    """Kept imports (KL_IMPORT_DIR, default data/imports)."""
    return Path(os.environ.get("KL_IMPORT_DIR") or config.DATA_DIR / "imports")


def kept_files(kind: str) -> list[Path]:
    """Every kept original of a kind, sorted by name."""
    check_kind(kind)
    folder = import_dir() / kind
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith((PARQUET, OPTIONS))
    )


def parquet_of(kept: Path) -> Path:
    return kept.with_name(kept.name + PARQUET)


def options_of(kept: Path) -> Path:
    return kept.with_name(kept.name + OPTIONS)


def kept_options(kept: Path) -> Options:
    path = options_of(kept)
    return Options.from_json(path.read_text(encoding="utf-8")) if path.exists() else Options()


def parquet_files(kind: str) -> list[Path]:
    """The normalised Parquet file of every kept import of a kind (written where missing).

    Columns: the contract's frame of docs/survey-data.md, plus `_rad` (the row in the original)
    and `ekstra` (the original's unused columns as JSON, or null). A build can read these with
    DuckDB directly instead of parsing the originals again.
    """
    units = None
    paths = []
    files = kept_files(kind)
    _loaded[kind] = [p.name for p in files]
    for kept in files:
        target = parquet_of(kept)
        if not _current(kind, target):
            if kind != "units" and units is None:
                units = reference_units()
            _write_parquet(check(kind, kept, units, options=kept_options(kept)).frame, target)
        paths.append(target)
    return paths


def _current(kind: str, parquet: Path) -> bool:
    """Whether a kept Parquet file exists with today's columns (else it is made again)."""
    if not parquet.exists():
        return False
    try:
        schema = pl.read_parquet_schema(parquet)
    except (OSError, pl.exceptions.PolarsError):
        return False
    return dict(schema) == dict(SCHEMAS[kind] | KEPT_COLUMNS)


def _write_parquet(frame: pl.DataFrame, target: Path) -> None:
    """Write beside the original under a temporary name, then rename (never half a file)."""
    temp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        frame.write_parquet(temp)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def read_kept(kind: str, kept: Path, known_units: pl.DataFrame | None = None) -> pl.DataFrame:
    """A kept import as its normalised frame (with `_rad` and `ekstra`), from its Parquet file."""
    target = parquet_of(kept)
    if _current(kind, target):
        return pl.read_parquet(target)
    if kind != "units" and known_units is None:
        known_units = reference_units()
    frame = check(kind, kept, known_units, options=kept_options(kept)).frame
    _write_parquet(frame, target)
    return frame


def reference_units() -> pl.DataFrame:
    """Units that other files may refer to: every kept unit import, then the demo units, if any."""
    files = kept_files("units")
    frames_read = [read_kept("units", p).select(list(SCHEMAS["units"])) for p in files]
    imported = _combine("units", frames_read, [str(p) for p in files])
    columns = ["enhet_id", "kommunenummer", "enhetstype"]
    frames = [imported.select(columns)]
    demo = config.demo_dir() / "units.parquet"
    if demo.exists():
        frames.append(pl.read_parquet(demo).select(pl.col(columns).cast(pl.Utf8)))
    return pl.concat(frames).unique("enhet_id", keep="first", maintain_order=True)


def read(kind: str, path: Path, known_units: pl.DataFrame | None = None) -> pl.DataFrame:
    """A new file as the contract's frame (`syntetisk` false, 2024 `kommunenummer`).

    Answers, results and mapping check their units against `known_units` (columns `enhet_id`,
    `kommunenummer`); without it, against the kept unit imports and the demo units.
    """
    if kind != "units" and known_units is None:
        known_units = reference_units()
    return check(kind, Path(path), known_units).contract


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
        for row in clashes.head(1000).iter_rows(named=True)
    ]
    if problems:
        raise InputError(problems)
    return rows.drop("_fil")


# The kept files the build read, per kind (by load_all or parquet_files), for bygg_info.
_loaded: dict[str, list[str]] = {}


def load_all(streamed: tuple[str, ...] = ()) -> dict[str, pl.DataFrame]:
    """Every kept import of every kind (units first), concatenated per kind.

    Kinds in `streamed` are not read here (the build streams their `parquet_files` with DuckDB and
    checks their keys there); they still count as read for `loaded_marker`."""
    result: dict[str, pl.DataFrame] = {}
    files = {kind: kept_files(kind) for kind in KINDS}
    units = reference_units() if any(files[k] for k in KINDS[1:] if k not in streamed) else None
    for kind in KINDS:
        if kind in streamed:
            result[kind] = empty_frame(kind)
            continue
        frames = [read_kept(kind, p, units).select(list(SCHEMAS[kind])) for p in files[kind]]
        result[kind] = _combine(kind, frames, [str(p) for p in files[kind]])
    _loaded.update({kind: [p.name for p in files[kind]] for kind in KINDS})
    return result


def loaded_marker() -> str:
    """For `bygg_info.importer`: the kept files the build read (JSON list of kind/name), so
    `etl import` can tell a file kept but never published (a killed import) from a done one."""
    names = [f"{kind}/{name}" for kind, files in _loaded.items() for name in files]
    return json.dumps(sorted(names), ensure_ascii=False)


def has_real_data() -> bool:
    """Whether any real file is kept (make run then builds no demo data)."""
    return any(kept_files(kind) for kind in KINDS)


def has_demo_data() -> bool:
    return any(config.demo_dir().glob("*.parquet"))


MIXING_HINT = (
    "ekte importer og syntetiske demodata blandes ikke i samme lager – fjern demodataene "
    "(slett mappen {demo}) og prøv igjen, eller legg til --med-demodata for å blande dem med vilje"
)


def refuse_mixing(med_demodata: bool, fil: str | None = None) -> None:
    """Real and demo data never meet unless the user says --med-demodata.

    With `fil` (an import) demo data alone is enough to refuse; without (a build), both.
    """
    if med_demodata or not has_demo_data():
        return
    if fil is None and not has_real_data():
        return
    demo = config.demo_dir()
    found = f"demodata (syntetiske) i {demo}"
    if fil is None:
        found += f" og ekte importer i {import_dir()}"
    expected = "ett slags data: " + MIXING_HINT.format(demo=demo)
    raise InputError([Problem(fil or str(demo), None, None, found, expected)])


def refuse_demo(med_demodata: bool, out: Path) -> None:
    """`etl demo` writes no demo data where the build reads it beside kept real imports."""
    if med_demodata or not has_real_data():
        return
    if Path(out).resolve() != config.demo_dir().resolve():
        return
    raise InputError(
        [
            Problem(
                str(out),
                None,
                None,
                f"ekte importer i {import_dir()}",
                "et lager uten ekte importer før demodata lages: ekte og syntetiske data blandes "
                "ikke – bygg med de ekte dataene (python -m etl build), eller legg til "
                "--med-demodata for å blande dem med vilje",
            )
        ]
    )


# --- importing: keep the file and publish ----------------------------------------------------


def _rows_already_kept(checked: Checked, kept: list[Checked]) -> int:
    """A new file may repeat kept rows exactly (they count once), but not give a key other values."""
    if not kept:
        return 0
    frames = [c.contract for c in [*kept, checked]]
    combined = _combine(checked.kind, frames, [c.fil for c in [*kept, checked]])
    return sum(f.height for f in frames) - combined.height


def already_kept(kind: str, digest: str) -> Path | None:
    for path in kept_files(kind):
        if path.name.startswith(digest[:12] + "-"):
            return path
    return None


def published(warehouse: Path | None, kind: str, kept: Path) -> bool:
    """Whether the published warehouse was built from this kept file."""
    if warehouse is None or not Path(warehouse).exists():
        return False
    try:
        with duckdb.connect(str(Path(warehouse).resolve()), read_only=True) as con:
            row = con.execute(
                "select verdi from bygg_info where nokkel = ?", [PUBLISHED_KEY]
            ).fetchone()
    except duckdb.Error:
        return False
    return row is not None and f"{kind}/{kept.name}" in json.loads(row[0] or "[]")


def keep(kind: str, name: str, data: bytes, checked: Checked, options: Options) -> Path:
    """Write the normalised Parquet, the options and then the original (each temp + rename);
    the original comes last because it is what marks the import as kept."""
    folder = import_dir() / kind
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{hashlib.sha256(data).hexdigest()[:12]}-{Path(name).name}"
    _write_parquet(checked.frame, parquet_of(target))
    if options != Options():
        _write_bytes(options_of(target), options.to_json().encode("utf-8"))
    else:
        options_of(target).unlink(missing_ok=True)
    _write_bytes(target, data)
    return target


def _write_bytes(target: Path, data: bytes) -> None:
    temp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        temp.write_bytes(data)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def unkeep(kept: Path) -> None:
    """Remove a kept import (original first, so a half-removed one is not kept)."""
    for path in (kept, parquet_of(kept), options_of(kept)):
        path.unlink(missing_ok=True)


def _built_line(built: object) -> str:
    """Describe a warehouse.BuildResult (path, file, tables, seconds)."""
    path, file = getattr(built, "path", None), getattr(built, "file", None)
    tables, seconds = len(getattr(built, "tables", {}) or {}), getattr(built, "seconds", 0.0)
    return f"Lageret er bygget på nytt: {path} -> {getattr(file, 'name', file)} ({tables} tabeller, {seconds:.1f} s)."


def _kept_check(kind: str, kept: Path, units: pl.DataFrame) -> Checked:
    frame = read_kept(kind, kept, units)
    return Checked(kind, str(kept), frame, frame.height, "")


def import_file(
    kind: str,
    path: Path,
    rebuild: Callable[[], object],
    *,
    options: Options | None = None,
    warehouse: Path | None = None,
    med_demodata: bool = False,
) -> list[str]:
    """Validate, keep and publish; returns the lines to show.

    The import is done only when `rebuild()` has published a warehouse that read the kept file;
    if it fails (or the process dies first, and a retry finds the file kept but not published),
    nothing stays kept.
    """
    check_kind(kind)
    path = Path(path)
    options = options or Options()
    data = read_bytes(path)
    existing = already_kept(kind, hashlib.sha256(data).hexdigest())
    if existing is not None and published(warehouse, kind, existing):
        return [f"{visible(path)}: allerede importert, ingen endring ({existing})."]
    refuse_mixing(med_demodata, str(path))
    units = reference_units()
    checked = check(kind, path, units, data, options)
    related = SURVEY_KINDS if kind in SURVEY_KINDS else (kind,)
    kept_checks = {
        k: [_kept_check(k, p, units) for p in kept_files(k) if p != existing] for k in related
    }
    repeated = _rows_already_kept(checked, kept_checks[kind])
    references.check_overlaps(checked, [c for k in related for c in kept_checks[k]], units)
    kept = keep(kind, path.name, data, checked, options)
    try:
        built = rebuild()
    except BaseException:
        unkeep(kept)
        raise
    lines = [f"Merk: {note}" for note in checked.notes]
    if repeated:
        lines.append(
            f"Merk: {repeated} rader fantes alt i tidligere importerte filer og telles én gang."
        )
    lines += [
        f"Lest {visible(path)} ({checked.format}): {checked.rows_read} rader, "
        + f"{checked.frame.height} godtatt som {KIND_NAMES[kind]}.",
        f"Tatt vare på som {kept}.",
        _built_line(built),
    ]
    return lines

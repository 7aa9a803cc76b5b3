"""Build the DuckDB warehouse into a new file, test it, and swap it in atomically.

`data/warehouse.duckdb` is a symlink to the current build in `data/warehouse.duckdb.builds/`.
A build writes a new file there and repoints the link with one `os.replace`, so a reader sees
either the old or the new warehouse, and a failed build leaves the old one byte-for-byte intact.
A new file name per build also sidesteps DuckDB's per-path instance cache (STACK-NOTES).
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
from rich.console import Console

from etl import config, contracts, geography, imports, partnerships, surveys, udir
from etl.errors import InputError, UserError

KEEP_BUILDS = 3
console = Console(stderr=True, highlight=False, soft_wrap=True)


class BuildError(UserError):
    """The built warehouse failed its data tests; nothing was swapped in."""


def builds_dir(path: Path) -> Path:
    return path.parent / (path.name + ".builds")


def resolve(path: Path) -> Path:
    """The file a warehouse path currently points to."""
    return path.resolve()


def private_dir(path: Path) -> Path:
    """Private build files: raw answers and unsuppressed cells, which the dashboard never opens.
    Each public build has a private twin with the same file name here."""
    return path.parent / (path.name + ".privat")


def private_file(path: Path) -> Path:
    """The private twin of the build a warehouse path points to now."""
    return private_dir(path) / resolve(path).name


@dataclass(frozen=True)
class Step:
    kind: str  # "sql", "python" or "publish"
    target: str = ""  # the SQL file (relative to sql/) or the Python module


def build_steps() -> list[Step]:
    """The steps of sql/build_order.txt, in order."""
    steps = []
    for line in (config.SQL_DIR / "build_order.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line == "publish":
            steps.append(Step("publish"))
        elif line.startswith("python "):
            steps.append(Step("python", line.removeprefix("python ").strip()))
        else:
            steps.append(Step("sql", line))
    return steps


def sql_files() -> list[Path]:
    return [config.SQL_DIR / s.target for s in build_steps() if s.kind == "sql"]


def run_sql_file(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Run every statement of a file, split by DuckDB's own parser."""
    for statement in con.extract_statements(path.read_text(encoding="utf-8")):
        con.execute(statement.query)


def _copy_public_tables(con: duckdb.DuckDBPyConnection, public: Path) -> None:
    """Copy every table of the schema main (never `privat`) into the public file."""
    con.execute(f"attach '{public}' as offentlig")
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() "
            "and schema_name = 'main' order by table_name"
        ).fetchall()]
        for table in tables:
            con.execute(f'create table offentlig.main."{table}" as select * from main."{table}"')
    finally:
        con.execute("detach offentlig")


@dataclass
class BuildResult:
    path: Path
    file: Path
    tables: dict[str, int] = field(default_factory=dict)
    boundaries: str | None = None
    seconds: float = 0.0
    report: list[str] = field(default_factory=list)


class _Step:
    """What a stage reports when it ends: ✓, or ! with a note when it fell back."""

    def __init__(self) -> None:
        self.note: str | None = None

    def fell_back(self, note: str) -> None:
        self.note = note


@contextmanager
def _stage(label: str, quiet: bool) -> Iterator[_Step]:
    start = time.perf_counter()
    step = _Step()
    if quiet:
        yield step
        return
    with console.status(f"{label} …"):
        yield step
    seconds = f"[dim]({time.perf_counter() - start:.1f} s)[/]"
    if step.note:
        console.print(f"[yellow]![/] {label}: {step.note} {seconds}")
    else:
        console.print(f"[green]✓[/] {label} {seconds}")


def input_files() -> list[Path]:
    """Every file a build reads, the ETL's own code included (for the input checksum)."""
    return [
        geography.KOMMUNER_CSV,
        geography.FYLKER_CSV,
        geography.HISTORIKK_CSV,
        partnerships.PARTNERSHIPS_YAML,
        partnerships.KILDER_YAML,
        partnerships.ORDNINGER_CSV,
        partnerships.EIERPLAN_CSV,
        *sql_files(),
        *surveys.input_files(),
        *udir.input_files(),
        *sorted((config.PROJECT_ROOT / "etl").rglob("*.py")),
    ]


def input_checksum(kommune_source: str | None, fylke_source: str | None) -> str:
    """A checksum of everything a build's result depends on: the input files, the boundary
    sources as given (and a local file's bytes) and the threshold K."""
    digest = hashlib.sha256()
    sources = [kommune_source or config.DEFAULT_KOMMUNE_GEOJSON, fylke_source or config.DEFAULT_FYLKE_GEOJSON]
    digest.update(f"min_svar={config.min_svar()}\n{sources}\n".encode())
    files = input_files() + [Path(s) for s in sources if not s.startswith(("http://", "https://"))]
    for p in sorted(files, key=lambda p: (p.parent.name, p.name)):
        digest.update(f"{p.parent.name}/{p.name}\n".encode())
        digest.update(p.read_bytes() if p.is_file() else b"<mangler>")
    return digest.hexdigest()[:16]


def needs_build(path: Path, kommune_source: str | None, fylke_source: str | None) -> str | None:
    """Why the warehouse must be (re)built, or None when it was built from the same inputs."""
    path = Path(path)
    if not path.exists():
        return "lageret finnes ikke ennå"
    try:
        con = duckdb.connect(str(path.resolve()), read_only=True)
        try:
            info = dict(con.execute("select nokkel, verdi from bygg_info").fetchall())
        finally:
            con.close()
    except (duckdb.Error, OSError):
        return "lageret kan ikke leses"
    if info.get("kilde_sjekksum") != input_checksum(kommune_source, fylke_source):
        return "kildene er endret siden forrige bygg"
    if not info.get("grenser") and geography.available_offline(kommune_source):
        return "grensene er tilgjengelige nå"
    return None


def clean_stale(path: Path) -> list[Path]:
    """Remove what killed builds left behind: temporary build files (public and private) with their
    write-ahead logs, private files whose public twin never appeared, half-made links and
    downloads. Only called with the writer lock held, so nothing here can belong to a build that
    is still running."""
    removed = []
    candidates = [*path.parent.glob(f".{path.name}.*.link")]
    for folder in (builds_dir(path), private_dir(path)):
        if folder.is_dir():
            candidates += [*folder.glob("*.tmp"), *folder.glob("*.tmp.wal")]
            candidates += [w for w in folder.glob("*.wal") if not w.with_suffix("").exists()]
    if private_dir(path).is_dir():  # a private file lives exactly as long as its public twin
        candidates += [p for p in private_dir(path).glob("*.duckdb") if not (builds_dir(path) / p.name).exists()]
    for stale in candidates:
        if stale.is_symlink() or stale.is_file():
            stale.unlink(missing_ok=True)
            removed.append(stale)
    geography.clean_cache()
    return removed


def build(
    path: Path,
    kommune_geojson: str | None = None,
    fylke_geojson: str | None = None,
    quiet: bool = False,
) -> BuildResult:
    started = time.perf_counter()
    path = Path(path)
    target_dir = builds_dir(path)
    target_dir.mkdir(parents=True, exist_ok=True)
    clean_stale(path)
    k = config.min_svar()
    checksum = input_checksum(kommune_geojson, fylke_geojson)

    with _stage("Leser og kontrollerer kildefiler", quiet):
        kommuner = geography.read_kommuner()
        fylker = geography.read_fylker()
        historikk = geography.read_historikk()
        ordninger = partnerships.read_ordninger()
        kilder = partnerships.read_kilder()
        tables = partnerships.read_partnerships(
            partnerships.PARTNERSHIPS_YAML,
            set(kommuner["kommunenummer"]),
            set(ordninger["kode"]),
            dict(zip(kilder["dokument"], kilder["tittel"])),
        )
        eierplan = partnerships.read_eierplan()

    with _stage("Henter kommune- og fylkesgrenser", quiet) as step:
        bounds = geography.load_boundaries(
            kommune_geojson, fylke_geojson, set(kommuner["kommunenummer"]), set(fylker["fylkesnummer"])
        )
        if bounds is None:
            step.fell_back("ingen grenser (se advarselen over); kartet viser kommunene som punkter")
        elif bounds.fylker.is_empty():
            step.fell_back("bare kommunegrenser (se advarselen over)")
    empty_geo = {"geometri": pl.Utf8}
    sources = {
        "src_kommuner": kommuner,
        "src_fylker": fylker,
        "src_kommune_historikk": historikk,
        "src_kommune_grense": bounds.kommuner if bounds else pl.DataFrame(schema={"kommunenummer": pl.Utf8} | empty_geo),
        "src_fylke_grense": bounds.fylker if bounds else pl.DataFrame(schema={"fylkesnummer": pl.Utf8} | empty_geo),
        "src_ordninger": ordninger,
        "src_kilder": kilder,
        "src_eierplan": eierplan,
        "src_partnerskap": tables.partnerskap,
        "src_partnerskap_kommune": tables.kommuner,
        "src_partnerskap_enhet": tables.enheter,
        "src_partnerskap_ordning": tables.ordninger,
        "src_partnerskap_liste": tables.lister,
        "src_partnerskap_kilde": tables.kilder,
        "src_datakvalitet": tables.datakvalitet,
    }
    with _stage("Leser undersøkelser og kartlegging", quiet):
        sources |= surveys.sources()
    with _stage("Leser offentlig statistikk fra Udir", quiet):
        sources |= udir.sources()

    stamp = time.strftime("%Y%m%dT%H%M%S")
    final = target_dir / f"{path.stem}-{stamp}-{os.getpid()}.duckdb"
    tmp = final.with_suffix(".duckdb.tmp")
    private_final = private_dir(path) / final.name
    private_tmp = private_final.with_suffix(".duckdb.tmp")
    private_dir(path).mkdir(mode=0o700, parents=True, exist_ok=True)
    report: list[str] = []
    info = {
        "kilde_sjekksum": checksum,
        "grenser": bounds.kilde if bounds else "",
        "min_svar": str(k),
        "min_svar_overstyrt": "ja" if k < config.MIN_SVAR_FLOOR else "nei",
        "importer": imports.loaded_marker(),  # what `etl import` checks was published
    }
    try:
        con = duckdb.connect(str(private_tmp))
        private_tmp.chmod(0o600)
        try:
            with _stage("Bygger staging-tabeller, marts og undertrykking", quiet):
                _settings(con, path, private_tmp)
                con.execute(f"set variable min_svar = {int(k)}")
                con.execute("create schema privat")
                for name, source in sources.items():
                    if isinstance(source, list):
                        _stream(con, name, source)
                    else:
                        con.register(name, source)
                steps = build_steps()
                cut = next(i for i, s in enumerate(steps) if s.kind == "publish")
                for step in steps[:cut]:
                    if step.kind == "sql":
                        run_sql_file(con, config.SQL_DIR / step.target)
                    else:
                        report += importlib.import_module(step.target).run(con) or []
                for name, source in sources.items():
                    if not isinstance(source, list):
                        con.unregister(name)
            with _stage("Kjører datatester på det private lageret", quiet):
                _check_contracts(con)
                _write_info(con, info | {"rapport": "\n".join(report)})
                con.execute("checkpoint")
            _copy_public_tables(con, tmp)
        finally:
            con.close()
        con = duckdb.connect(str(tmp))
        try:
            with _stage("Lager det offentlige lageret", quiet):
                con.execute(f"set variable min_svar = {int(k)}")
                for step in steps[cut + 1 :]:
                    run_sql_file(con, config.SQL_DIR / step.target)
                _check_contracts(con)
                private = con.execute("select count(*) from duckdb_schemas() where schema_name = 'privat'").fetchone()[0]
                if private:
                    raise BuildError("Det offentlige lageret inneholder skjemaet privat")
            counts = {
                t: con.execute(f'select count(*) from "{t}"').fetchone()[0]
                for (t,) in con.execute("select table_name from information_schema.tables where table_type = 'BASE TABLE' order by 1").fetchall()
            }
            con.execute("checkpoint")
        finally:
            con.close()
        if not quiet:
            for line in report:
                console.print(f"  {line}")
        with _stage("Bytter inn nytt lager", quiet):
            os.replace(private_tmp, private_final)
            os.replace(tmp, final)
            _publish(path, final)
        with suppress(OSError):  # published: failing to tidy old builds is no failure
            _prune(path, final)
    except BaseException:
        leftovers = [tmp, private_tmp, _link_tmp(path)]
        if not (path.is_symlink() and path.resolve() == final.resolve()):
            leftovers += [final, private_final]  # moved into place but never published
        for leftover in leftovers:
            for f in (leftover, Path(str(leftover) + ".wal")):
                with suppress(OSError):  # never hide the error that stopped the build
                    f.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(private_dir(path) / ".spill" / private_tmp.name, ignore_errors=True)
        with suppress(OSError):  # only when no other build spills there now
            (private_dir(path) / ".spill").rmdir()
    return BuildResult(
        path=path, file=final, tables=counts, boundaries=bounds.kilde if bounds else None,
        seconds=time.perf_counter() - started, report=report,
    )


def _settings(con: duckdb.DuckDBPyConnection, path: Path, private_tmp: Path) -> None:
    """Bounded memory at any data size: DuckDB spills to disk beyond the limit (KL_MINNE_GB).
    Spilled pages hold answers, so they go in the private folder, one subfolder per build; a
    killed build's subfolder (its private .tmp file gone) is removed by the next build."""
    spill = private_dir(path) / ".spill"
    for old in spill.glob("*") if spill.exists() else ():
        if not (private_dir(path) / old.name).exists():
            shutil.rmtree(old, ignore_errors=True)
    spill = spill / private_tmp.name
    spill.mkdir(parents=True, exist_ok=True)
    con.execute(f"set memory_limit = '{config.memory_gb()}GB'")
    con.execute(f"set temp_directory = '{spill}'")
    con.execute("set preserve_insertion_order = false")


def _stream(con: duckdb.DuckDBPyConnection, name: str, files: list[Path]) -> None:
    """A view privat.<name> over Parquet files: DuckDB reads them as it goes, never whole."""
    if files:
        listing = ", ".join("'" + str(Path(f).resolve()).replace("'", "''") + "'" for f in files)
        con.execute(f"create view privat.{name} as select * from read_parquet([{listing}], union_by_name = true)")
        if len(files) > 1:
            surveys.refuse_overlap(con, name, listing)
    else:
        kind = next(k for k, v in surveys.STREAMED.items() if v == name)
        con.register("tom", imports.empty_frame(kind))
        con.execute(f"create table privat.{name} as select * from tom")
        con.unregister("tom")


def _check_contracts(con: duckdb.DuckDBPyConnection) -> None:
    failures = contracts.check(con)
    if failures:
        raise BuildError("Datatestene feilet:\n" + "\n".join(f"  - {f}" for f in failures))


def _write_info(con: duckdb.DuckDBPyConnection, info: dict[str, str]) -> None:
    """bygg_info: facts about the build, in both files (the public copy is made after this)."""
    con.execute("create table bygg_info (nokkel varchar primary key, verdi varchar)")
    con.executemany("insert into bygg_info values (?, ?)", sorted(info.items()))


def _link_tmp(path: Path) -> Path:
    return path.parent / f".{path.name}.{os.getpid()}.link"


def _publish(path: Path, final: Path) -> None:
    link = _link_tmp(path)
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(final, path.parent))
    os.replace(link, path)


def _prune(path: Path, current: Path) -> None:
    """Keep the newest few builds: a running dashboard may still read the previous one."""
    builds = sorted(builds_dir(path).glob("*.duckdb"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in builds[KEEP_BUILDS:]:
        if old != current:
            old.unlink(missing_ok=True)
    # a private file lives exactly as long as its public twin
    kept = {p.name for p in builds_dir(path).glob("*.duckdb")}
    for private in private_dir(path).glob("*.duckdb"):
        if private.name not in kept:
            private.unlink(missing_ok=True)


__all__ = [
    "BuildError", "BuildResult", "InputError", "build", "builds_dir", "clean_stale", "input_checksum",
    "needs_build", "private_file", "resolve",
]

"""Command line of the ETL: `python -m etl --help`."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from etl import config, meldinger
from etl.errors import InputError, UserError
from etl.lock import Busy, writer_lock

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_BUSY, EXIT_INTERRUPTED = 0, 1, 2, 75, 130
WRITERS = ("build", "demo", "import", "prepare", "fetch")  # commands that hold the warehouse's writer lock

DESCRIPTION = """\
Bygger og leser datalageret (DuckDB) for dashbordet om Kompetanseløftet og SePUs
regionale samarbeid.

Kommandoer:
  build    bygger lageret på nytt fra kildefilene i data/ og bytter det inn atomisk
  export   skriver en tabell fra lageret som CSV (UTF-8, komma) til fil eller standard ut
  import   kontrollerer og tar vare på en eksport (enheter, svar, resultater, kartlegging)
           og bygger lageret på nytt
  demo     lager syntetiske demodata (enheter, svar, kartlegging) i data/demo og bygger lageret
  prepare  gjør lageret klart for dashbordet (`make run`): ekte data hvis det finnes, ellers
           demodata; bygger bare når kildene er endret siden forrige bygg
  report   lager regionrapporten for et samarbeid eller en kommune som PowerPoint eller PDF
  fetch    henter offentlig statistikk fra Udirs statistikkbank (fetch udir) og bygger lageret

Miljøvariabler:
  KL_WAREHOUSE      stien til lageret (standard: data/warehouse.duckdb)
  KL_GEOJSON        kommunegrenser, sti eller URL (standard: offentlig kopi av Kartverkets data,
                    låst til én versjon og kontrollert med sjekksum)
  KL_FYLKE_GEOJSON  fylkesgrenser, sti eller URL
  KL_MIN_SVAR       minste antall svar før et resultat vises (standard: 10, minst 5)
  KL_MIN_SVAR_OVERRIDE
                    1 tillater KL_MIN_SVAR under 5 (bare for tester; varsles tydelig)
  KL_NORMER         normfil for 500-skalaen (standard: data/normer.csv hvis den finnes; ellers
                    grunnlinjen, den første runden med publiserte totaler)
  KL_CACHE_DIR      nedlastede grensefiler (standard: data/cache)
  KL_DEMO_DIR       demodata fra `demo` (standard: data/demo)
  KL_IMPORT_DIR     importerte filer som bevares som kilder (standard: data/imports)
  KL_LAS_VENT       sekunder build, demo og import venter på en annen som skriver til
                    lageret (standard: 900; 0 = ikke vent)
  KL_FEILSOK        1 viser tekniske detaljer når en kommando feiler
  KL_MINNE_GB       minnegrense for et bygg i GB (standard: 4); utover den mellomlagres på disk
  KL_MAKS_LESETID   sekunder lesing og kontroll av én fil får ta (standard: 900 for en import,
                    30 for en YAML-fil; etl/limits.py); en fil som tar lengre tid, avvises
  KL_UDIR_API       adressen til Udirs statistikkbank for fetch udir
                    (standard: https://statistikkportalen.udir.no/api/rapportering/)
  KL_TILGANG        tilgangsfilen: hvem ser hvilke enheter (standard: data/tilgang.yaml)

Bare én kommando skriver til lageret om gangen (låsefilen <lager>.lock).

Avslutningskoder: 0 ferdig, 1 feilet (lageret er urørt), 2 feil i inndata eller
innstillinger, 75 lageret er opptatt (prøv igjen), 130 avbrutt.
"""


def _warehouse_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        metavar="STI",
        help="stien til lageret (miljø: KL_WAREHOUSE; standard: data/warehouse.duckdb)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m etl", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="KOMMANDO")

    build = sub.add_parser(
        "build",
        help="bygg lageret fra kildefilene",
        description="Leser og kontrollerer kildefilene, bygger staging-tabeller og marts i en ny "
        "fil, kjører datatestene og bytter inn den nye filen. Feiler noe, er det gamle lageret urørt.",
    )
    _warehouse_arg(build)
    build.add_argument(
        "--geojson",
        default=None,
        metavar="STI|URL",
        help="kommunegrenser (GeoJSON, 2024-koder) som sti eller URL (miljø: KL_GEOJSON). "
        "Uten dette prøves den offentlige adressen; er den utilgjengelig, bygges lageret uten grenser.",
    )
    build.add_argument(
        "--fylke-geojson",
        default=None,
        metavar="STI|URL",
        help="fylkesgrenser (GeoJSON, 2024-koder) som sti eller URL (miljø: KL_FYLKE_GEOJSON)",
    )
    build.add_argument("--quiet", action="store_true", help="ingen fremdriftsvisning")
    _mixing_arg(build)

    export = sub.add_parser(
        "export",
        help="skriv en tabell som CSV",
        description="Skriver en eksporttabell fra lageret som CSV (UTF-8, komma, overskriftsrad). "
        "Navn: " + ", ".join(EXPORT_NAMES) + ".",
    )
    _warehouse_arg(export)
    export.add_argument("name", metavar="NAVN", help="hvilken tabell: " + ", ".join(EXPORT_NAMES))
    export.add_argument("--out", type=Path, default=None, metavar="FIL", help="filen som skrives (standard: standard ut)")
    export.add_argument(
        "--niva", default=None, metavar="NIVÅ",
        help="for indicators og mapping: enhet, kommune, samarbeid, fylke, landet eller alle (hvert "
        "publisert nivå); standard: enhet for indicators, alle for mapping. Skjulte celler står "
        "med tomme tall.",
    )

    imp = sub.add_parser(
        "import",
        help="importer en eksport og bygg lageret på nytt",
        description="Leser en CSV- eller .xlsx-fil, kontrollerer hver rad og lister alle feil "
        "(fil, rad, kolonne). Er filen gyldig, tas den vare på i data/imports/<type>/ og lageret "
        "bygges på nytt; feiler byggingen, fjernes filen igjen. Formatene: docs/import-formats.md. "
        "`import udir FIL...` leser CSV-nedlastinger (Last ned → CSV) og lagrede JSON-svar fra Udirs "
        "statistikkbank (én eller flere filer, se docs/offentlig-statistikk.md).",
    )
    imp.add_argument(
        "kind", metavar="TYPE", choices=("units", "answers", "results", "mapping", "udir"),
        help="units (enheter), answers (svar per respondent og spørsmål), results "
        "(aggregerte resultater), mapping (kompetansekartlegging) eller udir (offentlig statistikk)",
    )
    imp.add_argument(
        "file", metavar="FIL", type=Path, nargs="+",
        help="filen som skal importeres (.csv eller .xlsx; for udir én eller flere CSV-nedlastinger eller JSON-svar)",
    )
    imp.add_argument(
        "--hentet", metavar="DATO", default=None,
        help="udir: datoen svarene ble hentet fra Udir (2025-11-30); uten den står «ikke registrert»",
    )
    imp.add_argument(
        "--kolonner", metavar="FIL.yaml", type=Path, default=None,
        help="kolonnefil for en eksport med andre kolonnenavn: «kolonner:» med «overskrift i filen: "
        "vårt kolonnenavn» per linje (se docs/import-formats.md)",
    )
    imp.add_argument(
        "--norm", metavar="NAVN", default=None,
        help="results: normen skårene i filen er regnet mot, for rader uten kolonnen «norm»",
    )
    _mixing_arg(imp)
    _warehouse_arg(imp)

    fetch = sub.add_parser(
        "fetch",
        help="hent offentlig statistikk fra Udir og bygg lageret",
        description="Henter Elever og skoler (GSI), fravær på 10. trinn og nasjonale prøver for alle "
        "kommuner og fylker fra Udirs statistikkbank (krever nett), kontrollerer svarene som "
        "`import udir`, tar vare på dem med hentedato og bygger lageret. Feiler noe, tas ingenting "
        "vare på. Én forespørsel om gangen med pause; stopper hentingen, fortsetter samme kommando der "
        "den stoppet. Elevundersøkelsen hentes ikke (én forespørsel per kommune). Lisens: NLOD 2.0, "
        "Kilde: Utdanningsdirektoratet.",
    )
    fetch.add_argument("kilde", metavar="KILDE", choices=("udir",), help="udir (Utdanningsdirektoratet)")
    fetch.add_argument(
        "--aar", metavar="SKOLEÅR", nargs="+", type=_school_years, default=None,
        help="skoleår som 2024-25 (ett eller flere) eller en rekke som 2015-16..2025-26; år Udir ikke har, "
        "hoppes over; standard: rapportenes egne standardår",
    )
    fetch.add_argument(
        "--pause", metavar="SEKUNDER", type=_not_negative, default=None,
        help="pause mellom to forespørsler (standard 1 sekund); én forespørsel om gangen",
    )
    fetch.add_argument(
        "--api", metavar="URL", default=None,
        help="adressen til API-et (miljø: KL_UDIR_API; standard: "
        "https://statistikkportalen.udir.no/api/rapportering/)",
    )
    _mixing_arg(fetch)
    _warehouse_arg(fetch)

    demo = sub.add_parser(
        "demo",
        help="lag syntetiske demodata og bygg lageret",
        description="Lager deterministiske, tydelig merkede syntetiske data (enheter, svar på "
        "undersøkelsen og kompetansekartlegging) for kommunene i samarbeid med oppgitt periode, "
        "skriver dem som Parquet i data/demo/ og bygger lageret på nytt. Samme frø gir samme filer.",
    )
    demo.add_argument(
        "--scale", type=_positive, default=1.0, metavar="N",
        help="ganger antall respondenter (standard: 1, omtrent 2 millioner svarrader)",
    )
    demo.add_argument("--seed", type=_integer, default=2024, metavar="S", help="frø for tilfeldighetene (standard: 2024)")
    demo.add_argument(
        "--national", action="store_true",
        help="enheter i alle 357 kommuner, med antall skoler og elever fra Udirs statistikk, over ti "
        "runder (om lag 55 millioner svarrader ved --scale 1; for ytelsestester)",
    )
    demo.add_argument(
        "--out", type=Path, default=None, metavar="MAPPE",
        help="mappen filene skrives til (miljø: KL_DEMO_DIR; standard: data/demo, som bygget leser)",
    )
    demo.add_argument("--no-build", action="store_true", help="bare skriv filene, ikke bygg lageret")
    _mixing_arg(demo)
    _warehouse_arg(demo)

    prepare = sub.add_parser(
        "prepare",
        help="gjør lageret klart for dashbordet (make run)",
        description="Finnes ekte data (importerte filer i KL_IMPORT_DIR), bygges lageret med dem. "
        "Ellers lages demodata i KL_DEMO_DIR, men bare når de mangler eller generatoren er endret. "
        "Lageret bygges bare når kildene, koden eller innstillingene er endret siden forrige bygg "
        "(sjekksummen i bygg_info), så en ny start uten endringer tar sekunder.",
    )
    prepare.add_argument("--force", action="store_true", help="bygg selv om ingenting er endret")
    prepare.add_argument(
        "--scale", type=_positive, default=1.0, metavar="N", help="demodataenes størrelse (som i demo)"
    )
    prepare.add_argument("--seed", type=_integer, default=2024, metavar="S", help="demodataenes frø")
    _mixing_arg(prepare)
    _warehouse_arg(prepare)
    _report_parser(sub)
    return parser


def _report_parser(sub) -> None:
    report = sub.add_parser(
        "report",
        help="lag regionrapporten (PowerPoint eller PDF)",
        description="Lager regionrapporten for et samarbeid eller en kommune fra det offentlige "
        "lageret: kart, tidslinje, nøkkelindikatorer og endringer, kompetansebehov, offentlig "
        "statistikk og kilder. Samme innhold som knappen i dashbordet; skjulte tall forblir skjult.",
    )
    where = report.add_mutually_exclusive_group(required=True)
    where.add_argument("--samarbeid", metavar="ID", help="samarbeidets id (partnerskap_id i lageret)")
    where.add_argument("--kommune", metavar="NR", help="kommunenummer (fire sifre, 2024-koder)")
    report.add_argument("--format", choices=("pptx", "pdf"), required=True, help="pptx eller pdf")
    report.add_argument("--lang", choices=("nb", "nn", "en"), default="nb",
                        help="språk: nb (bokmål, standard), nn (nynorsk) eller en (engelsk)")
    report.add_argument("--out", metavar="FIL", type=Path, required=True, help="filen som skrives")
    _warehouse_arg(report)

    tilgang = sub.add_parser(
        "tilgang",
        help="kontroller tilgangsfilen (hvem ser hvilke enheter)",
        description="Kontrollerer tilgangsfilen (data/tilgang.yaml, eller KL_TILGANG): personer og "
        "organisasjoner med rollene eier, samarbeid, sepu og admin. Feil meldes med linjenummer, og "
        "dashbordet nekter å starte med innlogging før filen er i orden. Se docs/tilgang.md.",
    )
    tilgang.add_argument("fil", nargs="?", type=Path, metavar="FIL",
                         help="filen som kontrolleres (standard: data/tilgang.yaml eller KL_TILGANG)")


def _mixing_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--med-demodata", action="store_true",
        help="bland ekte importer og syntetiske demodata i samme lager (ellers avvist)",
    )


def _school_years(text: str) -> list[int]:
    from etl.udir_fetch import parse_school_years

    try:
        return parse_school_years(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _not_negative(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = float("nan")
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"fant «{meldinger.escape(text)}», forventet et tall som 0 eller 1,5")
    return value


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"fant «{meldinger.escape(text)}», forventet et positivt tall")
    return value


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"fant «{meldinger.escape(text)}», forventet et heltall") from None


# the views in sql/exports/export_<name>.sql (a test keeps the two in step)
EXPORT_NAMES = ("partnerships", "municipalities", "indicators", "mapping", "offentlig-statistikk")


def _build(
    path: Path,
    geojson: str | None = None,
    fylke_geojson: str | None = None,
    quiet: bool = False,
    med_demodata: bool = False,
):
    """The one build every command runs; boundaries default to KL_GEOJSON / KL_FYLKE_GEOJSON."""
    from etl import imports, warehouse

    with writer_lock(path, "bygg"):  # re-entrant: the commands that call this already hold it
        imports.refuse_mixing(med_demodata)
        return warehouse.build(
            path,
            kommune_geojson=geojson or os.environ.get("KL_GEOJSON") or None,
            fylke_geojson=fylke_geojson or os.environ.get("KL_FYLKE_GEOJSON") or None,
            quiet=quiet,
        )


def _cmd_build(args: argparse.Namespace) -> int:
    path = args.warehouse or config.warehouse_path()
    result = _build(path, args.geojson, args.fylke_geojson, args.quiet, args.med_demodata)
    grenser = result.boundaries or (
        "ingen (kartet viser kommunene som punkter; se «Kommune- og fylkesgrenser» i README.md)"
    )
    print(
        f"Lageret er bygget: {result.path} -> {result.file.name} "
        f"({len(result.tables)} tabeller, {result.seconds:.1f} s). Grenser: {grenser}",
        file=sys.stderr,
    )
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from etl import imports

    path = args.warehouse or config.warehouse_path()
    rebuild = lambda: _build(path, quiet=True, med_demodata=args.med_demodata)
    if args.kind == "udir":
        from etl import udir

        if args.kolonner or args.norm:
            print("Feil: --kolonner og --norm gjelder ikke udir (Udirs svar har faste kolonner).", file=sys.stderr)
            return 2
        lines = udir.import_paths(args.file, rebuild, hentet=args.hentet)
    else:
        if len(args.file) > 1 or args.hentet:
            print(f"Feil: importer én fil om gangen for {args.kind} (--hentet gjelder bare udir).", file=sys.stderr)
            return 2
        specs = imports.fields(args.kind, imports.Municipalities.load())
        options = imports.Options(
            imports.read_column_file(args.kolonner, args.kind, specs) if args.kolonner else {},
            args.norm.strip() if args.norm and args.norm.strip() else None,
        )
        lines = imports.import_file(
            args.kind,
            args.file[0],
            rebuild,
            options=options,
            warehouse=path,
            med_demodata=args.med_demodata,
        )
    for line in lines:
        print(line, file=sys.stderr)
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    from etl import udir_fetch

    path = args.warehouse or config.warehouse_path()
    log = lambda line: print(line, file=sys.stderr)
    try:
        years = sorted({y for group in args.aar for y in group}) if args.aar else None
        lines = udir_fetch.fetch(
            years, lambda: _build(path, quiet=True, med_demodata=args.med_demodata), base=args.api, log=log,
            pause=udir_fetch.PAUSE if args.pause is None else args.pause,
        )
    except udir_fetch.FetchError as exc:
        print(f"Feil: {exc} Ingenting er endret.", file=sys.stderr)
        return 1
    for line in lines:
        log(line)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    import time

    from etl import demo, imports

    out = args.out or config.demo_dir()
    imports.refuse_demo(args.med_demodata, out)
    started = time.perf_counter()
    counts = demo.generate(out, scale=args.scale, seed=args.seed, national=args.national)
    rows = ", ".join(f"{kind}.parquet {n:,}".replace(",", " ") + " rader" for kind, n in counts.items())
    print(f"Demodata skrevet til {out}: {rows} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    if args.no_build:
        return 0
    args.geojson = args.fylke_geojson = None  # the build command's defaults: KL_GEOJSON, KL_FYLKE_GEOJSON
    args.quiet = False
    return _cmd_build(args)


def _real_data() -> list[Path]:
    """Kept imports: real data (the contract: real and demo data never mix)."""
    from etl import imports

    return [p for kind in imports.KINDS for p in imports.kept_files(kind)]


def _demo_stamp(scale: float, seed: int) -> str:
    """What the demo data depend on: the generator, the instruments, the collaborations."""
    import hashlib

    digest = hashlib.sha256(f"scale={scale} seed={seed}\n".encode())
    files = [config.PROJECT_ROOT / "etl" / name for name in ("demo.py", "instruments.py")]
    files += sorted((config.DATA_DIR / "instruments").glob("*.yaml"))
    files += [config.DATA_DIR / "partnerships.yaml", *sorted((config.DATA_DIR / "geo").glob("*.csv"))]
    for path in files:
        digest.update(path.name.encode() + b"\n" + path.read_bytes())
    return digest.hexdigest()[:16]


DEMO_FILES = ("units", "answers", "mapping")  # what demo.generate writes
DEMO_STAMP = ".grunnlag"  # in the demo folder: the _demo_stamp() the files were made from


def _cmd_prepare(args: argparse.Namespace) -> int:
    import time

    from etl import demo, warehouse

    path = args.warehouse or config.warehouse_path()
    real = _real_data()
    if real:
        print(f"Ekte data: {len(real)} importerte filer i {config.import_dir()}; ingen demodata lages.",
              file=sys.stderr)
    else:
        out = config.demo_dir()
        stamp, stamp_file = _demo_stamp(args.scale, args.seed), out / DEMO_STAMP
        current = stamp_file.read_text(encoding="utf-8").strip() if stamp_file.is_file() else None
        if current == stamp and all((out / f"{k}.parquet").is_file() for k in DEMO_FILES):
            print(f"Ingen ekte data; demodataene i {out} er uendret.", file=sys.stderr)
        else:
            print(f"Ingen ekte data (ingen importerte filer i {config.import_dir()}); lager demodata …",
                  file=sys.stderr, flush=True)
            started = time.perf_counter()
            demo.generate(out, scale=args.scale, seed=args.seed)
            stamp_file.write_text(stamp + "\n", encoding="utf-8")
            print(f"Demodata skrevet til {out} ({time.perf_counter() - started:.1f} s).", file=sys.stderr)
    kommune, fylke = os.environ.get("KL_GEOJSON") or None, os.environ.get("KL_FYLKE_GEOJSON") or None
    reason = "--force" if args.force else warehouse.needs_build(path, kommune, fylke)
    if reason is None:
        print(f"Lageret er oppdatert ({path}); ingen endringer siden forrige bygg.", file=sys.stderr)
        return 0
    print(f"Bygger lageret ({reason}) …", file=sys.stderr, flush=True)
    args.geojson = args.fylke_geojson = None
    args.quiet = False
    return _cmd_build(args)


def _cmd_export(args: argparse.Namespace) -> int:
    from etl import export

    path = args.warehouse or config.warehouse_path()
    export.export(path, args.name, args.out, args.niva)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    import time

    # the report is the dashboard's presentation layer without Streamlit (never imported here)
    from dashboard.eksport import fil, innhold, lager

    if not args.out.parent.is_dir():
        print(f"Feil: mappen {args.out.parent} finnes ikke (--out {args.out})", file=sys.stderr)
        return 2
    path = args.warehouse or config.warehouse_path()
    if not path.exists():
        print(f"Feil: fant ikke datalageret {path}; bygg det med `python -m etl build`", file=sys.stderr)
        return 1
    region = innhold.Region("partnerskap", args.samarbeid) if args.samarbeid else innhold.Region("kommune", args.kommune)
    started = time.perf_counter()
    with lager.Lager(path) as store:
        try:
            data, rapport = fil.lag(store.query, region, args.format, args.lang)
        except innhold.UkjentRegion:
            if args.samarbeid:
                ids = store.query("filter_partnerskap")["partnerskap_id"].to_list()
                expected = "en av: " + ", ".join(ids)
            else:
                expected = "et kommunenummer med fire sifre (2024-koder), f.eks. 3301"
            what = "samarbeidet" if args.samarbeid else "kommunen"
            print(f"Feil: fant ikke {what} «{region.id}» i lageret; forventet {expected}", file=sys.stderr)
            return 2
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(args.out)
    print(f"Rapporten er skrevet: {args.out} ({rapport.navn}, {len(rapport.lysbilder)} visninger, "
          f"{len(data) / 1024:.0f} kB, {time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


def _cmd_tilgang(args: argparse.Namespace) -> int:
    from etl import tilgang

    fil = args.fil or tilgang.path()
    if not fil.exists():
        raise UserError(f"fant ikke tilgangsfilen {fil} (se data/tilgang.eksempel.yaml og docs/tilgang.md)")
    checked = tilgang.read(fil)
    roles: dict[str, int] = {}
    for entry in checked.oppforinger:
        for role in entry.roller.navn:
            roles[role] = roles.get(role, 0) + 1
    summary = ", ".join(f"{role} {n}" for role, n in roles.items()) or "ingen roller"
    print(f"{fil} er i orden: {len(checked.oppforinger)} oppføringer ({summary}).")
    return 0


COMMANDS = {
    "build": _cmd_build, "export": _cmd_export, "import": _cmd_import, "demo": _cmd_demo, "report": _cmd_report,
    "prepare": _cmd_prepare, "fetch": _cmd_fetch, "tilgang": _cmd_tilgang,
}


def _link(path: Path) -> str | None:
    try:
        return os.readlink(path)
    except OSError:
        return None


def _run(args: argparse.Namespace) -> int:
    if args.command not in WRITERS:
        return COMMANDS[args.command](args)
    config.min_svar()  # refuse a bad setting before waiting for the lock or writing anything
    with writer_lock(args.warehouse or config.warehouse_path(), args.command):
        return COMMANDS[args.command](args)


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure ends in a Norwegian message and an exit code, never a
    traceback (KL_FEILSOK=1 adds the technical details)."""
    meldinger.install_argparse()
    args = build_parser().parse_args(argv)
    path = getattr(args, "warehouse", None) or config.warehouse_path()
    before = _link(path)
    try:
        return _run(args)
    except InputError as exc:
        message, code = exc.report(), EXIT_INPUT
    except config.SettingError as exc:
        message, code = f"Feil i innstillingene: {exc}", EXIT_INPUT
    except Busy as exc:
        message, code = str(exc), EXIT_BUSY
    except KeyboardInterrupt:
        message, code = "Avbrutt.", EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()  # the reader of a pipe stopped early (`… | head`): nothing to report
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - the boundary: whatever it was, the user gets Norwegian
        if meldinger.debug():
            traceback.print_exc()
        message = f"Feil: {exc}" if isinstance(exc, UserError) else f"Feil: {meldinger.explain(exc)}"
        code = EXIT_FAILED
    if args.command in WRITERS and code != EXIT_INPUT and _link(path) == before:  # input errors say it
        message += "\nLageret er ikke endret." if before else "\nIngen lager ble laget."
    _quiet_stdout()
    print(message, file=sys.stderr)
    return code


def _quiet_stdout() -> None:
    """After a failed write to standard out, make sure the exit's own flush cannot fail again."""
    try:
        sys.stdout.flush()
    except OSError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

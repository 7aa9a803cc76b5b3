"""Read and validate the hand-transcribed partnerships, sources and reference lists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from etl import config, limits, yamlfile
from etl.errors import Collector, Described, InputError, Problem
from etl.yamlfile import Node

PARTNERSHIPS_YAML = config.DATA_DIR / "partnerships.yaml"
KILDER_YAML = config.DATA_DIR / "kilder.yaml"
ORDNINGER_CSV = config.DATA_DIR / "ordninger.csv"
EIERPLAN_CSV = config.DATA_DIR / "eierplan_momenter.csv"

OMFANG = ("region", "kommune", "enhet")
ENHETSTYPER = ("barnehage", "skole", "sfo", "ppt")
LIST_FIELDS = (
    "uh_partnere",
    "andre_partnere",
    "malgrupper",
    "temaer",
    "kompetansepakker",
    "mal",
)
FAKTA = ("kommuner", "barnehager", "skoler", "ppt_kontor")
KEYS = ["id", "navn", "kortnavn", "sepu_samarbeid", "region", "omfang", "kommuner", "enheter", "enhetstyper", "oppdragsgiver", "periode", "ordninger", "ordninger_kilde", "uh_partnere", "andre_partnere", "malgrupper", "temaer", "kompetansepakker", "mal", "fakta", "beskrivelse", "kilder", "datakvalitet"]
YEARS = range(2000, 2041)
MAPPINGS = ("periode", "fakta")
LISTS = ("kommuner", "enheter", "enhetstyper", "ordninger", *LIST_FIELDS, "kilder", "datakvalitet")
ITEM_MAPPINGS = ("kommuner", "enheter")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# The limit of etl/limits.py on each text; names and ids are one line, texts may have several.
NAME, TEXT = "MAX_NAME_CHARS", "MAX_TEXT_CHARS"
TEXT_LIMITS = {
    "id": "MAX_ID_CHARS", "navn": NAME, "kortnavn": NAME, "region": NAME, "oppdragsgiver": NAME,
    "ordninger_kilde": TEXT, "beskrivelse": TEXT, "datakvalitet": TEXT, "uh_partnere": NAME,
    "andre_partnere": NAME, "malgrupper": TEXT, "temaer": TEXT, "kompetansepakker": TEXT,
    "mal": TEXT, "kilder": "MAX_ID_CHARS",
}
ITEM_TEXT_LIMITS = {"periode": {"tekst": NAME}, "kommuner": {"navn": NAME}, "enheter": {"navn": NAME}}


@dataclass
class PartnershipTables:
    partnerskap: pl.DataFrame
    kommuner: pl.DataFrame
    enheter: pl.DataFrame
    ordninger: pl.DataFrame
    lister: pl.DataFrame
    kilder: pl.DataFrame
    datakvalitet: pl.DataFrame


def read_ordninger() -> pl.DataFrame:
    return pl.read_csv(ORDNINGER_CSV, infer_schema_length=0)


def read_eierplan() -> pl.DataFrame:
    frame = pl.read_csv(EIERPLAN_CSV, infer_schema_length=0)
    return frame.with_columns(pl.col("nr").cast(pl.Int32))


def read_kilder() -> pl.DataFrame:
    doc = yamlfile.load(KILDER_YAML, keys=["kilder"])
    rows = [
        {k: (None if v is None else str(v)) for k, v in item.items()} for item in doc["kilder"]
    ]
    return pl.DataFrame(rows, schema={k: pl.Utf8 for k in rows[0]})


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


SOURCE_ID = re.compile(r"\b(?:(Dokument|dokument) )?(0\d\d)\b")


def named_sources(note: str, titles: dict[str, str]) -> tuple[str, list[str]]:
    """A data-quality note as a reader sees it: the source documents it cites by number (`000`,
    `Dokument 004`) named by their title («SePU sine samarbeid»); the numbers are how the files in
    ../shared/seeds/ are named and mean nothing to a reader. Returns the text and the numbers that
    match no document."""
    by_number = {name[:3]: title for name, title in titles.items()}
    unknown: list[str] = []

    def name(match: re.Match) -> str:
        word, number = match.groups()
        if number not in by_number:
            unknown.append(number)
            return match.group(0)
        return ("Dokumentet " if word == "Dokument" else "dokumentet " if word else "") + f"«{by_number[number]}»"

    return SOURCE_ID.sub(name, note), unknown


def read_partnerships(
    path: Path, kommunenumre: set[str], ordninger: set[str], dokumenter: dict[str, str]
) -> PartnershipTables:
    """Validate every record first; raise one InputError listing every problem.

    `dokumenter` maps each source document (data/kilder.yaml) to its title."""
    fil = str(path)
    errors = Collector()
    doc = yamlfile.load(path, keys=["partnerskap"])
    records = doc.get("partnerskap") if isinstance(doc, dict) else None
    if not isinstance(records, list):
        raise InputError([Problem(fil, 1, "partnerskap", type(records).__name__, "en liste")])

    rows, kommuner, enheter, strands, lists, sources, notes = [], [], [], [], [], [], []
    seen: dict[str, int] = {}
    for record in records:
        if not isinstance(record, Node):
            errors.add(fil, None, "partnerskap", record, "et partnerskap (nøkkel: verdi)")
            continue
        pid = record.get("id")

        def bad(key, found, expected, line=None, _r=record, pid=pid):
            errors.add(fil, line or _r.line_of(key), f"{pid}.{key}" if pid else key, found, expected)

        for key in KEYS:
            if key not in record:
                bad(key, "(mangler)", "feltet (tomt felt skrives som null eller [])", record.line)
        for key in record:
            if key not in KEYS:
                bad(key, key, "et kjent felt: " + ", ".join(KEYS))
        if not _shape_ok(record, bad) or not _texts_ok(record, bad):
            continue
        if not isinstance(pid, str) or not SLUG.match(pid):
            bad("id", pid, "en id med små bokstaver, tall og bindestrek")
            continue
        if pid in seen:
            bad("id", pid, f"en unik id (brukt før på linje {seen[pid]})")
        seen[pid] = record.line
        if not _text(record.get("navn")):
            bad("navn", record.get("navn"), "et navn")
        if record.get("omfang") not in OMFANG:
            bad("omfang", record.get("omfang"), "en av " + ", ".join(OMFANG))
        if not isinstance(record.get("sepu_samarbeid"), bool):
            bad("sepu_samarbeid", record.get("sepu_samarbeid"), "true eller false")

        periode = record.get("periode") or {}
        years = {}
        for key in ("start", "slutt", "forlenget_fra", "forlenget_til"):
            value = periode.get(key) if isinstance(periode, dict) else None
            if value is not None and (not isinstance(value, int) or value not in YEARS):
                line = periode.line_of(key) if isinstance(periode, Node) else None
                bad(f"periode.{key}", value, "et årstall mellom 2000 og 2040, eller null", line)
                value = None
            years[key] = value
        if years["start"] and years["slutt"] and years["start"] > years["slutt"]:
            bad("periode", f"{years['start']}-{years['slutt']}", "start før eller lik slutt")
        if years["forlenget_til"] and years["slutt"] and years["forlenget_til"] > years["slutt"]:
            bad("periode.forlenget_til", years["forlenget_til"], "et år innenfor perioden")

        for i, kommune in enumerate(record.get("kommuner") or [], start=1):
            code = str(kommune.get("kommunenummer")) if isinstance(kommune, dict) else None
            line = kommune.line if isinstance(kommune, Node) else None
            if code not in kommunenumre:
                bad("kommuner", code, "et kommunenummer fra 2024 (4 siffer)", line)
                continue
            kommuner.append({"partnerskap_id": pid, "kommunenummer": code, "navn_i_kilden": _text(kommune.get("navn"))})
        for enhet in record.get("enheter") or []:
            line = enhet.line if isinstance(enhet, Node) else None
            if enhet.get("enhetstype") not in ENHETSTYPER:
                bad("enheter.enhetstype", enhet.get("enhetstype"), "en av " + ", ".join(ENHETSTYPER), line)
            if str(enhet.get("kommunenummer")) not in kommunenumre:
                bad("enheter.kommunenummer", enhet.get("kommunenummer"), "et kommunenummer fra 2024", line)
            enheter.append(
                {
                    "partnerskap_id": pid,
                    "enhet_navn": _text(enhet.get("navn")),
                    "enhetstype": enhet.get("enhetstype"),
                    "kommunenummer": str(enhet.get("kommunenummer")),
                }
            )
        for enhetstype in record.get("enhetstyper") or []:
            if enhetstype not in ENHETSTYPER:
                bad("enhetstyper", enhetstype, "en av " + ", ".join(ENHETSTYPER))
        lists += [
            {"partnerskap_id": pid, "felt": "enhetstyper", "nr": n, "verdi": t}
            for n, t in enumerate(record.get("enhetstyper") or [], start=1)
        ]
        for strand in record.get("ordninger") or []:
            if strand not in ordninger:
                bad("ordninger", strand, "en av " + ", ".join(sorted(ordninger)))
            strands.append({"partnerskap_id": pid, "ordning": strand})
        for field in LIST_FIELDS:
            values = record.get(field) or []
            if not isinstance(values, list):
                bad(field, values, "en liste")
                continue
            lists += [
                {"partnerskap_id": pid, "felt": field, "nr": n, "verdi": _text(v)}
                for n, v in enumerate(values, start=1)
            ]
        for dokument in record.get("kilder") or []:
            if dokument not in dokumenter:
                bad("kilder", dokument, "et dokument fra data/kilder.yaml")
            sources.append({"partnerskap_id": pid, "dokument": dokument})
        if not record.get("kilder"):
            bad("kilder", None, "minst ett kildedokument")
        for n, note in enumerate(record.get("datakvalitet") or [], start=1):
            text, unknown = named_sources(_text(note) or "", dokumenter)
            if unknown:
                bad("datakvalitet", ", ".join(unknown), "numre på dokumenter i data/kilder.yaml (000, 002 …)")
            notes.append({"partnerskap_id": pid, "nr": n, "merknad": text or None})
        fakta = record.get("fakta") or {}
        for key in FAKTA:
            value = fakta.get(key)
            if value is not None and (not isinstance(value, int) or value < 0):
                bad(f"fakta.{key}", value, "et ikke-negativt heltall eller null")
        rows.append(
            {
                "partnerskap_id": pid,
                "navn": _text(record.get("navn")),
                "kortnavn": _text(record.get("kortnavn")) or _text(record.get("navn")),
                "sepu_samarbeid": bool(record.get("sepu_samarbeid")),
                "region": _text(record.get("region")),
                "omfang": record.get("omfang"),
                "oppdragsgiver": _text(record.get("oppdragsgiver")),
                "periode_tekst": _text(periode.get("tekst")) if isinstance(periode, dict) else None,
                "start_ar": years["start"],
                "slutt_ar": years["slutt"],
                "forlenget_fra": years["forlenget_fra"],
                "forlenget_til": years["forlenget_til"],
                "ordninger_kilde": _text(record.get("ordninger_kilde")),
                "beskrivelse": _text(record.get("beskrivelse")),
                **{f"antall_{k}": fakta.get(k) if isinstance(fakta.get(k), int) else None for k in FAKTA},
            }
        )
    errors.raise_if_any()
    return PartnershipTables(
        partnerskap=pl.DataFrame(rows, schema_overrides={f"antall_{k}": pl.Int32 for k in FAKTA}
                                 | {k: pl.Int32 for k in ("start_ar", "slutt_ar", "forlenget_fra", "forlenget_til")}),
        kommuner=_frame(kommuner, ["partnerskap_id", "kommunenummer", "navn_i_kilden"]),
        enheter=_frame(enheter, ["partnerskap_id", "enhet_navn", "enhetstype", "kommunenummer"]),
        ordninger=_frame(strands, ["partnerskap_id", "ordning"]),
        lister=_frame(lists, ["partnerskap_id", "felt", "nr", "verdi"], {"nr": pl.Int32}),
        kilder=_frame(sources, ["partnerskap_id", "dokument"]),
        datakvalitet=_frame(notes, ["partnerskap_id", "nr", "merknad"], {"nr": pl.Int32}),
    )


def _shape_ok(record: Node, bad) -> bool:
    """Wrong shapes (a list where a mapping belongs, text where a list belongs) end the record."""
    ok = True
    for key in MAPPINGS:
        if record.get(key) is not None and not isinstance(record.get(key), dict):
            bad(key, record.get(key), "nøkkel: verdi-par (f.eks. {start: 2021, slutt: 2024})")
            ok = False
    for key in LISTS:
        if record.get(key) is not None and not isinstance(record.get(key), list):
            bad(key, record.get(key), "en liste (f.eks. [a, b]) eller []")
            ok = False
    for key in ITEM_MAPPINGS:
        for item in record.get(key) or [] if isinstance(record.get(key), list) else []:
            if not isinstance(item, dict):
                bad(key, item, "en oppføring med nøkkel: verdi-par (f.eks. {kommunenummer: \"3303\", navn: ...})")
                ok = False
    return ok


def _texts_ok(record: Node, bad) -> bool:
    """Every text within its limit (etl/limits.py); names and ids on one line. The loader has
    already refused control and format characters and normalised the text (NFC)."""
    ok = True

    def check(key: str, value, limit: str, line=None) -> None:
        nonlocal ok
        if not isinstance(value, str):
            return
        problem = limits.text_problem(value, limit, allow="\n" if limit == TEXT else "")
        if problem is not None:
            bad(key, Described(problem[0]), problem[1], line)
            ok = False

    for key, limit in TEXT_LIMITS.items():
        values = record.get(key)
        for value in values if isinstance(values, list) else [values]:
            check(key, value, limit)
    for key, fields in ITEM_TEXT_LIMITS.items():
        items = record.get(key)
        for item in items if isinstance(items, list) else [items]:
            if isinstance(item, dict):
                for name, limit in fields.items():
                    line = item.line_of(name) if isinstance(item, Node) else None
                    check(f"{key}.{name}", item.get(name), limit, line)
    return ok


def _frame(rows: list[dict], columns: list[str], types: dict | None = None) -> pl.DataFrame:
    schema = {c: (types or {}).get(c, pl.Utf8) for c in columns}
    return pl.DataFrame(rows, schema=schema)

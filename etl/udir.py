"""Udir's public statistics: read the statistics bank's saved JSON responses, check, normalise.

A response (`{"metadata": {...}, "rows": [...]}`, see data/offentlig/udir/README.md) becomes long
rows: one per area, school year and measure, with the number, or `undertrykt` where Udir wrote
`*` (never 0) and `mangler` where a cell is empty. The school year comes from the file's own
column header; municipality codes are mapped to the 2024 structure; Svalbard (21xx) and schools
abroad (25, 2599) keep their own area types. Every problem names file, row, field, what was
found and what was expected (Norwegian), and nothing is kept or built when one is found.

The build reads the responses bundled in data/offentlig/udir/ (listed with their checksums in
kilder.csv) and the ones kept by `python -m etl import udir` / `fetch udir` in
KL_IMPORT_DIR/udir/. A kept file wins over a bundled one for the same cell. Docs:
docs/offentlig-statistikk.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from etl import config, geography
from etl.errors import Collector, InputError, Problem

OFFENTLIG_DIR = config.DATA_DIR / "offentlig"
BUNDLED_DIR = OFFENTLIG_DIR / "udir"
MANIFEST = BUNDLED_DIR / "kilder.csv"
INDIKATORER_CSV = OFFENTLIG_DIR / "indikatorer.csv"
KIND = "udir"
LISENS = "NLOD 2.0"
KILDE = "Kilde: Utdanningsdirektoratet"
IKKE_REGISTRERT = "ikke registrert"
SIDECAR = ".kilde.json"  # provenance written beside a kept file: retrieval date and endpoint

# The measures of each table, by the column name Udir gives them (the last header level).
GSI = {
    "Antall elever": "elever",
    "Antall elever med individuelt tilrettelagt opplæring/spesialundervisning": "elever_itos",
    "Antall elever med forsterket opplæring i norsk": "elever_norsk",
    "Antall skoler": "skoler",
}
FRAVAER = {
    "Median dager": "fravaer_median_dager",
    "Median timer": "fravaer_median_timer",
    "Snitt dager": "fravaer_snitt_dager",
    "Snitt timer": "fravaer_snitt_timer",
    "Antall elever": "fravaer_elever",
}
NP = {"Skalapoeng": "skalapoeng", "Usikkerhet": "usikkerhet", "Antall elever deltatt": "deltatt"}
NP_FAG = {"lesing": "les", "regning": "reg", "engelsk": "eng"}
MOBBING = {
    "EUIndeks_1398": "indeks",
    "EUSpoersmaal_Q11811": "elever",
    "EUSpoersmaal_Q11824": "voksne",
    "EUSpoersmaal_Q11816": "digitalt",
}
TABELLNAVN = {
    "gsi": "Elever og skoler (GSI)",
    "fravaer": "Fravær i grunnskolen, 10. trinn",
    "np": "Nasjonale prøver",
    "mobbing": "Elevundersøkelsen, mobbing",
}
GEO_HIERARCHY = ["Nasjonalt", "Fylke", "Kommune", "Enhet"]
MOBBING_HIERARCHY = ["Indikator", "Spørsmål"]
SKOLEAR = re.compile(r"^(\d{4})-(\d{2})$")
TRINN = re.compile(r"^(\d{1,2})\. årstrinn$")
# Udir writes a plain space as thousands separator; a no-break space is accepted too.
NUMBER = re.compile(r"^-?(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:,\d+)?$")
NUMBER_TEXT = (
    "et tall med mellomrom som tusenskille og desimalkomma (for eksempel «14 272» eller «9,0»), "
    "«*» (skjult av Udir) eller tomt"
)
SCHEMA = {
    "fil": pl.Utf8,
    "tabell": pl.Utf8,
    "skolear": pl.Utf8,
    "ar": pl.Int32,
    "omrade_type": pl.Utf8,
    "omrade_kode": pl.Utf8,
    "navn_kilde": pl.Utf8,
    "kode_kilde": pl.Utf8,
    "maal": pl.Utf8,
    "maal_navn": pl.Utf8,
    "verdi": pl.Float64,
    "undertrykt": pl.Boolean,
    "mangler": pl.Boolean,
    "tekst": pl.Utf8,
}
KEY = ["maal", "skolear", "omrade_type", "omrade_kode"]
# school rows (level 4) of a CSV download: kept apart, with the 2024 municipality of the school
SKOLE_SCHEMA = {
    "fil": pl.Utf8,
    "skolear": pl.Utf8,
    "ar": pl.Int32,
    "organisasjonsnummer": pl.Utf8,
    "skole_navn": pl.Utf8,
    "kommunenummer": pl.Utf8,
    "kommunenummer_kilde": pl.Utf8,
    "tabell": pl.Utf8,
    "maal": pl.Utf8,
    "maal_navn": pl.Utf8,
    "verdi": pl.Float64,
    "undertrykt": pl.Boolean,
    "mangler": pl.Boolean,
    "tekst": pl.Utf8,
}
SKOLE_KEY = ["maal", "skolear", "organisasjonsnummer"]
FIL_SCHEMA = {
    "fil": pl.Utf8,
    "tabell": pl.Utf8,
    "beskrivelse": pl.Utf8,
    "skolear": pl.Utf8,
    "opprinnelse": pl.Utf8,
    "endepunkt": pl.Utf8,
    "hentet": pl.Utf8,
    "opphav": pl.Utf8,
    "lisens": pl.Utf8,
    "sha256": pl.Utf8,
    "antall_verdier": pl.Int32,
    "antall_skjult": pl.Int32,
    "antall_mangler": pl.Int32,
}


def import_dir() -> Path:
    """Kept Udir responses: KL_IMPORT_DIR/udir (default data/imports/udir)."""
    return Path(os.environ.get("KL_IMPORT_DIR") or config.DATA_DIR / "imports") / KIND


def _is_count(maal: str) -> bool:
    return maal in ("elever", "elever_itos", "elever_norsk", "skoler", "fravaer_elever") or maal.endswith(
        "_deltatt"
    )


def _is_percent(maal: str) -> bool:
    return maal.startswith("mobbing_")


# Means that can be merged (two old codes that are one 2024 municipality) with their weight.
def _weight_of(maal: str) -> str | None:
    if maal.endswith("_skalapoeng"):
        return maal.removesuffix("_skalapoeng") + "_deltatt"
    if maal in ("fravaer_snitt_dager", "fravaer_snitt_timer"):
        return "fravaer_elever"
    return None


# --- geography -----------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass(frozen=True)
class Geo:
    """The 2024 counties and municipalities, and how older municipality codes map to them."""

    fylker: dict[str, str]  # fylkesnummer -> short name
    fylke_etter_navn: dict[str, str]  # folded full or short name -> fylkesnummer
    kommuner: dict[str, tuple[str, str]]  # kommunenummer -> (short name, fylkesnummer)
    kommune_etter_navn: dict[tuple[str, str], str]  # (fylkesnummer, folded name) -> kommunenummer
    historikk: list[dict]

    @classmethod
    def load(cls) -> Geo:
        fylker = geography.read_fylker()
        kommuner = geography.read_kommuner()
        fylke_navn = {}
        for row in fylker.iter_rows(named=True):
            fylke_navn[_fold(row["fylkesnavn"])] = row["fylkesnummer"]
            fylke_navn[_fold(row["fylkesnavn_kort"])] = row["fylkesnummer"]
        kommune_navn = {}
        for row in kommuner.iter_rows(named=True):
            for name in (row["kommunenavn"], row["kommunenavn_kort"]):
                kommune_navn[(row["fylkesnummer"], _fold(name))] = row["kommunenummer"]
        historikk = pl.read_csv(geography.HISTORIKK_CSV, infer_schema_length=0).to_dicts()
        return cls(
            dict(zip(fylker["fylkesnummer"], fylker["fylkesnavn_kort"])),
            fylke_navn,
            {r["kommunenummer"]: (r["kommunenavn_kort"], r["fylkesnummer"]) for r in kommuner.iter_rows(named=True)},
            kommune_navn,
            historikk,
        )

    def kommune_2024(self, code: str, year: int) -> tuple[str | None, str | None]:
        """(2024 code, note) for a municipality code used in a school year starting in `year`."""
        if code in self.kommuner:
            return code, None
        rows = [r for r in self.historikk if r["kommunenummer_gammel"] == code]
        # 2016 in gyldig_fra means "2016 or earlier"; a school year Y-(Y+1) uses the codes of Y
        fitting = [
            r for r in rows
            if (int(r["gyldig_fra"]) <= year or r["gyldig_fra"] == "2016") and year <= int(r["gyldig_til"])
        ]
        targets = {r["kommunenummer_2024"] for r in (fitting or rows)}
        if len(targets) != 1:
            return None, None
        row = (fitting or rows)[0]
        note = (
            f"kommunenummer {code} ({row['kommunenavn_gammel']}) er ført til 2024-nummeret "
            f"{row['kommunenummer_2024']}"
        )
        if row.get("andel"):
            note += f", som fikk {row['andel']}" + (f" ({row['merknad'].rstrip('.')})" if row.get("merknad") else "")
        return row["kommunenummer_2024"], note


# --- one response ----------------------------------------------------------------------------------


@dataclass
class Parsed:
    """One checked response: its long rows, what it is, and notes to show the user."""

    fil: str
    tabell: str | None  # None for Udir's empty response
    beskrivelse: str
    skolear: str | None
    rows: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    schools: list[dict] = field(default_factory=list)  # level-4 rows of a CSV download

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.rows, schema=SCHEMA)

    def school_frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.schools, schema=SKOLE_SCHEMA)

    def summary(self) -> str:
        if self.tabell is None:
            return f"{self.fil}: tomt svar fra Udir (ingen rader) – ingenting å lese."
        areas = {}
        for r in self.rows:
            areas.setdefault(r["omrade_type"], set()).add(r["omrade_kode"])
        parts = [_count_areas(k, len(v)) for k, v in sorted(areas.items(), key=lambda kv: AREA_ORDER[kv[0]])]
        hidden = sum(r["undertrykt"] for r in self.rows)
        empty = sum(r["mangler"] for r in self.rows)
        measures = len({r["maal"] for r in self.rows})
        schools = len({r["organisasjonsnummer"] for r in self.schools})
        if schools:
            parts.append(f"{schools} skoler")
        unused = sorted({r["maal_navn"] for r in self.rows if r["tabell"] == "annen"})
        text = (
            f"{self.fil}: {self.beskrivelse}, skoleår {self.skolear}: {', '.join(parts)}; {measures} mål, "
            f"{len(self.rows)} verdier, {hidden} skjult av Udir («*»), {empty} tomme."
        )
        if unused:
            text += (f" {len(unused)} mål har ingen indikator i dashbordet ennå og står bare i lageret "
                     f"(stg_udir_verdi): {', '.join(unused[:3])}{' …' if len(unused) > 3 else ''}.")
        return text


AREA_ORDER = {"land": 0, "fylke": 1, "kommune": 2, "svalbard": 3, "utland": 4}


def _count_areas(kind: str, n: int) -> str:
    one, many = {"land": ("hele landet", "hele landet"), "fylke": ("fylke", "fylker"),
                 "kommune": ("kommune", "kommuner"), "svalbard": ("Svalbard", "Svalbard"),
                 "utland": ("rad for utlandet", "rader for utlandet")}[kind]
    return f"{n} {one if n == 1 else many}" if kind not in ("land", "svalbard") else one


class _Checker:
    """Collects the problems of one file; `where(i, row)` names a row the way a user finds it."""

    def __init__(self, fil: str) -> None:
        self.fil = fil
        self.problems = Collector()

    def add(self, rad: str | None, kolonne: str | None, funnet: object, forventet: str) -> None:
        self.problems.add(self.fil, rad, kolonne, funnet, forventet)

    @staticmethod
    def where(i: int, row: object) -> str:
        if isinstance(row, dict) and (row.get("navn") or row.get("kode")):
            return f"rad {i} i «rows» ({str(row.get('navn', '')).strip()}, kode {row.get('kode')})"
        return f"rad {i} i «rows»"


def _cell(text: object) -> tuple[float | None, str]:
    """(value, state) with state 'ok', 'skjult', 'tom' or 'ugyldig'."""
    if not isinstance(text, str):
        return None, "ugyldig"
    stripped = text.strip()
    if stripped == "*":
        return None, "skjult"
    if stripped == "":
        return None, "tom"
    if not NUMBER.match(stripped):
        return None, "ugyldig"
    return float(re.sub(r"[ \u00a0\u202f]", "", stripped).replace(",", ".")), "ok"


def _value_problem(maal: str, value: float) -> str | None:
    if _is_count(maal) and (value < 0 or not value.is_integer()):
        return "et helt tall som ikke er negativt"
    if _is_percent(maal) and not 0 <= value <= 100:
        return "en andel i prosent (0–100)"
    if value < 0:
        return "et tall som ikke er negativt"
    return None


def _skolear(chk: _Checker, level: object) -> tuple[str | None, int | None]:
    """The school year of the first header level, e.g. '2024-25' -> ('2024-25', 2024)."""
    headers = level if isinstance(level, list) else []
    names = [h.get("name") for h in headers if isinstance(h, dict)]
    if len(names) != 1 or not isinstance(names[0], str) or not SKOLEAR.match(names[0].strip()):
        chk.add("metadata.columns[0]", "skoleår", ", ".join(map(str, names)) or None,
                "ett skoleår som «2024-25» i første overskriftsnivå")
        return None, None
    text = names[0].strip()
    first, second = SKOLEAR.match(text).groups()
    if (int(first) + 1) % 100 != int(second):
        chk.add("metadata.columns[0]", "skoleår", text, "to år etter hverandre, som «2024-25»")
        return None, None
    return text, int(first)


def _single_names(columns: list) -> list[str]:
    """The name of every header level that has exactly one header (the filters of the table)."""
    out = []
    for level in columns:
        if isinstance(level, list) and len(level) == 1 and isinstance(level[0], dict):
            out.append(str(level[0].get("name", "")).strip())
    return out


def parse_response(fil: str, data: bytes, geo: Geo) -> Parsed:
    """Check one saved JSON response or CSV download of Udir's statistics bank and return its
    long rows."""
    from etl import udir_csv

    if udir_csv.is_download(data):
        return udir_csv.parse(fil, data, geo)
    chk = _Checker(fil)
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError([Problem(fil, None, None, f"tegn som ikke er UTF-8 ({exc.reason})",
                                  "et JSON-svar i UTF-8")]) from exc
    except json.JSONDecodeError as exc:
        raise InputError([Problem(fil, f"linje {exc.lineno}, tegn {exc.colno}", None, exc.msg,
                                  "gyldig JSON")]) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("metadata"), dict) or not isinstance(doc.get("rows"), list):
        raise InputError([Problem(fil, None, None, "en annen JSON-struktur",
                                  "et objekt med «metadata» og «rows» (Udirs statistikkbank)")])
    meta, rows = doc["metadata"], doc["rows"]
    columns = meta.get("columns")
    hierarchy = meta.get("rowHierarchy")
    if columns == [] and rows == []:
        return Parsed(fil, None, "tomt svar", None, notes=[
            f"{fil}: Udirs svar er tomt (ingen rader) – Udir har ingen tall for dette utvalget."
        ])
    if not isinstance(columns, list) or len(columns) < 2 or not all(isinstance(c, list) for c in columns):
        raise InputError([Problem(fil, "metadata", "columns", type(columns).__name__,
                                  "en liste med overskriftsnivåer (skoleår først, målene sist)")])
    if hierarchy == GEO_HIERARCHY:
        parsed = _parse_geo(chk, columns, rows, geo)
    elif hierarchy == MOBBING_HIERARCHY:
        parsed = _parse_mobbing(chk, columns, rows, geo)
    else:
        chk.add("metadata", "rowHierarchy", hierarchy,
                f"{GEO_HIERARCHY} (GSI, fravær, nasjonale prøver) eller {MOBBING_HIERARCHY} (mobbing)")
        parsed = None
    chk.problems.raise_if_any()
    return parsed


def _measure_names(chk: _Checker, columns: list) -> list[str]:
    last = columns[-1]
    names = [str(h.get("name", "")).strip() if isinstance(h, dict) else "" for h in last]
    if not names or not all(names):
        chk.add("metadata.columns (siste nivå)", "mål", names, "navnet på hvert mål")
    return names


def _check_filters(chk: _Checker, columns: list, allowed: set[str], n_measures: int) -> list[str]:
    """Every middle header level is one header; filters must be «Alle …» (the whole population)."""
    middle = []
    for i, level in enumerate(columns[1:-1], start=1):
        if not isinstance(level, list) or len(level) != 1 or not isinstance(level[0], dict):
            chk.add(f"metadata.columns[{i}]", "overskrift", f"{len(level) if isinstance(level, list) else level} overskrifter",
                    "én overskrift per nivå (ett utvalg per fil)")
            continue
        header = level[0]
        name = str(header.get("name", "")).strip()
        if header.get("columnCount") not in (None, n_measures):
            chk.add(f"metadata.columns[{i}]", "columnCount", header.get("columnCount"), f"{n_measures} (ett per mål)")
        middle.append(name)
        if name not in allowed and not name.startswith("Alle "):
            chk.add(f"metadata.columns[{i}]", "utvalg", name,
                    "et utvalg for alle elever («Alle kjønn», «Alle eierformer», «Alle trinn» …)")
    return middle


def _parse_geo(chk: _Checker, columns: list, rows: list, geo: Geo) -> Parsed | None:
    skolear, year = _skolear(chk, columns[0])
    names = _measure_names(chk, columns)
    found = set(names)
    grade: int | None = None
    fag: str | None = None
    if found == set(GSI):
        tabell, measures, beskrivelse = "gsi", dict(GSI), TABELLNAVN["gsi"]
        _check_filters(chk, columns, set(), len(names))
    elif found == set(FRAVAER):
        tabell, measures, beskrivelse = "fravaer", dict(FRAVAER), TABELLNAVN["fravaer"]
        _check_filters(chk, columns, set(), len(names))
    elif found == set(NP):
        tabell = "np"
        allowed = {n.capitalize() for n in NP_FAG}
        middle = _check_filters(chk, columns, allowed | {m for m in _single_names(columns) if TRINN.match(m)}, len(names))
        subjects = [m for m in middle if m.casefold() in NP_FAG]
        grades = [int(TRINN.match(m).group(1)) for m in middle if TRINN.match(m)]
        if len(subjects) != 1:
            chk.add("metadata.columns", "fag", ", ".join(middle), "ett fag: Lesing, Regning eller Engelsk")
        if len(grades) != 1:
            chk.add("metadata.columns", "trinn", ", ".join(middle), "ett trinn som «5. årstrinn»")
        if len(subjects) != 1 or len(grades) != 1:
            chk.problems.raise_if_any()
        fag, grade = NP_FAG[subjects[0].casefold()], grades[0]
        measures = {name: f"np_{fag}_{grade}_{m}" for name, m in NP.items()}
        beskrivelse = f"{TABELLNAVN['np']}, {subjects[0].lower()} {grade}. trinn"
    else:
        chk.add("metadata.columns (siste nivå)", "mål", ", ".join(names),
                "målene i én av tabellene: GSI (" + ", ".join(GSI) + "), fravær (" + ", ".join(FRAVAER)
                + ") eller nasjonale prøver (" + ", ".join(NP) + ")")
        return None
    if skolear is None:
        return None

    parsed = Parsed(chk.fil, tabell, beskrivelse, skolear)
    seen: dict[tuple[str, str], str] = {}
    for i, row in enumerate(rows, start=1):
        where = chk.where(i, row)
        if not isinstance(row, dict):
            chk.add(where, None, type(row).__name__, "et objekt med navn, kode, id og data")
            continue
        kode, navn, path, cells = (row.get(k) for k in ("kode", "navn", "id", "data"))
        if not isinstance(kode, str) or not isinstance(path, str) or not isinstance(navn, str):
            chk.add(where, "kode/navn/id", {k: row.get(k) for k in ("kode", "navn", "id")}, "tekst i kode, navn og id")
            continue
        if not isinstance(cells, list) or len(cells) != len(names):
            chk.add(where, "data", f"{len(cells) if isinstance(cells, list) else cells} celler",
                    f"{len(names)} celler (ett per mål)")
            continue
        area = _geo_area(chk, where, kode.strip(), path.strip(), navn.strip(), year, geo, parsed)
        if area is None:
            continue
        omrade_type, omrade_kode = area
        if (omrade_type, kode) in seen:
            chk.add(where, "kode", kode, f"hvert område én gang (finnes også i {seen[(omrade_type, kode)]})")
            continue
        seen[(omrade_type, kode)] = where
        for name, text in zip(names, cells):
            _add_value(chk, parsed, where, name, measures[name], text, year, omrade_type, omrade_kode, navn, kode)
    parsed.rows = _merge_renumbered(parsed)
    return parsed


def _geo_area(
    chk: _Checker, where: str, kode: str, path: str, navn: str, year: int | None, geo: Geo, parsed: Parsed
) -> tuple[str, str] | None:
    depth = len(path.split("."))
    if re.fullmatch(r"21\d\d", kode):
        return "svalbard", kode
    if kode in ("25", "2599") or path.startswith("2."):
        if kode not in ("25", "2599"):
            chk.add(where, "kode", kode, "25 eller 2599 for skoler i utlandet")
            return None
        return "utland", kode
    if depth == 2 and re.fullmatch(r"\d\d", kode):
        if kode not in geo.fylker:
            parsed.notes.append(
                f"{chk.fil}: fylkesnummer {kode} ({navn}) finnes ikke i fylkesinndelingen fra 2024; "
                "fylkestallet er ikke brukt, fylkene regnes fra kommunene."
            )
            return None
        return "fylke", kode
    if depth == 3 and re.fullmatch(r"\d{4}", kode):
        code_2024, note = geo.kommune_2024(kode, year or 2024)
        if code_2024 is None:
            chk.add(where, "kode", kode,
                    "et kjent kommunenummer: en 2024-kode eller en eldre kode fra data/geo/kommunenummer_historikk.csv")
            return None
        if note:
            parsed.notes.append(f"{chk.fil}: {note}.")
        return "kommune", code_2024
    chk.add(where, "kode", f"{kode} (id {path})",
            "et fylkesnummer (2 siffer, id med ett punktum) eller et kommunenummer (4 siffer, id med to punktum)")
    return None


def _add_value(
    chk: _Checker, parsed: Parsed, where: str, name: str, maal: str, text: object, year: int | None,
    omrade_type: str, omrade_kode: str, navn: str, kode: str, check: bool = True, note: bool = True,
) -> None:
    value, state = _cell(text)
    if state == "ugyldig":
        chk.add(where, name, text, NUMBER_TEXT)
        return
    if value is not None and check and (problem := _value_problem(maal, value)):
        chk.add(where, name, text, problem)
        return
    if state == "tom" and note:
        parsed.notes.append(f"{chk.fil}: {where}, «{name}» er tom i Udirs svar – vises som manglende tall.")
    parsed.rows.append({
        "fil": parsed.fil, "tabell": parsed.tabell, "skolear": parsed.skolear, "ar": year,
        "omrade_type": omrade_type, "omrade_kode": omrade_kode, "navn_kilde": navn, "kode_kilde": kode,
        "maal": maal, "maal_navn": name, "verdi": value, "undertrykt": state == "skjult",
        "mangler": state == "tom", "tekst": text,
    })


def _merge_renumbered(parsed: Parsed, rows: list[dict] | None = None) -> list[dict]:
    """Two older codes that are one 2024 municipality become one row per measure and school year:
    counts are summed, means weighted by their pupils; other measures cannot be merged and
    become missing."""
    rows = parsed.rows if rows is None else rows
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["maal"], r["skolear"], r["omrade_type"], r["omrade_kode"]), []).append(r)
    if all(len(g) == 1 for g in groups.values()):
        return rows
    out = []
    for (maal, skolear, omrade_type, omrade_kode), group in groups.items():
        if len(group) == 1:
            out.append(group[0])
            continue
        merged = dict(group[0], kode_kilde="+".join(r["kode_kilde"] for r in group),
                      navn_kilde=" + ".join(r["navn_kilde"] for r in group), tekst=None)
        hidden = any(r["undertrykt"] for r in group)
        empty = any(r["mangler"] for r in group)
        weight = _weight_of(maal)
        value = None
        if not hidden and not empty:
            if _is_count(maal):
                value = sum(r["verdi"] for r in group)
            elif weight:
                by_code = {r["kode_kilde"]: r["verdi"]
                           for r in groups.get((weight, skolear, omrade_type, omrade_kode), [])}
                weights = [by_code.get(r["kode_kilde"]) for r in group]
                if all(x is not None for x in weights) and sum(weights) > 0:
                    value = sum(r["verdi"] * x for r, x in zip(group, weights)) / sum(weights)
        merged.update(verdi=value, undertrykt=hidden, mangler=not hidden and value is None)
        if value is None and not hidden:
            parsed.notes.append(
                f"{parsed.fil}: «{group[0]['maal_navn']}» for {merged['navn_kilde']} kan ikke slås sammen "
                f"til kommune {omrade_kode} og vises som manglende tall."
            )
        out.append(merged)
    return out


def _parse_mobbing(chk: _Checker, columns: list, rows: list, geo: Geo) -> Parsed | None:
    skolear, year = _skolear(chk, columns[0])
    names = _measure_names(chk, columns)
    if names != ["Andel mobbet"]:
        chk.add("metadata.columns (siste nivå)", "mål", ", ".join(names), "«Andel mobbet»")
    headers = _single_names(columns)
    if len(headers) != len(columns):
        chk.add("metadata.columns", "overskrift", "et nivå med flere overskrifter", "én overskrift per nivå")
    grades = [i for i, h in enumerate(headers) if TRINN.match(h)]
    schools = [i for i, h in enumerate(headers) if h == "Alle skoler"]
    if len(grades) != 1 or len(schools) != 1 or schools[0] < 2:
        chk.add("metadata.columns", "overskrift", " / ".join(headers),
                "skoleår, området (land, fylke, kommune), «Alle skoler», trinnet og «Andel mobbet»")
    chk.problems.raise_if_any()
    for i in range(schools[0] + 1, len(headers) - 1):
        if i != grades[0] and not headers[i].startswith("Alle "):
            chk.add(f"metadata.columns[{i}]", "utvalg", headers[i], "et utvalg for alle elever («Alle kjønn» …)")
    grade = int(TRINN.match(headers[grades[0]]).group(1))
    region = headers[1:schools[0]]
    area = _mobbing_area(chk, region, geo)
    chk.problems.raise_if_any()
    if skolear is None or area is None:
        return None
    omrade_type, omrade_kode = area
    parsed = Parsed(chk.fil, "mobbing", f"{TABELLNAVN['mobbing']}, {grade}. trinn, {region[-1]}", skolear)
    seen = set()
    for i, row in enumerate(rows, start=1):
        where = chk.where(i, row)
        kode = row.get("kode") if isinstance(row, dict) else None
        if kode not in MOBBING:
            chk.add(where, "kode", kode, "en av " + ", ".join(MOBBING))
            continue
        cells = row.get("data")
        if not isinstance(cells, list) or len(cells) != 1:
            chk.add(where, "data", cells, "én celle")
            continue
        if kode in seen:
            chk.add(where, "kode", kode, "hvert spørsmål én gang")
            continue
        seen.add(kode)
        _add_value(chk, parsed, where, str(row.get("navn", kode)).strip(), f"mobbing_{grade}_{MOBBING[kode]}",
                   cells[0], year, omrade_type, omrade_kode, region[-1], omrade_kode)
    return parsed


def _mobbing_area(chk: _Checker, region: list[str], geo: Geo) -> tuple[str, str] | None:
    """The area a bullying response is for, from its header path: country → county → municipality."""
    text = " / ".join(region)
    if region and region[0] == "Utlandet":
        return ("utland", "2599") if len(region) == 3 else ("utland", "25")
    if not region or region[0] != "Hele landet" or len(region) > 3:
        chk.add("metadata.columns", "område", text, "«Hele landet», så fylke og kommune")
        return None
    if len(region) == 1:
        return "land", "alle"
    fylke = geo.fylke_etter_navn.get(_fold(region[1]))
    if fylke is None:
        chk.add("metadata.columns[2]", "fylke", region[1], "et fylke i inndelingen fra 2024")
        return None
    if len(region) == 2:
        return "fylke", fylke
    if _fold(region[2]) == "svalbard":
        return "svalbard", "2100"
    kommune = geo.kommune_etter_navn.get((fylke, _fold(region[2])))
    if kommune is None:
        chk.add("metadata.columns[3]", "kommune", region[2], f"en kommune i {geo.fylker[fylke]} (2024-inndelingen)")
        return None
    return "kommune", kommune


# --- files: bundled, kept, imported ---------------------------------------------------------------


@dataclass
class Source:
    """A response file and where it came from."""

    path: Path
    name: str  # as shown and stored in `fil`
    opprinnelse: str  # 'med i prosjektet' | 'importert' | 'hentet'
    endepunkt: str | None
    hentet: str | None  # ISO date or None (not recorded)
    opphav: str | None


def bundled_sources() -> list[Source]:
    """The responses that ship with the project, after checking their SHA-256 against kilder.csv."""
    if not MANIFEST.exists():
        return []
    problems = []
    sources = []
    with MANIFEST.open(encoding="utf-8", newline="") as handle:
        for n, row in enumerate(csv.DictReader(handle), start=2):
            if row["innhold"] != "data":
                continue
            path = BUNDLED_DIR / row["fil"]
            rel = f"data/offentlig/udir/{row['fil']}"
            if not path.is_file():
                problems.append(Problem(str(MANIFEST.relative_to(config.PROJECT_ROOT)), n, "fil", row["fil"],
                                        "en fil som finnes i data/offentlig/udir/"))
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest != row["sha256"]:
                problems.append(Problem(rel, None, "sha256", digest[:16] + "…",
                                        f"{row['sha256'][:16]}… som i kilder.csv (filen er endret)"))
                continue
            sources.append(Source(path, rel, "med i prosjektet", row["endepunkt"] or None,
                                  row["hentet"] or None, row["opphav"] or None))
    if problems:
        raise InputError(problems)
    return sources


def _kept_files(folder: Path) -> list[Path]:
    """The kept responses and downloads of a folder (not their provenance, not temporary files)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".json", ".csv") and p.is_file()
                  and not p.name.endswith(SIDECAR) and not p.name.startswith("."))


def kept_sources() -> list[Source]:
    out = []
    for path in _kept_files(import_dir()):
        meta = _read_sidecar(path)
        out.append(Source(path, path.name, meta.get("opprinnelse", "importert"), meta.get("endepunkt"),
                          meta.get("hentet"), meta.get("opphav")))
    return out


def _read_sidecar(path: Path) -> dict:
    sidecar = path.with_name(path.name + SIDECAR)
    if not sidecar.exists():
        return {}
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError([Problem(str(sidecar), None, None, str(exc), "gyldig JSON med hentet/endepunkt")]) from exc
    return meta if isinstance(meta, dict) else {}


@dataclass
class Loaded:
    verdier: pl.DataFrame
    filer: pl.DataFrame
    merknader: pl.DataFrame
    parsed: list[tuple[Source, Parsed]]
    skoler: pl.DataFrame


def load(sources: list[Source], geo: Geo | None = None) -> Loaded:
    """Parse every source (all problems reported together); later sources win on the same cell."""
    geo = geo or Geo.load()
    problems: list[Problem] = []
    done: list[tuple[Source, Parsed]] = []
    for src in sources:
        try:
            done.append((src, parse_response(src.name, src.path.read_bytes(), geo)))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    frames = [p.frame() for _, p in done if p.rows]
    verdier = pl.concat(frames) if frames else pl.DataFrame(schema=SCHEMA)
    verdier = verdier.unique(KEY, keep="last", maintain_order=True)
    school_frames = [p.school_frame() for _, p in done if p.schools]
    skoler = pl.concat(school_frames) if school_frames else pl.DataFrame(schema=SKOLE_SCHEMA)
    skoler = skoler.unique(SKOLE_KEY, keep="last", maintain_order=True)
    filer = pl.DataFrame([_file_row(src, p) for src, p in done], schema=FIL_SCHEMA, orient="row")
    notes = [(p.fil, n) for _, p in done for n in p.notes]
    merknader = pl.DataFrame(
        {"fil": [f for f, _ in notes], "nr": list(range(1, len(notes) + 1)), "merknad": [m for _, m in notes]},
        schema={"fil": pl.Utf8, "nr": pl.Int32, "merknad": pl.Utf8},
    )
    return Loaded(verdier, filer, merknader, done, skoler)


def _file_row(src: Source, p: Parsed) -> dict:
    return {
        "fil": src.name, "tabell": p.tabell, "beskrivelse": p.beskrivelse, "skolear": p.skolear,
        "opprinnelse": src.opprinnelse, "endepunkt": src.endepunkt, "hentet": src.hentet or IKKE_REGISTRERT,
        "opphav": src.opphav, "lisens": LISENS, "sha256": hashlib.sha256(src.path.read_bytes()).hexdigest(),
        "antall_verdier": len(p.rows), "antall_skjult": sum(r["undertrykt"] for r in p.rows),
        "antall_mangler": sum(r["mangler"] for r in p.rows),
    }


def read_indicators() -> pl.DataFrame:
    return pl.read_csv(INDIKATORER_CSV, infer_schema_length=0).with_columns(
        pl.col("desimaler").cast(pl.Int32), pl.col("rekkefolge").cast(pl.Int32),
        pl.col("brudd_ar").cast(pl.Int32, strict=False),
    )


def sources() -> dict[str, pl.DataFrame]:
    """Frames to register as src_* before the SQL of the build runs."""
    loaded = load(bundled_sources() + kept_sources())
    return {
        "src_udir_verdi": loaded.verdier,
        "src_udir_fil": loaded.filer,
        "src_udir_merknad": loaded.merknader,
        "src_udir_skole": loaded.skoler,
        "src_offentlig_indikator": read_indicators(),
    }


def input_files() -> list[Path]:
    """Every file the public-statistics part of a build depends on (for the build checksum)."""
    files = [INDIKATORER_CSV] + ([MANIFEST] if MANIFEST.exists() else [])
    files += [s.path for s in bundled_sources()]
    return files + _kept_files(import_dir())


# --- import ----------------------------------------------------------------------------------------


def _conflicts(new: pl.DataFrame, kept: pl.DataFrame) -> list[Problem]:
    """Cells that a kept file already holds with another value: refused, naming both files."""
    if new.is_empty() or kept.is_empty():
        return []
    joined = new.join(kept, on=KEY, suffix="_lagret")
    differs = joined.filter(
        (pl.col("undertrykt") != pl.col("undertrykt_lagret"))
        | (pl.col("mangler") != pl.col("mangler_lagret"))
        | ((pl.col("verdi") - pl.col("verdi_lagret")).abs() > 1e-9)
    )
    return [
        Problem(r["fil"], f"{r['navn_kilde']} ({r['kode_kilde']})", r["maal_navn"], r["tekst"],
                f"samme tall som den importerte filen {r['fil_lagret']} («{r['tekst_lagret']}») for skoleår "
                f"{r['skolear']} – fjern den gamle filen fra {import_dir()} først")
        for r in differs.head(50).iter_rows(named=True)
    ]


def keep(name: str, data: bytes, meta: dict) -> list[Path]:
    """Write the file under its hash prefix and its provenance beside it (temp name, then rename)."""
    from etl import udir_csv

    folder = import_dir()
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".csv" if udir_csv.is_download(data) else ".json"
    stem = Path(name).name if Path(name).suffix == suffix else Path(name).name + suffix
    target = folder / f"{hashlib.sha256(data).hexdigest()[:12]}-{stem}"
    written = []
    for path, content in ((target, data), (target.with_name(target.name + SIDECAR),
                                            json.dumps(meta, ensure_ascii=False, indent=2).encode())):
        temp = folder / f".{path.name}.{os.getpid()}.part"
        temp.write_bytes(content)
        os.replace(temp, path)
        written.append(path)
    return written


def _parse_date(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise InputError([Problem("--hentet", None, None, text, "en dato som 2025-11-30")]) from exc


def import_files(
    files: list[tuple[str, bytes, dict]], rebuild: Callable[[], object]
) -> list[str]:
    """Check every file (all problems at once), keep the new ones, rebuild; nothing is kept if
    anything fails. `files` holds (name, bytes, provenance: opprinnelse, hentet, endepunkt)."""
    geo = Geo.load()
    problems: list[Problem] = []
    parsed: list[tuple[str, bytes, dict, Parsed]] = []
    for name, data, meta in files:
        try:
            parsed.append((name, data, meta, parse_response(name, data, geo)))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    kept_paths = {p.path.name: p for p in kept_sources()}
    lines: list[str] = []
    new = []
    for name, data, meta, p in parsed:
        digest = hashlib.sha256(data).hexdigest()
        same = [k for k in kept_paths if k.startswith(digest[:12] + "-")]
        if same:
            lines.append(f"{name}: allerede importert, ingen endring ({import_dir() / same[0]}).")
        elif p.tabell is None:
            lines.append(p.summary() + " Filen er ikke tatt vare på.")
        else:
            new.append((name, data, meta, p))
    if not new:
        return lines
    kept = load(list(kept_paths.values()), geo).verdier
    incoming = pl.concat([p.frame() for *_, p in new])
    dupes = incoming.group_by(KEY).agg(pl.col("fil").unique(maintain_order=True)).filter(pl.col("fil").list.len() > 1)
    problems = [
        Problem(r["fil"][0], None, r["maal"], r["omrade_kode"],
                f"hvert tall i bare én av filene (finnes også i {', '.join(r['fil'][1:])}, skoleår {r['skolear']})")
        for r in dupes.head(20).iter_rows(named=True)
    ] + _conflicts(incoming, kept)
    if problems:
        raise InputError(problems)
    written: list[Path] = []
    try:
        for name, data, meta, _ in new:
            written += keep(name, data, {"fil": Path(name).name, "lisens": LISENS, **meta})
        built = rebuild()
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    for name, _, meta, p in new:
        lines += [f"Merk: {n}" for n in p.notes]
        lines.append(f"Lest {p.summary()} Hentet: {meta.get('hentet') or IKKE_REGISTRERT}.")
    lines.append(f"Tatt vare på i {import_dir()} ({len(new)} fil(er), med opphav i *{SIDECAR}).")
    lines.append(_built_line(built))
    return lines


def _built_line(built: object) -> str:
    path, file = getattr(built, "path", None), getattr(built, "file", None)
    tables, seconds = len(getattr(built, "tables", {}) or {}), getattr(built, "seconds", 0.0)
    return f"Lageret er bygget på nytt: {path} -> {getattr(file, 'name', file)} ({tables} tabeller, {seconds:.1f} s)."


def import_paths(paths: list[Path], rebuild: Callable[[], object], hentet: str | None = None) -> list[str]:
    """`python -m etl import udir FIL...`: read the files from disk, then import_files."""
    problems = []
    files = []
    date = _parse_date(hentet)
    for path in paths:
        path = Path(path)
        if not path.is_file():
            problems.append(Problem(str(path), None, None, "ingen fil", "en fil som finnes"))
            continue
        files.append((str(path), path.read_bytes(), {"opprinnelse": "importert", "hentet": date}))
    if problems:
        raise InputError(problems)
    return import_files(files, rebuild)

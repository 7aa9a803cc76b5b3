"""Udir's Statistikkbanken CSV downloads («Last ned» → CSV): read, check and normalise them into
the same long rows as the saved API responses (etl/udir.py).

Any report of this shape is read; what it holds is found from its header, never from a list of
known files. The format, as Udir writes it (docs/offentlig-statistikk.md): UTF-16LE with or
without a byte-order mark, a first line `sep=\\t`, one header row of identity columns
(EnhetNivaa, Fylkekode, Kommunekode, Organisasjonsnummer, names) and measure columns named
`<school year>.<path>.<measure>`; numbers with a space or no-break space between thousands and a
decimal comma, `*` for a value Udir hides, empty for a value that does not exist. Rows are levels
1 (the country) to 4 (one school); municipality codes are those of each school year and are
mapped to 2024 through data/geo/. School rows are kept apart (`Parsed.schools`).
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from etl import udir
from etl.errors import InputError, Problem

ID_COLUMNS = ("EnhetNivaa", "Nasjonaltkode", "Fylkekode", "Kommunekode", "Organisasjonsnummer",
              "Nasjonalt", "Fylke", "Kommune", "EnhetNavn")
REQUIRED = ("EnhetNivaa", "Fylkekode", "Kommunekode")
MEASURE_COLUMN = re.compile(r"^(\d{4}-\d{2})\.(.+)$")
# Udir joins the path with dots; a dot followed by a space belongs to a name («5. årstrinn»)
PATH_SEP = re.compile(r"\.(?! )")
FAG = {"engelsk": "eng", "lesing": "les", "regning": "reg"}
LEVELS = {"1": "land", "2": "fylke", "3": "kommune", "4": "skole"}
# the measures of the API tables that a download may hold under the same names
FRAVAER_ONLY = set(udir.FRAVAER) - set(udir.GSI)
EXPECTED_FORMAT = (
    "en CSV-nedlasting fra Udirs statistikkbank: UTF-16 med tabulator som skilletegn, første linje "
    "«sep=\\t», så overskriften med EnhetNivaa, Fylkekode, Kommunekode … og målene som "
    "«2024-25.Lesing.5. årstrinn.Alle eierformer.Alle kjønn.Skalapoeng»"
)


def is_download(data: bytes) -> bool:
    """Whether bytes look like a CSV file rather than JSON (the caller reads JSON otherwise)."""
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b"[")


def _decode(fil: str, data: bytes) -> str:
    """UTF-16 (little or big endian, with or without byte-order mark) or UTF-8."""
    if data.startswith(codecs.BOM_UTF16_LE):
        encoding, body = "utf-16-le", data[2:]
    elif data.startswith(codecs.BOM_UTF16_BE):
        encoding, body = "utf-16-be", data[2:]
    elif data.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8", data[3:]
    elif len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] != 0:
        encoding, body = "utf-16-le", data
    elif len(data) >= 4 and data[0] == 0 and data[2] == 0 and data[1] != 0:
        encoding, body = "utf-16-be", data
    else:
        encoding, body = "utf-8", data
    if encoding.startswith("utf-16") and len(body) % 2:
        raise InputError([Problem(fil, None, None, f"{len(data)} byte, et oddetall",
                                  "en hel UTF-16-fil (to byte per tegn): filen er avkortet midt i et tegn")])
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError([Problem(fil, None, None, f"tegn som ikke er {encoding.upper()} (byte {exc.start})",
                                  EXPECTED_FORMAT)]) from exc
    if "\x00" in text:
        raise InputError([Problem(fil, None, None, "nulltegn i teksten", EXPECTED_FORMAT)])
    return text


def _lines(text: str) -> list[str]:
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def _separator_of(line: str) -> str:
    counts = {sep: line.count(sep) for sep in (";", ",", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else "ingen"


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold().replace("ø", "o").replace("æ", "ae"))
    return re.sub(r"[^a-z0-9]+", "_", folded.encode("ascii", "ignore").decode()).strip("_")


class _Measure:
    """One measure column: its school year, the measure and what the dashboard calls it."""

    def __init__(self, index: int, skolear: str, ar: int, parts: list[str]) -> None:
        self.index, self.skolear, self.ar = index, skolear, ar
        self.navn = parts[-1].strip()
        self.filters = [p.strip() for p in parts[:-1]]
        self.fag = [FAG[p.casefold()] for p in self.filters if p.casefold() in FAG]
        self.trinn = [int(m.group(1)) for p in self.filters if (m := udir.TRINN.match(p))]
        self.utvalg = [p for p in self.filters
                       if p.casefold() not in FAG and not udir.TRINN.match(p) and not p.startswith("Alle ")]
        self.maal = self.tabell = ""

    def classify(self, fravaer: bool) -> None:
        if len(self.fag) == 1 and len(self.trinn) == 1:
            stem = f"np_{self.fag[0]}_{self.trinn[0]}_"
            known = self.navn in udir.NP
            self.tabell = "np" if known else "annen"
            self.maal = stem + (udir.NP[self.navn] if known else _slug(self.navn))
        elif not self.fag and self.navn in udir.FRAVAER and fravaer:
            self.tabell, self.maal = "fravaer", udir.FRAVAER[self.navn]
        elif not self.fag and self.navn in udir.GSI:
            self.tabell, self.maal = "gsi", udir.GSI[self.navn]
        else:
            self.tabell, self.maal = "annen", "udir_" + _slug(".".join([*self.filters, self.navn]))


def _header(chk: udir._Checker, line_no: int, header: list[str]) -> tuple[dict[str, int], list[_Measure]]:
    ids: dict[str, int] = {}
    measures: list[_Measure] = []
    for i, name in enumerate(header):
        name = name.strip()
        match = MEASURE_COLUMN.match(name)
        if match is None:
            if measures:
                chk.add(f"linje {line_no}", name or f"kolonne {i + 1}", name,
                        "bare mål etter den første målkolonnen («<skoleår>.<utvalg>.<mål>»)")
            elif name in ids:
                chk.add(f"linje {line_no}", name, name, "hver kolonne én gang")
            else:
                ids[name] = i
            continue
        skolear, path = match.groups()
        first, second = int(skolear[:4]), int(skolear[5:])
        if (first + 1) % 100 != second:
            chk.add(f"linje {line_no}", name, skolear, "et skoleår som «2024-25» først i kolonnenavnet")
            continue
        parts = PATH_SEP.split(path)
        if not parts[-1].strip():
            chk.add(f"linje {line_no}", name, name, "et mål sist i kolonnenavnet")
            continue
        measures.append(_Measure(i, skolear, first, parts))
    missing = [c for c in REQUIRED if c not in ids]
    if missing:
        chk.add(f"linje {line_no}", None, ", ".join(ids) or "(ingen)",
                f"kolonnene {', '.join(REQUIRED)} før målene ({EXPECTED_FORMAT})")
    if not measures:
        chk.add(f"linje {line_no}", None, "ingen målkolonner",
                "minst én kolonne som «2024-25.Lesing.5. årstrinn.Alle eierformer.Alle kjønn.Skalapoeng»")
    fravaer = any(m.navn in FRAVAER_ONLY for m in measures)
    seen: dict[tuple, str] = {}
    for m in measures:
        m.classify(fravaer)
        name = header[m.index].strip()
        if m.utvalg:
            chk.add(f"linje {line_no}", name, ", ".join(m.utvalg),
                    "et utvalg for alle elever («Alle kjønn», «Alle eierformer», «Alle trinn» …); "
                    "last ned tabellen uten fordeling på kjønn eller eierform")
        elif len(m.fag) > 1 or len(m.trinn) > 1:
            chk.add(f"linje {line_no}", name, name, "ett fag og ett trinn per kolonne")
        elif (m.maal, m.skolear) in seen:
            chk.add(f"linje {line_no}", name, name, f"hvert mål og skoleår én gang (også i «{seen[m.maal, m.skolear]}»)")
        else:
            seen[(m.maal, m.skolear)] = name
    return ids, measures


def parse(fil: str, data: bytes, geo: udir.Geo) -> udir.Parsed:
    """Check one CSV download and return its long rows (and its school rows apart)."""
    chk = udir._Checker(fil)
    lines = _lines(_decode(fil, data))
    if not lines:
        raise InputError([Problem(fil, None, None, "en tom fil", EXPECTED_FORMAT)])
    start = 0
    first = lines[0].lstrip("\ufeff ")
    if first.lower().startswith("sep="):
        sep = first[4:].strip(" ")
        if sep not in ("\t", "\\t"):
            raise InputError([Problem(fil, "linje 1", None, first, "«sep=» fulgt av en tabulator (Udirs format)")])
        start = 1
    if len(lines) <= start:
        raise InputError([Problem(fil, None, None, "ingen overskrift", EXPECTED_FORMAT)])
    header_no = start + 1
    if "\t" not in lines[start]:
        found = f"en CSV-fil med skilletegn «{_separator_of(lines[start])}» og overskriften «{lines[start][:120]}»"
        raise InputError([Problem(fil, f"linje {header_no}", None, found, EXPECTED_FORMAT)])
    header = lines[start].split("\t")
    ids, measures = _header(chk, header_no, header)
    chk.problems.raise_if_any()

    skolear = sorted({m.skolear for m in measures})
    tabeller = {m.tabell for m in measures}
    parsed = udir.Parsed(fil, next(iter(tabeller)) if len(tabeller) == 1 else "annen",
                         _description(measures), ", ".join(skolear))
    seen: dict[tuple[str, str], int] = {}
    empty: list[str] = []
    renumbered: dict[str, tuple[str, str]] = {}
    for n, line in enumerate(lines[header_no:], start=header_no + 1):
        if not line.strip():
            continue
        cells = line.split("\t")
        where = f"linje {n}"
        if len(cells) != len(header):
            chk.add(where, None, f"{len(cells)} felt", f"{len(header)} felt som overskriften (er filen avkortet?)")
            continue
        row = {name: cells[i].strip() for name, i in ids.items()}
        area = _area(chk, where, row, geo, parsed, measures)
        if area is None:
            continue
        kind, kode_kilde, navn = area
        where = f"linje {n} ({navn}, {kode_kilde})"
        if (kind, kode_kilde) in seen:
            chk.add(where, None, kode_kilde, f"hvert område én gang (også på linje {seen[kind, kode_kilde]})")
            continue
        seen[(kind, kode_kilde)] = n
        for m in measures:
            mapped = _mapped(chk, where, kind, kode_kilde, m.ar, geo, parsed, row, renumbered)
            if mapped is None:
                break
            omrade_type, omrade_kode = mapped
            text = cells[m.index]
            before = len(parsed.rows)
            if omrade_type == "skole":
                _school_value(chk, parsed, where, m, text, row, kode_kilde, navn, omrade_kode)
                continue
            udir._add_value(chk, parsed, where, header[m.index].strip(), m.maal, text, m.ar,
                            omrade_type, omrade_kode, navn, kode_kilde, check=m.tabell != "annen", note=False)
            if len(parsed.rows) > before:
                parsed.rows[-1].update(skolear=m.skolear, tabell=m.tabell, maal_navn=_measure_label(m))
                if parsed.rows[-1]["mangler"]:
                    empty.append(f"{navn} ({m.skolear}, {_measure_label(m)})")
    chk.problems.raise_if_any()
    if not parsed.rows:
        chk.add(None, None, "ingen rader for land, fylke eller kommune", "minst én rad med EnhetNivaa 1, 2 eller 3")
        chk.problems.raise_if_any()
    parsed.rows = udir._merge_renumbered(parsed, _drop_empty_duplicates(parsed.rows))
    _renumbering_notes(parsed, renumbered)
    if empty:
        shown = "; ".join(empty[:4]) + (f" og {len(empty) - 4} til" if len(empty) > 4 else "")
        parsed.notes.append(f"{fil}: {len(empty)} tomme celler (ingen tall hos Udir) vises som manglende tall: {shown}.")
    return parsed


def _renumbering_notes(parsed: udir.Parsed, renumbered: dict[str, tuple[str, str]]) -> None:
    """One note for the plain renumberings (a code of the year -> the same municipality's 2024
    code), and one per municipality that was later split (its figure covers more than today's)."""
    plain = {k: v for k, v in renumbered.items() if " som fikk " not in v[1]}
    for note in (n for _, n in sorted(renumbered.values()) if " som fikk " in n):
        parsed.notes.append(f"{parsed.fil}: {note}. Tallet gjelder hele kommunen slik den var det skoleåret.")
    if plain:
        examples = ", ".join(f"{k} → {v[0]}" for k, v in sorted(plain.items())[:3])
        parsed.notes.append(
            f"{parsed.fil}: {len(plain)} kommunenummer fra skoleårets inndeling er ført til 2024-numrene "
            f"etter data/geo/kommunenummer_historikk.csv ({examples} …)."
        )


def _measure_label(m: _Measure) -> str:
    """The measure as one readable name: «Lesing, 5. årstrinn: Skalapoeng»."""
    shown = [p for p in m.filters if not p.startswith("Alle ")]
    return f"{', '.join(shown)}: {m.navn}" if shown else m.navn


def _description(measures: list[_Measure]) -> str:
    tabeller = {m.tabell for m in measures}
    if tabeller == {"np"}:
        fag = sorted({p.lower() for m in measures for p in m.filters if p.casefold() in FAG})
        trinn = sorted({m.trinn[0] for m in measures})
        return (f"{udir.TABELLNAVN['np']}, {', '.join(fag)}, "
                f"{', '.join(f'{t}.' for t in trinn)} trinn (CSV fra statistikkbanken)")
    if len(tabeller) == 1 and tabeller != {"annen"}:
        return f"{udir.TABELLNAVN[next(iter(tabeller))]} (CSV fra statistikkbanken)"
    names = sorted({m.navn for m in measures})
    return "Udir-tabell (CSV fra statistikkbanken) med " + ", ".join(names[:4]) + (" …" if len(names) > 4 else "")


def _area(chk: udir._Checker, where: str, row: dict, geo: udir.Geo, parsed: udir.Parsed,
          measures: list[_Measure]) -> tuple[str, str, str] | None:
    """(level kind, the code as the file writes it, a name) of one row, or None when not used."""
    level = row["EnhetNivaa"]
    fylke, kommune = row["Fylkekode"], row["Kommunekode"]
    orgnr = row.get("Organisasjonsnummer", "")
    if level not in LEVELS:
        chk.add(where, "EnhetNivaa", level, "1 (hele landet), 2 (fylke), 3 (kommune) eller 4 (skole)")
        return None
    kind = LEVELS[level]
    if kind == "land":
        return "land", "alle", row.get("Nasjonalt") or "Hele landet"
    if kind == "fylke":
        if not re.fullmatch(r"\d\d", fylke):
            chk.add(where, "Fylkekode", fylke, "et fylkesnummer med to sifre")
            return None
        return "fylke", fylke, row.get("Fylke") or fylke
    if not re.fullmatch(r"\d{4}", kommune):
        chk.add(where, "Kommunekode", kommune, "et kommunenummer med fire sifre")
        return None
    if kind == "kommune":
        return "kommune", kommune, row.get("Kommune") or kommune
    if not re.fullmatch(r"\d{9}", orgnr):
        chk.add(where, "Organisasjonsnummer", orgnr, "et organisasjonsnummer med ni sifre (skolerad, nivå 4)")
        return None
    return "skole", orgnr, (row.get("EnhetNavn") or orgnr).strip()


def _mapped(chk: udir._Checker, where: str, kind: str, kode: str, year: int, geo: udir.Geo,
            parsed: udir.Parsed, row: dict, renumbered: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """The area type and 2024 code a row's value belongs to in a school year (None: not used)."""
    if kind == "land":
        return "land", "alle"
    if kind == "fylke":
        if kode == "25":
            return "utland", "25"
        if kode not in geo.fylker:
            note = (f"{parsed.fil}: fylkesnummer {kode} ({row.get('Fylke', '').strip()}) finnes ikke i "
                    "fylkesinndelingen fra 2024; fylkestallet er ikke brukt, fylkene regnes fra kommunene.")
            if note not in parsed.notes:
                parsed.notes.append(note)
            return None
        return "fylke", kode
    kommune = row["Kommunekode"]
    if re.fullmatch(r"21\d\d", kommune):
        return ("svalbard", kommune) if kind == "kommune" else ("skole", kommune)
    if kommune == "2599":
        return ("utland", kommune) if kind == "kommune" else ("skole", kommune)
    code_2024, note = geo.kommune_2024(kommune, year)
    if code_2024 is None:
        chk.add(where, "Kommunekode", kommune,
                "et kjent kommunenummer: en 2024-kode eller en eldre kode fra data/geo/kommunenummer_historikk.csv")
        return None
    if note and kind == "kommune":
        renumbered[kommune] = (code_2024, note)
    return ("kommune", code_2024) if kind == "kommune" else ("skole", code_2024)


def _school_value(chk: udir._Checker, parsed: udir.Parsed, where: str, m: _Measure, text: str, row: dict,
                  orgnr: str, navn: str, kommunenummer: str) -> None:
    value, state = udir._cell(text)
    if state == "ugyldig":
        chk.add(where, m.navn, text, udir.NUMBER_TEXT)
        return
    if value is not None and m.tabell != "annen" and (problem := udir._value_problem(m.maal, value)):
        chk.add(where, m.navn, text, problem)
        return
    parsed.schools.append({
        "fil": parsed.fil, "skolear": m.skolear, "ar": m.ar, "organisasjonsnummer": orgnr, "skole_navn": navn,
        "kommunenummer": kommunenummer, "kommunenummer_kilde": row["Kommunekode"], "tabell": m.tabell,
        "maal": m.maal, "maal_navn": _measure_label(m), "verdi": value, "undertrykt": state == "skjult",
        "mangler": state == "tom", "tekst": text,
    })


def _drop_empty_duplicates(rows: list[dict]) -> list[dict]:
    """In a download over several school years a municipality renumbered between them has one
    row per code, empty in the years its code was not in use: those empty cells are dropped
    where another row of the same 2024 municipality has the year's figure."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["maal"], r["skolear"], r["omrade_type"], r["omrade_kode"]), []).append(r)
    out = []
    for group in groups.values():
        if len(group) > 1 and any(not r["mangler"] for r in group):
            group = [r for r in group if not r["mangler"]]
        out += group
    return out

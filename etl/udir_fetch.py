"""`python -m etl fetch udir`: download Udir's reports from the statistics bank's public API.

The API behind statistikkportalen.udir.no needs no key. Its own description says it is not
meant for external use and may change without notice, so nothing here trusts a response: every
download goes through the same checks as `import udir` (etl/udir.py), and the request only
chooses what to ask for; what a response *is* (table, school year, subject, grade) is read from
the response itself. The data endpoint of each report is read from its Rapportside each time.

Fetched: Elever og skoler (GSI), fravær 10. trinn, nasjonale prøver 5., 8. and 9. trinn (every
subject), for the whole country (`radSti=-12.*.*`) and schools abroad (`-13.*.*`). Not fetched:
Elevundersøkelsen (one call per municipality and grade, about 700 calls a year; see
docs/offentlig-statistikk.md). All downloads are checked first and kept and built together;
if one fails, nothing is kept and the warehouse is untouched.

A long series (`--aar 2015-16..2025-26`) is asked for politely: one request at a time with a
pause between, each report's own list of school years read first so years Udir does not hold
are not asked for, and a progress line per request. Every answer is saved as it arrives in a
folder beside the kept imports; a run that stops (no network, an error from Udir) leaves them
there, and the same command again continues where it stopped. The folder goes when the
answers are imported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from etl import udir
from etl.errors import InputError

DEFAULT_API = "https://statistikkportalen.udir.no/api/rapportering/"
TIMEOUT = 30
PAUSE = 1.0  # seconds between two requests: the API is Udir's own, not a bulk service
RESUME_DIR = ".udir-henting"  # beside KL_IMPORT_DIR/udir: answers of a run not yet imported
USER_AGENT = "kompetanseloftet-dashboard (python -m etl fetch udir)"
ALLE = "_KjoennID(-10)_EierformID(-10)"
# Filter ids from the reports' own filterVerdier lists: ProevetypeID 1 NPREG, 2 NPLES, 3 NPENG;
# TrinnID 4 = 5th grade (GSK_NP_Geo_Trinn5), 7 = 8th and 8 = 9th grade (GSK_NP_Geografisk).
NP_FAG = (2, 1, 3)
NP_VIS = "_VisAntallRaderDeltatt(1)_VisMestringsnivaafordeling(0)_VisDeltakelsestatusfordeling(0)_VisMaaltall(0)"
NP_NAVN = {2: "lesing", 1: "regning", 3: "engelsk"}
NP_TRINN = {4: 5, 7: 8, 8: 9}


class FetchError(Exception):
    """The API could not be reached or answered something else than a report."""


@dataclass(frozen=True)
class Report:
    kode: str  # the Rapportside code
    navn: str
    year_key: str  # TidID or SkoleAarID
    year_code: Callable[[int], int]  # school year starting in Y -> the report's period code
    year_of: Callable[[int], int]  # period code -> the school year's first year
    filters: tuple[str, ...]  # one data call per filter (and per anchor)
    anchors: tuple[str, ...]
    labels: tuple[str, ...] = ("",)  # what each filter asks for, in the progress line


REPORTS = (
    Report("GSK_Elev_Skol", "Elever og skoler (GSI)", "TidID", lambda y: y * 100 + 10, lambda c: c // 100,
           ("_TrinnID(-10)_KjoennID(-10)_KommunalitetID(-10)",), ("-12",)),
    Report("GSK_fravaer", "Fravær 10. trinn", "TidID", lambda y: (y + 1) * 100 + 6, lambda c: c // 100 - 1,
           (ALLE + "_VisAntallPersoner(1)_VisMaaltall(0)",), ("-12", "-13")),
    Report("GSK_NP_Geo_Trinn5", "Nasjonale prøver 5. trinn", "SkoleAarID", lambda y: y * 10000 + y + 1,
           lambda c: c // 10000, tuple(f"_TrinnID(4)_ProevetypeID({p}){ALLE}{NP_VIS}" for p in NP_FAG),
           ("-12", "-13"), tuple(NP_NAVN[p] for p in NP_FAG)),
    Report("GSK_NP_Geografisk", "Nasjonale prøver 8. og 9. trinn", "SkoleAarID", lambda y: y * 10000 + y + 1,
           lambda c: c // 10000,
           tuple(f"_TrinnID({t})_ProevetypeID({p}){ALLE}{NP_VIS}" for t in (7, 8) for p in NP_FAG),
           ("-12", "-13"), tuple(f"{NP_NAVN[p]} {NP_TRINN[t]}. trinn" for t in (7, 8) for p in NP_FAG)),
)
ANCHOR_NAVN = {"-12": "hele landet", "-13": "skoler i utlandet"}


def api_base(override: str | None = None) -> str:
    base = override or os.environ.get("KL_UDIR_API") or DEFAULT_API
    return base if base.endswith("/") else base + "/"


def _get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        raise FetchError(f"Udirs statistikkbank svarte {exc.code} {exc.reason} på {url}.") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(
            f"Fikk ikke kontakt med Udirs statistikkbank ({url}): {reason}. Er maskinen på nett? "
            "Uten nett kan du importere lagrede svar med `python -m etl import udir FIL...`."
        ) from exc


def _json(url: str, data: bytes) -> dict:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FetchError(f"Svaret fra {url} er ikke JSON ({exc}).") from exc
    if not isinstance(doc, dict):
        raise FetchError(f"Svaret fra {url} er ikke et JSON-objekt.")
    return doc


def parse_school_year(text: str) -> int:
    """'2024-25' or '2024' -> 2024 (the school year that starts in the autumn of 2024)."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", text.strip())
    if not match or (match.group(2) and (int(match.group(1)) + 1) % 100 != int(match.group(2))):
        raise ValueError(f"fant «{text}», forventet et skoleår som 2024-25")
    return int(match.group(1))


def parse_school_years(text: str) -> list[int]:
    """'2024-25' -> [2024]; a range '2015-16..2025-26' -> every school year from the first to the last."""
    if ".." not in text:
        return [parse_school_year(text)]
    first, _, last = text.partition("..")
    try:
        start, end = parse_school_year(first), parse_school_year(last)
    except ValueError as exc:
        raise ValueError(f"fant «{text}», forventet skoleår som 2024-25 eller en rekke som 2015-16..2025-26") from exc
    if end < start:
        raise ValueError(f"fant «{text}», forventet det første skoleåret før det siste (2015-16..2025-26)")
    return list(range(start, end + 1))


@dataclass(frozen=True)
class Side:
    """What a report's Rapportside says: the data and filter-value endpoints, the default years."""

    data: str
    filterverdier: str | None
    defaults: list[int]


def _side(base: str, report: Report) -> Side:
    url = base + f"rest/v1/Rapportside/{report.kode}"
    side = _json(url, _get(url)).get("rappside") or {}
    elements = side.get("rapportElementer") or []
    endpoint = elements[0].get("dataEndepunkt") if elements and isinstance(elements[0], dict) else None
    if not isinstance(endpoint, str) or not endpoint.endswith("/data"):
        raise FetchError(f"Rapportsiden {url} oppgir ikke noe dataendepunkt (rapportElementer[0].dataEndepunkt).")
    values = side.get("filterVerdiEndepunkt")
    defaults = (side.get("filterDefaultVerdier") or {}).get(report.year_key) or []
    return Side(endpoint, values if isinstance(values, str) else None, [c for c in defaults if isinstance(c, int)])


def _available(base: str, report: Report, side: Side, log: Callable[[str], None]) -> set[int] | None:
    """The school years the report holds at Udir, from its filter values (None: not known)."""
    if side.filterverdier is None:
        return None
    url = base + side.filterverdier
    try:
        entries = _json(url, _get(url)).get(report.year_key)
    except FetchError as exc:
        if "svarte 4" not in str(exc):  # no network or a server error: stop as for any request
            raise
        entries = None
    codes = {e["id"] for e in entries or [] if isinstance(e, dict) and isinstance(e.get("id"), int)}
    if not codes:
        log(f"{report.navn}: fant ikke listen over skoleår hos Udir; spør om hvert år (et år uten tall gir et tomt svar).")
        return None
    return {report.year_of(c) for c in codes}


@dataclass(frozen=True)
class Request:
    url: str
    name: str  # the file name the answer is kept under
    label: str  # what the progress line says


def plan(years: list[int] | None, base: str, log: Callable[[str], None]) -> list[Request]:
    """Every request of a run, in order: each report, school year, filter and row anchor."""
    requests = []
    for report in REPORTS:
        side = _side(base, report)
        wanted = years if years else [report.year_of(c) for c in side.defaults]
        if years:
            held = _available(base, report, side, log)
            if held is not None:
                missing = [y for y in wanted if y not in held]
                wanted = [y for y in wanted if y in held]
                if missing:
                    log(f"{report.navn}: Udir har ikke {', '.join(_school_year(y) for y in missing)} "
                        f"(rapporten har {_school_year(min(held))}–{_school_year(max(held))}); de hoppes over.")
        for year in wanted:
            code = report.year_code(year)
            labels = report.labels if len(report.labels) == len(report.filters) else ("",) * len(report.filters)
            for n, (extra, label) in enumerate(zip(report.filters, labels), start=1):
                for anchor in report.anchors:
                    query = urllib.parse.urlencode({
                        "filter": f"{report.year_key}({code}){extra}",
                        "radSti": f"{anchor}.*.*",
                        "inkluderKoder": "true",
                    })
                    url = f"{base}{side.data}?{query}"
                    digest = hashlib.sha256(url.encode()).hexdigest()[:8]
                    what = ", ".join(x for x in (report.navn, _school_year(year), label, ANCHOR_NAVN[anchor]) if x)
                    requests.append(Request(url, f"{report.kode}_{code}_{n}_{anchor.lstrip('-')}-{digest}.json", what))
    return requests


def resume_dir() -> Path:
    return udir.import_dir().parent / RESUME_DIR


def download(years: list[int] | None, base: str | None = None, log: Callable[[str], None] = print,
             pause: float = PAUSE) -> list[tuple[str, bytes, dict]]:
    """Every report's responses for the school years (default: each report's own default years),
    one request at a time; answers saved earlier by a run that stopped are not asked for again."""
    base = api_base(base)
    folder = resume_dir()
    requests = plan(years, base, log)
    done = {p.name for p in folder.glob("*.json") if not p.name.endswith(udir.SIDECAR)} if folder.is_dir() else set()
    earlier = sum(r.name in done for r in requests)
    if earlier:
        log(f"Fortsetter en henting som stoppet: {earlier} av {len(requests)} svar er hentet fra før ({folder}).")
    asked = 0
    for i, req in enumerate(requests, start=1):
        if req.name in done:
            continue
        if asked and pause > 0:
            time.sleep(pause)
        log(f"[{i}/{len(requests)}] {req.label} …")
        try:
            data = _get(req.url)
            _json(req.url, data)
        except FetchError as exc:
            saved = earlier + asked
            hint = (f" {saved} av {len(requests)} svar er lagret i {folder}; kjør samme kommando igjen for å "
                    "fortsette der den stoppet.") if saved else ""
            raise FetchError(f"{exc}{hint}") from exc
        asked += 1
        _save(folder, req.name, data, {"hentet": dt.date.today().isoformat(), "endepunkt": req.url})
    files = []
    for req in requests:
        path = folder / req.name
        meta = json.loads(path.with_name(path.name + udir.SIDECAR).read_text(encoding="utf-8"))
        files.append((req.name, path.read_bytes(), {"opprinnelse": "hentet", **meta}))
    return files


def _save(folder: Path, name: str, data: bytes, meta: dict) -> None:
    """An answer and its provenance, each written under a temporary name and then renamed."""
    folder.mkdir(parents=True, exist_ok=True)
    for path, content in ((folder / (name + udir.SIDECAR), json.dumps(meta).encode()), (folder / name, data)):
        temp = path.with_name(f".{path.name}.{os.getpid()}.part")
        temp.write_bytes(content)
        os.replace(temp, path)


def _school_year(y: int) -> str:
    return f"{y}-{(y + 1) % 100:02d}"


def fetch(years: list[int] | None, rebuild: Callable[[], object], base: str | None = None,
          log: Callable[[str], None] = print, pause: float = PAUSE) -> list[str]:
    """Download, then check, keep and build as one import (nothing is kept if anything fails).
    Answers that fail the checks are thrown away with the folder: asking again gives the same."""
    files = download(years, base, log, pause)
    try:
        lines = udir.import_files(files, rebuild)
    except InputError:
        shutil.rmtree(resume_dir(), ignore_errors=True)
        raise
    shutil.rmtree(resume_dir(), ignore_errors=True)
    return lines

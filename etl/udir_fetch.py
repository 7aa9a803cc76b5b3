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
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from etl import udir

DEFAULT_API = "https://statistikkportalen.udir.no/api/rapportering/"
TIMEOUT = 30
USER_AGENT = "kompetanseloftet-dashboard (python -m etl fetch udir)"
ALLE = "_KjoennID(-10)_EierformID(-10)"
# Filter ids from the reports' own filterVerdier lists: ProevetypeID 1 NPREG, 2 NPLES, 3 NPENG;
# TrinnID 4 = 5th grade (GSK_NP_Geo_Trinn5), 7 = 8th and 8 = 9th grade (GSK_NP_Geografisk).
NP_FAG = (2, 1, 3)
NP_VIS = "_VisAntallRaderDeltatt(1)_VisMestringsnivaafordeling(0)_VisDeltakelsestatusfordeling(0)_VisMaaltall(0)"


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


REPORTS = (
    Report("GSK_Elev_Skol", "Elever og skoler (GSI)", "TidID", lambda y: y * 100 + 10, lambda c: c // 100,
           ("_TrinnID(-10)_KjoennID(-10)_KommunalitetID(-10)",), ("-12",)),
    Report("GSK_fravaer", "Fravær 10. trinn", "TidID", lambda y: (y + 1) * 100 + 6, lambda c: c // 100 - 1,
           (ALLE + "_VisAntallPersoner(1)_VisMaaltall(0)",), ("-12", "-13")),
    Report("GSK_NP_Geo_Trinn5", "Nasjonale prøver 5. trinn", "SkoleAarID", lambda y: y * 10000 + y + 1,
           lambda c: c // 10000, tuple(f"_TrinnID(4)_ProevetypeID({p}){ALLE}{NP_VIS}" for p in NP_FAG),
           ("-12", "-13")),
    Report("GSK_NP_Geografisk", "Nasjonale prøver 8. og 9. trinn", "SkoleAarID", lambda y: y * 10000 + y + 1,
           lambda c: c // 10000,
           tuple(f"_TrinnID({t})_ProevetypeID({p}){ALLE}{NP_VIS}" for t in (7, 8) for p in NP_FAG),
           ("-12", "-13")),
)


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


def _data_endpoint(base: str, report: Report) -> tuple[str, list[int]]:
    """The report's data endpoint and its default periods, from its Rapportside."""
    url = base + f"rest/v1/Rapportside/{report.kode}"
    side = _json(url, _get(url)).get("rappside") or {}
    elements = side.get("rapportElementer") or []
    endpoint = elements[0].get("dataEndepunkt") if elements and isinstance(elements[0], dict) else None
    if not isinstance(endpoint, str) or not endpoint.endswith("/data"):
        raise FetchError(f"Rapportsiden {url} oppgir ikke noe dataendepunkt (rapportElementer[0].dataEndepunkt).")
    defaults = (side.get("filterDefaultVerdier") or {}).get(report.year_key) or []
    return endpoint, [c for c in defaults if isinstance(c, int)]


def download(years: list[int] | None, base: str | None = None, log: Callable[[str], None] = print) -> list[tuple[str, bytes, dict]]:
    """Every report's responses for the school years (default: each report's own default years)."""
    base = api_base(base)
    today = dt.date.today().isoformat()
    files = []
    for report in REPORTS:
        endpoint, defaults = _data_endpoint(base, report)
        codes = [report.year_code(y) for y in years] if years else defaults
        for code in codes:
            for n, extra in enumerate(report.filters, start=1):
                for anchor in report.anchors:
                    query = urllib.parse.urlencode({
                        "filter": f"{report.year_key}({code}){extra}",
                        "radSti": f"{anchor}.*.*",
                        "inkluderKoder": "true",
                    })
                    url = f"{base}{endpoint}?{query}"
                    data = _get(url)
                    _json(url, data)
                    name = f"{report.kode}_{code}_{n}_{anchor.lstrip('-')}.json"
                    files.append((name, data, {"opprinnelse": "hentet", "hentet": today, "endepunkt": url}))
            log(f"Hentet {report.navn}, skoleår {_school_year(report.year_of(code))}.")
    return files


def _school_year(y: int) -> str:
    return f"{y}-{(y + 1) % 100:02d}"


def fetch(years: list[int] | None, rebuild: Callable[[], object], base: str | None = None,
          log: Callable[[str], None] = print) -> list[str]:
    """Download, then check, keep and build as one import (nothing is kept if anything fails)."""
    files = download(years, base, log)
    return udir.import_files(files, rebuild)

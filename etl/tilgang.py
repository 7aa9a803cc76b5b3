"""Who sees what: the roles and scopes of data/tilgang.yaml, checked like partnerships.yaml.

A person (by the login provider's stable subject `sub` or by e-mail `epost`) or an organisation
(Feide's organisation number `org`) gets roles, in any combination:

- `eier: [kommunenummer, …]` — the units of the named municipalities (2024 numbers);
- `samarbeid: [id, …]` — the units of the named collaborations' municipalities;
- `sepu: true` — every unit;
- `admin: true` — imports and builds from the browser (not a scope by itself).

The scope (`Omfang`) only decides unit-level survey results: every other level is the same for
everyone (sql/marts/omfang.sql). A file with mistakes is refused whole, every problem with its
line, like every other file a user gives (etl/yamlfile.py, etl/limits.py); `python -m etl tilgang`
checks one. See docs/tilgang.md.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from etl import config, limits, yamlfile
from etl.errors import Collector, InputError, Problem
from etl.yamlfile import Node


@dataclass(frozen=True)
class Omfang:
    """The units a viewer may see: every unit, or those of named municipalities (2024 numbers)."""

    kommuner: frozenset[str] = frozenset()
    alle: bool = False

    def verdi(self) -> tuple[str, ...]:
        """The value of the DuckDB variable `omfang` (sql/marts/omfang.sql): ('*',) for all."""
        return ("*",) if self.alle else tuple(sorted(self.kommuner))

    @property
    def tom(self) -> bool:
        return not self.alle and not self.kommuner


INGEN = Omfang()
ALLE = Omfang(alle=True)

IDENTITETER = ("sub", "epost", "org")
ROLLER = ("eier", "samarbeid", "sepu", "admin")
NOKLER = ("navn", *IDENTITETER, "roller")
_KOMMUNENUMMER = re.compile(r"\d{4}")
_ORGNR = re.compile(r"\d{9}")
_EPOST = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class Roller:
    """What one person holds, all their entries together."""

    eier: frozenset[str] = frozenset()
    samarbeid: frozenset[str] = frozenset()
    sepu: bool = False
    admin: bool = False

    def __or__(self, other: Roller) -> Roller:
        return Roller(self.eier | other.eier, self.samarbeid | other.samarbeid,
                      self.sepu or other.sepu, self.admin or other.admin)

    @property
    def navn(self) -> list[str]:
        return [r for r in ROLLER if getattr(self, r)]


@dataclass(frozen=True)
class Oppforing:
    identitet: str  # sub, epost or org
    verdi: str
    roller: Roller


@dataclass(frozen=True)
class Tilgang:
    """The checked file: entries, and each collaboration's municipalities (for its scope)."""

    oppforinger: tuple[Oppforing, ...] = ()
    samarbeid_kommuner: dict[str, frozenset[str]] = field(default_factory=dict)

    def roller(self, sub: str | None, epost: str | None, org: Iterable[str] = ()) -> Roller:
        """The roles of a logged-in person: every entry that names their subject, their (verified)
        e-mail or one of their organisations."""
        mine = {("sub", sub), ("epost", (epost or "").casefold()), *(("org", o) for o in org)}
        total = Roller()
        for o in self.oppforinger:
            if (o.identitet, o.verdi) in mine:
                total = total | o.roller
        return total

    def omfang(self, roller: Roller) -> Omfang:
        if roller.sepu:
            return ALLE
        kommuner = set(roller.eier)
        for pid in roller.samarbeid:
            kommuner |= self.samarbeid_kommuner.get(pid, frozenset())
        return Omfang(frozenset(kommuner))


def path() -> Path:
    """data/tilgang.yaml, or KL_TILGANG."""
    return Path(os.environ.get("KL_TILGANG") or config.DATA_DIR / "tilgang.yaml")


def _kommunenumre() -> set[str]:
    with open(config.DATA_DIR / "geo" / "kommuner_2024.csv", encoding="utf-8", newline="") as f:
        return {row["kommunenummer"] for row in csv.DictReader(f)}


def _samarbeid_kommuner() -> dict[str, frozenset[str]]:
    """Each collaboration's municipalities, from data/partnerships.yaml (already a checked file)."""
    doc = yamlfile.load(config.DATA_DIR / "partnerships.yaml", keys=["partnerskap"])
    out: dict[str, frozenset[str]] = {}
    for record in doc.get("partnerskap") or []:
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            out[record["id"]] = frozenset(
                str(k.get("kommunenummer")) for k in record.get("kommuner") or []
                if isinstance(k, dict) and k.get("kommunenummer")
            )
    return out


def read(fil: Path) -> Tilgang:
    """Check and read a tilgang file; raise one InputError listing every problem with its line."""
    name = str(fil)
    doc = yamlfile.load(fil, keys=["tilgang"])
    entries = doc.get("tilgang") if isinstance(doc, dict) else None
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise InputError([Problem(name, 1, "tilgang", entries, "en liste med personer og organisasjoner")])
    kommuner, samarbeid = _kommunenumre(), _samarbeid_kommuner()
    errors = Collector()
    out: list[Oppforing] = []
    for entry in entries:
        if not isinstance(entry, Node):
            errors.add(name, None, "tilgang", entry, "en oppføring (sub, epost eller org, og roller)")
            continue
        oppforing = _entry(name, entry, kommuner, samarbeid, errors)
        if oppforing is not None:
            out.append(oppforing)
    errors.raise_if_any()
    return Tilgang(tuple(out), samarbeid)


def _entry(fil: str, e: Node, kommuner: set[str], samarbeid: dict, errors: Collector) -> Oppforing | None:
    def bad(key: str, found: object, expected: str) -> None:
        errors.add(fil, e.line_of(key), key, found, expected)

    for key in e:
        if key not in NOKLER:
            bad(key, key, "en av nøklene " + ", ".join(NOKLER))
    ids = [k for k in IDENTITETER if k in e]
    if len(ids) != 1:
        bad(ids[1] if len(ids) > 1 else "sub", ", ".join(ids) if ids else None,
            "nøyaktig én av sub (innloggingens faste id), epost eller org (organisasjonsnummer)")
        return None
    identitet, value = ids[0], e[ids[0]]
    if not isinstance(value, str) or not value.strip():
        bad(identitet, value, "tekst i anførselstegn")
        return None
    value = value.strip()
    if len(value) > limits.MAX_NAME_CHARS:
        bad(identitet, f"{len(value)} tegn", limits.at_most("MAX_NAME_CHARS", "tegn"))
    if identitet == "epost":
        if not _EPOST.fullmatch(value):
            bad("epost", value, "en e-postadresse (navn@kommune.no)")
        value = value.casefold()
    if identitet == "org" and not _ORGNR.fullmatch(value):
        bad("org", value, "et organisasjonsnummer med 9 sifre, i anførselstegn")
    if "navn" in e and not isinstance(e["navn"], str):
        bad("navn", e["navn"], "tekst")
    roller = e.get("roller")
    if not isinstance(roller, Node) or not roller:
        errors.add(fil, e.line_of("roller"), "roller", roller,
                   "roller: eier, samarbeid, sepu og/eller admin")
        return None

    def bad_role(key: str, found: object, expected: str) -> None:
        errors.add(fil, roller.line_of(key), f"roller.{key}", found, expected)

    for key in roller:
        if key not in ROLLER:
            bad_role(key, key, "en av rollene " + ", ".join(ROLLER))
    eier = _list(roller, "eier", bad_role)
    for k in eier:
        if not _KOMMUNENUMMER.fullmatch(k) or k not in kommuner:
            bad_role("eier", k, "et kommunenummer fra 2024 i anførselstegn (for eksempel \"3334\")")
    deler = _list(roller, "samarbeid", bad_role)
    for pid in deler:
        if pid not in samarbeid:
            bad_role("samarbeid", pid, "id-en til et samarbeid i data/partnerships.yaml")
    flagg = {}
    for key in ("sepu", "admin"):
        flagg[key] = roller.get(key, False)
        if not isinstance(flagg[key], bool):
            bad_role(key, flagg[key], "true eller false")
            flagg[key] = False
    return Oppforing(identitet, value, Roller(frozenset(eier), frozenset(deler), flagg["sepu"], flagg["admin"]))


def _list(roller: Node, key: str, bad) -> list[str]:
    value = roller.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        bad(key, value, "en liste med tekster i anførselstegn")
        return []
    return value


def load() -> Tilgang | None:
    """data/tilgang.yaml (or KL_TILGANG) when it exists; None when there is none."""
    fil = path()
    return read(fil) if fil.exists() else None

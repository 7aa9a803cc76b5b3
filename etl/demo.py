"""Deterministic synthetic demo data: units, survey answers and competence mapping.

`generate(out_dir)` writes three normalised frames as described in docs/survey-data.md:

- ``units.parquet``: synthetic kindergartens, schools, SFOs and PPT offices,
- ``answers.parquet``: one row per respondent and item of the demo survey instrument
  (data/instruments/sepu_undersokelse.yaml),
- ``mapping.parquet``: one row per respondent and competence area of the mapping instrument
  (data/instruments/kartlegging.yaml).

Every row has ``syntetisk = true``. ``results.parquet`` (aggregated imports) is not generated.

What is taken from the sources, and what is invented
----------------------------------------------------
- Units are placed only in municipalities of partnerships in data/partnerships.yaml that have
  both named municipalities and a stated period (``periode.start``). Partnerships without a
  period (the start-up municipalities of document 004) get no data.
- Where a partnership with exactly one municipality states a count (``fakta.barnehager``,
  ``fakta.skoler``, ``fakta.ppt_kontor``), that municipality gets exactly that many units of the
  type: Eidsvoll gets its 19 kindergartens.
- Gjøvikregionen states 6 municipalities, 73 kindergartens, 44 schools and 6 PPT offices but
  names no municipalities. Placing those units anywhere would invent membership, so
  Gjøvikregionen gets no demo data at all.
- Everything else is invented and plausible only: unit counts follow a rough size class per
  municipality (a handful of large and medium municipalities, the rest small), each
  municipality has one PPT office, some schools have an SFO. Unit names are obviously synthetic
  ("Demo-skole 2 (Bodø)"), ids look like ``demo-1804-skl-02``, organisation numbers are empty.
- Survey rounds follow each municipality's partnerships: every second year from the first
  start year up to min(end, 2025), at least two rounds. Municipalities in Kongsvingerregionen
  and Frogn use the term form ("2022-høst") so both forms of ``runde`` occur.
- Mapping rounds: the first start year and, where it fits inside the period, two years later.

Answers come from a simple latent model: municipality + unit + unit×indicator effects, a
per-unit trend between rounds (some units improve, some decline), a respondent effect, a
respondent×indicator effect, item difficulty and noise, cut into each group's answer scale.
Reverse-coded items are answered reversed (``min + max - value``), about 3 % of answers are
missing, and most pupils report little bullying. Grade and gender shift pupils' answers a
little. Small municipalities have small units, so several groups have fewer than 10
respondents and exercise suppression.

Determinism and memory
----------------------
All randomness comes from ``numpy.random.Generator(PCG64(SeedSequence([seed, ...])))`` keyed by
stable integers (municipality number, round number), and everything is iterated in sorted
order, so the same seed and scale give identical files. Answers are generated per municipality
and round and streamed to Parquet with ``pyarrow.parquet.ParquetWriter`` in row groups of about
a million rows, so memory stays flat at any ``scale``. String columns are written
dictionary-encoded but without an Arrow schema, so readers get plain strings (Utf8) and
``svar`` Int16, ``trinn`` Int8, ``kompetanse``/``behov`` Int8, ``syntetisk`` Boolean.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from etl import config, instruments

DEFAULT_OUT = config.DATA_DIR / "demo"  # the build reads config.demo_dir() (KL_DEMO_DIR)
PARTNERSHIPS_YAML = config.DATA_DIR / "partnerships.yaml"
LAST_YEAR = 2025
FLUSH_ROWS = 1_000_000
MISSING = 0.03

# Collaborations whose rounds are written with a term ("2022-høst").
TERM_STYLE = {
    "kongsvingerregionen-regional-kompetanseutvikling": "høst",
    "frogn-kompetanseloftet": "høst",
}
# Rough size class (demo only): large and medium municipalities; every other one is small.
LARGE = {"1804", "3240", "3303", "3314", "3403", "3411", "3413", "3420", "5503", "5601"}
MEDIUM = {
    "1820",
    "3214",
    "3401",
    "3412",
    "3414",
    "3415",
    "3416",
    "3417",
    "3418",
    "3421",
    "3422",
    "3427",
    "4005",
    "4026",
    "5512",
    "5603",
    "5605",
    "5607",
    "5620",
}
# A municipality with a single, very small unit of each type (suppression is exercised).
TINY = {"1835"}  # Træna

SIZE = {  # kindergartens, schools (ranges), pupils per grade, PPT staff
    "stor": {"bhg": (14, 28), "skl": (8, 15), "per_trinn": (12.0, 36.0), "ppt": (10, 22)},
    "mellom": {"bhg": (4, 10), "skl": (3, 6), "per_trinn": (6.0, 22.0), "ppt": (5, 11)},
    "liten": {"bhg": (1, 3), "skl": (1, 2), "per_trinn": (2.0, 10.0), "ppt": (2, 6)},
}
PREFIX = {"barnehage": "bhg", "skole": "skl", "sfo": "sfo", "ppt": "ppt"}
LABEL = {"barnehage": "Demo-barnehage", "skole": "Demo-skole", "sfo": "Demo-SFO", "ppt": "Demo-PPT"}

# Ordered cut points on the latent scale, by number of answer categories.
THRESHOLDS = {
    3: np.array([-0.9, 0.3]),
    4: np.array([-1.5, -0.4, 0.6]),
    5: np.array([-2.0, -1.0, -0.2, 0.8]),
}
INDICATOR_BASE = {
    "trivsel": 0.9,
    "relasjon_voksne": 0.8,
    "relasjon_jevnaldrende": 0.9,
    "mestring": 0.6,
    "inkludering": 0.6,
    "mobbing": -2.2,
    "samarbeid_hjem": 0.6,
    "profesjonsfellesskap": 0.4,
    "samarbeid_ppt": 0.1,
}
GROUP_BASE = {  # (group, indicator) overrides of INDICATOR_BASE
    ("ansatt_skole", "mobbing"): -0.6,
    ("foresatte_skole", "mobbing"): -1.9,
    ("ansatt_ppt", "samarbeid_ppt"): 0.6,
}
GROUP_SHIFT = {"elev_1_4": 0.2, "foresatte_barnehage": 0.2, "foresatte_skole": 0.1}

# Mapping: latent competence per area, role and unit type; need falls as competence rises.
AREA_COMPETENCE = {
    "psykisk_helse_atferd": -0.2,
    "autisme": -0.7,
    "spesifikke_laerevansker": -0.3,
    "utviklingshemming": -0.8,
    "regulering_sosioemosjonelle_vansker": -0.3,
    "sprakutvikling_flersprak": 0.2,
    "lesing_skriving": 0.4,
    "klasseledelse": 0.6,
    "relasjoner": 1.0,
    "inkluderende_laeringsmiljo": 0.6,
    "spesialpedagogisk_hjelp": -0.3,
    "tidlig_innsats": 0.3,
    "samarbeid_laget_rundt_barnet": 0.0,
    "samarbeid_ppt": 0.2,
}
SPECIALIST = {
    "psykisk_helse_atferd",
    "autisme",
    "spesifikke_laerevansker",
    "utviklingshemming",
    "regulering_sosioemosjonelle_vansker",
    "spesialpedagogisk_hjelp",
    "sprakutvikling_flersprak",
}
ROLE_COMPETENCE = {
    "leder": {"*": 0.15, "samarbeid_ppt": 0.45, "samarbeid_laget_rundt_barnet": 0.4},
    "pedagog": {"*": 0.0, "klasseledelse": 0.3, "lesing_skriving": 0.3},
    "assistent": {"*": -0.4, "relasjoner": 0.0},
    "ppt": {"*": 0.1, **{a: 0.9 for a in SPECIALIST}, "klasseledelse": -0.4, "samarbeid_ppt": 0.8},
    "annen": {"*": -0.1},
}
UNIT_TYPE_COMPETENCE = {
    "barnehage": {"lesing_skriving": -0.4, "klasseledelse": -0.3, "sprakutvikling_flersprak": 0.3},
    "sfo": {"lesing_skriving": -0.5, "klasseledelse": -0.2},
}
MAPPING_CUTS = np.array([-1.6, -0.6, 0.4, 1.4])


def _rng(seed: int, *keys: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *keys])))


@dataclass
class Unit:
    idx: int
    enhet_id: str
    navn: str
    enhetstype: str
    kommunenummer: str
    eierform: str
    trinn: tuple[int, int] | None = None  # schools: grades taught
    per_trinn: float = 0.0  # schools: pupils per grade
    barn: float = 0.0  # kindergartens and SFO: children
    ansatte: float = 0.0  # staff
    foresatte_andel: float = 0.0  # share of parents who answer
    effect: float = 0.0
    indicator_effect: np.ndarray | None = None
    trend: float = 0.0
    competence: float = 0.0


@dataclass
class Municipality:
    kommunenummer: str
    navn: str
    size: str
    years: list[int]
    mapping_years: list[int]
    term: str | None
    stated: dict[str, int] = field(default_factory=dict)  # unit counts stated in the source
    per_trinn: float | None = None  # national demo: pupils per grade and school, from Udir's GSI
    effect: float = 0.0
    units: list[Unit] = field(default_factory=list)

    def runde(self, year: int) -> str:
        return f"{year}-{self.term}" if self.term else str(year)


# --- Partnerships -> municipalities ------------------------------------------------------


def _municipalities(path: Path) -> list[Municipality]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    periods: dict[str, list[tuple[int, int]]] = {}
    names: dict[str, str] = {}
    terms: dict[str, str] = {}
    stated: dict[str, dict[str, int]] = {}
    for record in doc["partnerskap"]:
        periode = record.get("periode") or {}
        start, slutt = periode.get("start"), periode.get("slutt")
        kommuner = record.get("kommuner") or []
        if start is None or not kommuner:
            continue  # no period, or no named municipality (Gjøvikregionen): no demo data
        fakta = record.get("fakta") or {}
        for kommune in kommuner:
            code = str(kommune["kommunenummer"])
            periods.setdefault(code, []).append((int(start), int(slutt or LAST_YEAR)))
            names.setdefault(code, str(kommune.get("navn") or code))
            if record["id"] in TERM_STYLE:
                terms[code] = TERM_STYLE[record["id"]]
            if len(kommuner) == 1:
                for key, kind in (("barnehager", "bhg"), ("skoler", "skl"), ("ppt_kontor", "ppt")):
                    if isinstance(fakta.get(key), int):
                        stated.setdefault(code, {})[kind] = fakta[key]
    result = []
    for code in sorted(periods):
        first = min(s for s, _ in periods[code])
        last = min(max(e for _, e in periods[code]), LAST_YEAR)
        years = list(range(first, last + 1, 2))
        while len(years) < 2:
            years.append(years[-1] + 2)
        mapping_years = [first] + ([first + 2] if first + 2 <= last else [])
        size = "stor" if code in LARGE else "mellom" if code in MEDIUM else "liten"
        result.append(
            Municipality(
                code, names[code], size, years, mapping_years, terms.get(code), stated.get(code, {})
            )
        )
    return result


GSI_JSON = config.DATA_DIR / "offentlig" / "udir" / "udir-gsi" / "data_202510.json"
KOMMUNER_CSV = config.DATA_DIR / "geo" / "kommuner_2024.csv"
NATIONAL_YEARS = range(2016, 2026)  # ten rounds
KINDERGARTENS_PER_SCHOOL = 2.0  # invented: Norway has roughly twice as many kindergartens as schools


def _national_municipalities(seed: int) -> list[Municipality]:
    """Every 2024 municipality, for load testing at national scale: schools and pupils per
    municipality are Udir's real counts for 2025-26 (GSI, data/offentlig/udir); kindergartens,
    staff and everything answered are invented. Each municipality answers every second year
    (by the parity of its number), so each of the ten rounds has about half the country."""
    import json

    gsi = json.loads(GSI_JSON.read_text(encoding="utf-8"))
    counts = {}
    for row in gsi["rows"]:
        if len(row["kode"]) == 4:
            pupils, _, _, schools = (int(v.replace(" ", "") or 0) if v not in ("*", "") else 0 for v in row["data"])
            counts[row["kode"]] = (pupils, schools)
    munis = []
    for row in pl.read_csv(KOMMUNER_CSV, schema_overrides={"kommunenummer": pl.Utf8}).iter_rows(named=True):
        code = row["kommunenummer"]
        pupils, schools = counts.get(code, (0, 0))
        rng = _rng(seed, 5, int(code))
        start = NATIONAL_YEARS.start + int(code) % 2
        years = list(range(start, NATIONAL_YEARS.stop, 2))
        size = "stor" if pupils > 5000 else "mellom" if pupils > 1000 else "liten"
        stated = {
            "skl": schools,
            "bhg": max(1, round(schools * KINDERGARTENS_PER_SCHOOL * rng.uniform(0.7, 1.3))),
            "ppt": 1,
        }
        munis.append(Municipality(
            code, row["kommunenavn_kort"], size, years, [years[0]], None, stated,
            per_trinn=pupils / 10 / schools if schools else None,
        ))
    return munis


def _build_units(munis: list[Municipality], n_indicators: int, seed: int) -> list[Unit]:
    units: list[Unit] = []

    def add(m: Municipality, kind: str, nr: int, width: int, **kw) -> Unit:
        unit = Unit(
            idx=len(units),
            enhet_id=f"demo-{m.kommunenummer}-{PREFIX[kind]}-{nr:0{width}d}",
            navn=f"{LABEL[kind]} {nr} ({m.navn})" if kind != "ppt" else f"{LABEL[kind]} ({m.navn})",
            enhetstype=kind,
            kommunenummer=m.kommunenummer,
            **kw,
        )
        units.append(unit)
        m.units.append(unit)
        return unit

    for m in munis:
        rng = _rng(seed, 1, int(m.kommunenummer))
        spec = SIZE[m.size]
        stated = m.stated
        tiny = m.kommunenummer in TINY
        n_bhg = stated.get("bhg") or (
            1 if tiny else int(rng.integers(spec["bhg"][0], spec["bhg"][1] + 1))
        )
        n_skl = stated["skl"] if "skl" in stated else (
            1 if tiny else int(rng.integers(spec["skl"][0], spec["skl"][1] + 1))
        )
        n_ppt = stated.get("ppt") or 1
        m.effect = float(rng.normal(0.0, 0.12))

        def effects(unit: Unit, rng: np.random.Generator = rng) -> None:
            unit.effect = float(rng.normal(0.0, 0.3))
            unit.indicator_effect = rng.normal(0.0, 0.15, n_indicators)
            unit.trend = float(rng.normal(0.04, 0.12))
            unit.competence = float(rng.normal(0.0, 0.25))

        width = max(2, len(str(max(n_bhg, n_skl))))
        for nr in range(1, n_bhg + 1):
            barn = (
                8.0
                if tiny
                else float(rng.uniform(15, 110) if m.size != "liten" else rng.uniform(8, 45))
            )
            unit = add(
                m,
                "barnehage",
                nr,
                width,
                eierform="privat" if rng.random() < 0.45 else "kommunal",
                barn=barn,
                ansatte=float(np.clip(2 + barn / 6.0, 3, 35)),
                foresatte_andel=float(rng.uniform(0.25, 0.5)),
            )
            effects(unit)
        # School types: the only school of a municipality teaches grades 1-10.
        kinds = []
        for nr in range(1, n_skl + 1):
            if n_skl == 1:
                kinds.append((1, 10))
            else:
                draw = rng.random()
                kinds.append((1, 7) if draw < 0.55 else (8, 10) if draw < 0.75 else (1, 10))
        if n_skl > 1 and not any(t[1] == 10 for t in kinds):
            kinds[-1] = (8, 10)
        if n_skl > 1 and not any(t[0] == 1 for t in kinds):
            kinds[0] = (1, 7)
        for nr, trinn in enumerate(kinds, start=1):
            lo, hi = spec["per_trinn"]
            if m.per_trinn is not None:
                per_trinn = m.per_trinn * float(rng.lognormal(0.0, 0.35))
            else:
                per_trinn = 2.0 if tiny else float(rng.uniform(lo, hi))
            if trinn == (8, 10):
                per_trinn *= 1.6  # lower secondary schools gather several primary schools
            grades = trinn[1] - trinn[0] + 1
            privat = rng.random() < 0.04
            school = add(
                m,
                "skole",
                nr,
                width,
                eierform="privat" if privat else "kommunal",
                trinn=trinn,
                per_trinn=per_trinn,
                ansatte=float(np.clip(4 + per_trinn * grades / 9.0, 5, 60)),
                foresatte_andel=float(rng.uniform(0.12, 0.3)),
            )
            effects(school)
            if trinn[0] == 1 and (tiny or rng.random() < 0.75):
                barn = per_trinn * 4 * 0.6
                sfo = add(
                    m,
                    "sfo",
                    nr,
                    width,
                    eierform=school.eierform,
                    barn=barn,
                    ansatte=float(np.clip(2 + barn / 10.0, 2, 20)),
                )
                effects(sfo)
        for nr in range(1, n_ppt + 1):
            lo, hi = spec["ppt"]
            staff = 3.0 if tiny else float(rng.integers(lo, hi + 1))
            unit = add(m, "ppt", nr, 2, eierform="kommunal", ansatte=staff)
            effects(unit)
    return units


def _units_frame(units: list[Unit]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "enhet_id": [u.enhet_id for u in units],
            "enhet_navn": [u.navn for u in units],
            "enhetstype": [u.enhetstype for u in units],
            "kommunenummer": [u.kommunenummer for u in units],
            "kommunenummer_kilde": [u.kommunenummer for u in units],
            "eierform": [u.eierform for u in units],
            "organisasjonsnummer": [None] * len(units),
            "syntetisk": [True] * len(units),
        },
        schema={
            "enhet_id": pl.Utf8,
            "enhet_navn": pl.Utf8,
            "enhetstype": pl.Utf8,
            "kommunenummer": pl.Utf8,
            "kommunenummer_kilde": pl.Utf8,
            "eierform": pl.Utf8,
            "organisasjonsnummer": pl.Utf8,
            "syntetisk": pl.Boolean,
        },
    )


# --- Streaming Parquet --------------------------------------------------------------------


def _dictionary(codes: np.ndarray, values: list[str], index: pa.DataType, valid=None) -> pa.Array:
    mask = None if valid is None else ~valid
    indices = pa.array(codes.astype(index.to_pandas_dtype()), type=index, mask=mask)
    return pa.DictionaryArray.from_arrays(indices, pa.array(values, type=pa.string()))


def _tmp(path: Path) -> Path:
    """A temporary name beside `path`, unique per process (concurrent runs never collide)."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


class _Writer:
    """Writes Arrow tables to `<path>.tmp` and moves the file into place on `commit`."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path = path
        self.tmp = _tmp(path)
        self.schema = schema
        self.rows = 0
        # No stored Arrow schema: dictionary columns read back as plain strings.
        self.writer = pq.ParquetWriter(self.tmp, schema, compression="zstd", store_schema=False)

    def write(self, table: pa.Table) -> None:
        self.writer.write_table(table, row_group_size=FLUSH_ROWS * 2)
        self.rows += table.num_rows

    def close(self) -> None:
        self.writer.close()

    def commit(self) -> None:
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        try:
            self.writer.close()
        finally:
            self.tmp.unlink(missing_ok=True)


ANSWER_SCHEMA = pa.schema(
    [
        ("runde", pa.dictionary(pa.int16(), pa.string())),
        ("enhet_id", pa.dictionary(pa.int32(), pa.string())),
        ("respondentgruppe", pa.dictionary(pa.int8(), pa.string())),
        ("respondent_id", pa.dictionary(pa.int32(), pa.string())),
        ("sporsmal_id", pa.dictionary(pa.int16(), pa.string())),
        ("svar", pa.int16()),
        ("trinn", pa.int8()),
        ("kjonn", pa.dictionary(pa.int8(), pa.string())),
        ("syntetisk", pa.bool_()),
    ]
)
MAPPING_SCHEMA = pa.schema(
    [
        ("runde", pa.dictionary(pa.int16(), pa.string())),
        ("kommunenummer", pa.dictionary(pa.int16(), pa.string())),
        ("enhet_id", pa.dictionary(pa.int32(), pa.string())),
        ("rolle", pa.dictionary(pa.int8(), pa.string())),
        ("respondent_id", pa.dictionary(pa.int32(), pa.string())),
        ("omrade", pa.dictionary(pa.int8(), pa.string())),
        ("kompetanse", pa.int8()),
        ("behov", pa.int8()),
        ("syntetisk", pa.bool_()),
    ]
)
KJONN = ["gutt", "jente"]


class _Buffer:
    """Pieces of integer-coded columns; `flush` turns them into one Arrow table."""

    def __init__(self) -> None:
        self.pieces: dict[str, list[np.ndarray]] = {}
        self.respondents: list[str] = []
        self.rows = 0

    def add(self, n_rows: int, **columns: np.ndarray) -> None:
        for name, values in columns.items():
            self.pieces.setdefault(name, []).append(values)
        self.rows += n_rows

    def column(self, name: str) -> np.ndarray:
        return np.concatenate(self.pieces[name])

    def reset(self) -> None:
        self.pieces, self.respondents, self.rows = {}, [], 0


# --- Survey answers -----------------------------------------------------------------------


@dataclass
class _Group:
    idx: int
    gid: str
    code: str
    enhetstyper: set[str]
    lo: int
    hi: int
    trinn: tuple[int, int] | None
    items: np.ndarray  # global item indices
    item_indicator: np.ndarray  # indicator index per item
    item_reverse: np.ndarray
    indicators: np.ndarray  # distinct indicator indices of the group
    item_col: np.ndarray  # item -> column in `indicators`
    base: np.ndarray  # per item: base latent + difficulty
    thresholds: np.ndarray


def _groups(
    frames: dict[str, pl.DataFrame], seed: int
) -> tuple[list[_Group], list[str], list[str], np.ndarray]:
    groups_df, indicators_df, items_df = (
        frames["respondentgruppe"],
        frames["indikator"],
        frames["sporsmal"],
    )
    indicator_ids = indicators_df["indikator"].to_list()
    sign = np.where(np.array(indicators_df["hoyere_er_bedre"].to_list()), 1.0, -1.0)
    item_ids = items_df["sporsmal_id"].to_list()
    difficulty = _rng(seed, 4).normal(0.0, 0.2, len(item_ids))
    groups = []
    for gi, row in enumerate(groups_df.iter_rows(named=True)):
        gid = row["respondentgruppe"]
        sel = items_df.with_row_index("i").filter(pl.col("respondentgruppe") == gid)
        if sel.height == 0:
            continue
        items = sel["i"].to_numpy().astype(np.int64)
        ind = np.array([indicator_ids.index(x) for x in sel["indikator"].to_list()])
        distinct = np.array(sorted(set(ind.tolist())))
        k = row["skala_max"] - row["skala_min"] + 1
        base = (
            np.array(
                [
                    GROUP_BASE.get(
                        (gid, indicator_ids[i]), INDICATOR_BASE.get(indicator_ids[i], 0.5)
                    )
                    + (GROUP_SHIFT.get(gid, 0.0) * (1 if sign[i] > 0 else -1))
                    for i in ind
                ]
            )
            + difficulty[items]
        )
        groups.append(
            _Group(
                idx=gi,
                gid=gid,
                code=str(item_ids[items[0]]).split("_")[0],
                enhetstyper=set(row["enhetstyper"]),
                lo=row["skala_min"],
                hi=row["skala_max"],
                trinn=(row["trinn_fra"], row["trinn_til"])
                if row["trinn_fra"] is not None
                else None,
                items=items,
                item_indicator=ind,
                item_reverse=np.array(sel["omvendt"].to_list(), dtype=bool),
                indicators=distinct,
                item_col=np.searchsorted(distinct, ind),
                base=base,
                thresholds=THRESHOLDS.get(k, np.linspace(-2.0, 1.0, k - 1)),
            )
        )
    return groups, groups_df["respondentgruppe"].to_list(), item_ids, sign


def _respondents(unit: Unit, group: _Group, scale: float, rng: np.random.Generator):
    """(number of respondents, grade per respondent or None) for one unit, round and group."""
    if group.trinn is not None:
        if unit.trinn is None:
            return 0, None
        lo, hi = max(group.trinn[0], unit.trinn[0]), min(group.trinn[1], unit.trinn[1])
        if lo > hi:
            return 0, None
        grades = np.arange(lo, hi + 1)
        sizes = np.maximum(
            0, np.rint(unit.per_trinn * scale * rng.lognormal(0.0, 0.08, grades.size))
        )
        counts = rng.binomial(sizes.astype(np.int64), 0.9)
        return int(counts.sum()), np.repeat(grades, counts).astype(np.int8)
    if group.gid.startswith("foresatte"):
        children = (
            unit.barn
            if unit.enhetstype == "barnehage"
            else unit.per_trinn * (unit.trinn[1] - unit.trinn[0] + 1 if unit.trinn else 0)
        )
        n = rng.binomial(round(children * scale), unit.foresatte_andel)
    else:
        n = rng.binomial(round(unit.ansatte * scale), 0.85)
    return int(n), None


def _answer_piece(
    unit: Unit, m: Municipality, step: int, group: _Group, n: int, grades, sign: np.ndarray, rng
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    n_items = group.items.size
    unit_level = m.effect + unit.effect + unit.indicator_effect + unit.trend * step  # per indicator
    person = rng.normal(0.0, 0.55, n)
    person_indicator = rng.normal(0.0, 0.35, (n, group.indicators.size))
    noise = rng.normal(0.0, 0.6, (n, n_items))
    item_sign = sign[group.item_indicator]
    latent = item_sign * (
        unit_level[group.item_indicator] + person[:, None] + person_indicator[:, group.item_col]
    )
    latent += group.base + noise
    gender = None
    if grades is not None:
        gender = (rng.random(n) < 0.5).astype(np.int8)  # 0 gutt, 1 jente
        older = (grades.astype(np.float64) - 5.0)[:, None]
        latent += np.where(item_sign > 0, -0.06, -0.04) * older  # wellbeing falls a little with age
        boy = (gender == 0)[:, None]
        latent += boy * np.where(item_sign > 0, -0.05, 0.1)  # boys: a little less included
    value = np.searchsorted(group.thresholds, latent).astype(np.int16) + group.lo
    answer = np.where(group.item_reverse, group.lo + group.hi - value, value).astype(np.int16)
    valid = rng.random((n, n_items)) >= MISSING
    return answer.ravel(), valid.ravel(), grades, gender


def _write_answers(
    path: Path, munis: list[Municipality], units: list[Unit], frames, scale: float, seed: int
) -> _Writer:
    groups, group_ids, item_ids, sign = _groups(frames, seed)
    unit_ids = [u.enhet_id for u in units]
    rounds = sorted({m.runde(y) for m in munis for y in m.years})
    round_index = {r: i for i, r in enumerate(rounds)}
    writer = _Writer(path, ANSWER_SCHEMA)
    buf = _Buffer()

    def flush() -> None:
        if not buf.rows:
            return
        valid = buf.column("valid")
        trinn = buf.column("trinn")
        kjonn = buf.column("kjonn")
        table = pa.Table.from_arrays(
            [
                _dictionary(buf.column("runde"), rounds, pa.int16()),
                _dictionary(buf.column("enhet"), unit_ids, pa.int32()),
                _dictionary(buf.column("gruppe"), group_ids, pa.int8()),
                _dictionary(buf.column("respondent"), buf.respondents, pa.int32()),
                _dictionary(buf.column("item"), item_ids, pa.int16()),
                pa.array(buf.column("svar"), type=pa.int16(), mask=~valid),
                pa.array(trinn, type=pa.int8(), mask=trinn < 0),
                _dictionary(np.maximum(kjonn, 0), KJONN, pa.int8(), valid=kjonn >= 0),
                pa.array(np.ones(buf.rows, dtype=bool), type=pa.bool_()),
            ],
            schema=ANSWER_SCHEMA,
        )
        writer.write(table)
        buf.reset()

    try:
        for m in munis:
            for step, year in enumerate(m.years):
                runde = m.runde(year)
                rng = _rng(seed, 2, int(m.kommunenummer), step)
                for unit in m.units:
                    if step > 0 and rng.random() < 0.05:
                        continue  # the unit skipped this round
                    for group in groups:
                        if unit.enhetstype not in group.enhetstyper:
                            continue
                        n, grades = _respondents(unit, group, scale, rng)
                        if n == 0:
                            continue
                        answer, valid, grades, gender = _answer_piece(
                            unit, m, step, group, n, grades, sign, rng
                        )
                        n_items = group.items.size
                        first = len(buf.respondents)
                        buf.respondents.extend(
                            f"{unit.enhet_id}-{runde}-{group.code}-{i:04d}" for i in range(1, n + 1)
                        )
                        rows = n * n_items
                        buf.add(
                            rows,
                            runde=np.full(rows, round_index[runde], dtype=np.int16),
                            enhet=np.full(rows, unit.idx, dtype=np.int32),
                            gruppe=np.full(rows, group.idx, dtype=np.int8),
                            respondent=np.repeat(
                                np.arange(first, first + n, dtype=np.int32), n_items
                            ),
                            item=np.tile(group.items.astype(np.int16), n),
                            svar=answer,
                            valid=valid,
                            trinn=np.repeat(grades, n_items)
                            if grades is not None
                            else np.full(rows, -1, np.int8),
                            kjonn=np.repeat(gender, n_items)
                            if gender is not None
                            else np.full(rows, -1, np.int8),
                        )
                        if buf.rows >= FLUSH_ROWS:
                            flush()
        flush()
        writer.close()
    except BaseException:
        writer.discard()
        raise
    return writer


# --- Competence mapping -------------------------------------------------------------------


def _mapping_roles(unit: Unit | None, scale: float, rng) -> list[tuple[str, int]]:
    """(role, respondents) for a unit, or for the municipality level (unit None)."""

    def draw(expected: float, p: float = 0.7) -> int:
        return int(rng.binomial(round(expected * scale), p))

    if unit is None:
        return [("leder", draw(2, 0.8)), ("annen", draw(2, 0.6))]
    staff = unit.ansatte
    if unit.enhetstype == "barnehage":
        return [
            ("leder", draw(1, 0.9)),
            ("pedagog", draw(staff * 0.4)),
            ("assistent", draw(staff * 0.5)),
            ("annen", draw(staff * 0.05)),
        ]
    if unit.enhetstype == "skole":
        return [
            ("leder", draw(max(1.0, staff / 15), 0.9)),
            ("pedagog", draw(staff * 0.75)),
            ("assistent", draw(staff * 0.15)),
            ("annen", draw(staff * 0.05)),
        ]
    if unit.enhetstype == "sfo":
        return [
            ("leder", draw(1, 0.9)),
            ("pedagog", draw(staff * 0.1)),
            ("assistent", draw(staff * 0.8)),
        ]
    return [("leder", draw(1, 0.9)), ("ppt", draw(max(staff - 1, 1), 0.8))]


def _write_mapping(
    path: Path, munis: list[Municipality], units: list[Unit], frames, scale: float, seed: int
) -> _Writer:
    areas = frames["omrade"]["omrade"].to_list()
    roles = frames["rolle"]["rolle"].to_list()
    base = np.array([AREA_COMPETENCE.get(a, 0.0) for a in areas])
    specialist = np.array([a in SPECIALIST for a in areas])
    role_effect = {
        r: np.array(
            [
                ROLE_COMPETENCE.get(r, {}).get(a, ROLE_COMPETENCE.get(r, {}).get("*", 0.0))
                for a in areas
            ]
        )
        for r in roles
    }
    type_effect = {
        t: np.array([UNIT_TYPE_COMPETENCE.get(t, {}).get(a, 0.0) for a in areas])
        for t in ("barnehage", "skole", "sfo", "ppt")
    }
    kommuner = sorted({m.kommunenummer for m in munis})
    unit_ids = [u.enhet_id for u in units] + [""]  # last code: municipality level (null)
    rounds = sorted({m.runde(y) for m in munis for y in m.mapping_years})
    n_areas = len(areas)
    writer = _Writer(path, MAPPING_SCHEMA)
    buf = _Buffer()

    def flush() -> None:
        if not buf.rows:
            return
        enhet = buf.column("enhet")
        table = pa.Table.from_arrays(
            [
                _dictionary(buf.column("runde"), rounds, pa.int16()),
                _dictionary(buf.column("kommune"), kommuner, pa.int16()),
                _dictionary(enhet, unit_ids, pa.int32(), valid=enhet < len(units)),
                _dictionary(buf.column("rolle"), roles, pa.int8()),
                _dictionary(buf.column("respondent"), buf.respondents, pa.int32()),
                _dictionary(buf.column("omrade"), areas, pa.int8()),
                pa.array(buf.column("kompetanse"), type=pa.int8()),
                pa.array(buf.column("behov"), type=pa.int8()),
                pa.array(np.ones(buf.rows, dtype=bool), type=pa.bool_()),
            ],
            schema=MAPPING_SCHEMA,
        )
        writer.write(table)
        buf.reset()

    try:
        for m in munis:
            for step, year in enumerate(m.mapping_years):
                runde = m.runde(year)
                rng = _rng(seed, 3, int(m.kommunenummer), step)
                for unit in [*m.units, None]:
                    owner = f"demo-{m.kommunenummer}-kommune" if unit is None else unit.enhet_id
                    for role, n in _mapping_roles(unit, scale, rng):
                        if n == 0:
                            continue
                        shift = base + role_effect[role] + 0.2 * step
                        if unit is not None:
                            shift = shift + type_effect[unit.enhetstype] + unit.competence
                        person = rng.normal(0.0, 0.5, n)[:, None]
                        competence = shift + person + rng.normal(0.0, 0.55, (n, n_areas))
                        need = (
                            -0.2
                            + 0.35 * specialist
                            - 0.6 * (competence - 0.3)
                            + rng.normal(0.0, 0.3, n)[:, None]
                            + rng.normal(0.0, 0.6, (n, n_areas))
                        )
                        first = len(buf.respondents)
                        tag = {
                            "leder": "L",
                            "pedagog": "P",
                            "assistent": "A",
                            "ppt": "T",
                            "annen": "X",
                        }[role]
                        buf.respondents.extend(
                            f"{owner}-{runde}-K{tag}{i:03d}" for i in range(1, n + 1)
                        )
                        rows = n * n_areas
                        buf.add(
                            rows,
                            runde=np.full(rows, rounds.index(runde), dtype=np.int16),
                            kommune=np.full(rows, kommuner.index(m.kommunenummer), dtype=np.int16),
                            enhet=np.full(
                                rows, len(units) if unit is None else unit.idx, dtype=np.int32
                            ),
                            rolle=np.full(rows, roles.index(role), dtype=np.int8),
                            respondent=np.repeat(
                                np.arange(first, first + n, dtype=np.int32), n_areas
                            ),
                            omrade=np.tile(np.arange(n_areas, dtype=np.int8), n),
                            kompetanse=(
                                np.searchsorted(MAPPING_CUTS, competence).astype(np.int8) + 1
                            ).ravel(),
                            behov=(np.searchsorted(MAPPING_CUTS, need).astype(np.int8) + 1).ravel(),
                        )
                        if buf.rows >= FLUSH_ROWS:
                            flush()
        flush()
        writer.close()
    except BaseException:
        writer.discard()
        raise
    return writer


# --- Entry point --------------------------------------------------------------------------


def generate(
    out_dir: Path | None = None, scale: float = 1.0, seed: int = 2024, national: bool = False
) -> dict[str, int]:
    """Write units, answers and mapping Parquet files to `out_dir`; return row counts.

    `out_dir` defaults to config.demo_dir() (KL_DEMO_DIR, else data/demo), the folder the build reads.

    `scale` multiplies the number of respondents (not units or rounds). `national` places units
    in every municipality, sized from Udir's school statistics, over ten rounds (load testing:
    about 55 million answer rows at scale 1). The files replace earlier ones only when all three
    are written.
    """
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale må være et positivt tall, fikk {scale!r}")
    out_dir = Path(out_dir) if out_dir is not None else config.demo_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    survey = instruments.read_survey()
    mapping = instruments.read_mapping()
    munis = _national_municipalities(seed) if national else _municipalities(PARTNERSHIPS_YAML)
    units = _build_units(munis, survey.frames["indikator"].height, seed)

    units_path = out_dir / "units.parquet"
    units_tmp = _tmp(units_path)
    _units_frame(units).write_parquet(units_tmp, compression="zstd", statistics=True)
    writers: list[_Writer] = []
    try:
        writers.append(
            _write_answers(out_dir / "answers.parquet", munis, units, survey.frames, scale, seed)
        )
        writers.append(
            _write_mapping(out_dir / "mapping.parquet", munis, units, mapping.frames, scale, seed)
        )
    except BaseException:
        units_tmp.unlink(missing_ok=True)
        for w in writers:
            w.tmp.unlink(missing_ok=True)
        raise
    os.replace(units_tmp, units_path)
    for w in writers:
        w.commit()
    return {"units": len(units), "answers": writers[0].rows, "mapping": writers[1].rows}

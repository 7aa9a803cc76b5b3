"""Column specs: the kinds, their frames and keys, and how each column is cast and explained."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date
from pathlib import Path

import polars as pl

from etl import geography
from etl.errors import Described, InputError, Problem

KINDS = ("units", "answers", "results", "mapping")
SURVEY_KINDS = ("answers", "results")  # both fill the same indicator cells
KIND_NAMES = {
    "units": "enheter",
    "answers": "svar",
    "results": "resultater",
    "mapping": "kartlegging",
}

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "units": {
        "enhet_id": pl.Utf8,
        "enhet_navn": pl.Utf8,
        "enhetstype": pl.Utf8,
        "kommunenummer": pl.Utf8,
        "kommunenummer_kilde": pl.Utf8,
        "eierform": pl.Utf8,
        "organisasjonsnummer": pl.Utf8,
        "syntetisk": pl.Boolean,
    },
    "answers": {
        "runde": pl.Utf8,
        "enhet_id": pl.Utf8,
        "respondentgruppe": pl.Utf8,
        "respondent_id": pl.Utf8,
        "sporsmal_id": pl.Utf8,
        "svar": pl.Int16,
        "trinn": pl.Int8,
        "kjonn": pl.Utf8,
        "syntetisk": pl.Boolean,
    },
    "results": {
        "runde": pl.Utf8,
        "enhet_id": pl.Utf8,
        "kommunenummer": pl.Utf8,
        "respondentgruppe": pl.Utf8,
        "indikator": pl.Utf8,
        "antall_svar": pl.Int32,
        "skaar": pl.Float64,
        "standardavvik": pl.Float64,
        "referanse": pl.Utf8,
        "syntetisk": pl.Boolean,
    },
    "mapping": {
        "runde": pl.Utf8,
        "kommunenummer": pl.Utf8,
        "enhet_id": pl.Utf8,
        "rolle": pl.Utf8,
        "respondent_id": pl.Utf8,
        "omrade": pl.Utf8,
        "kompetanse": pl.Int8,
        "behov": pl.Int8,
        "syntetisk": pl.Boolean,
    },
}

# Columns that identify a row; `_mottaker` is the unit, or the municipality when there is none.
KEYS = {
    "units": ["enhet_id"],
    "answers": ["runde", "enhet_id", "respondent_id", "sporsmal_id"],
    "results": ["runde", "_mottaker", "respondentgruppe", "indikator"],
    "mapping": ["runde", "respondent_id", "omrade"],
}
# Per respondent these must be the same on every row.
RESPONDENT = {
    "answers": (["runde", "enhet_id", "respondent_id"], ["respondentgruppe", "trinn", "kjonn"]),
    "mapping": (["runde", "respondent_id"], ["kommunenummer", "enhet_id", "rolle"]),
}

ENHETSTYPER = {t: t for t in ("barnehage", "skole", "sfo", "ppt")}
EIERFORMER = {t: t for t in ("kommunal", "privat")}
KJONN = {"gutt": "gutt", "g": "gutt", "jente": "jente", "j": "jente"}
ROLLER = {
    **{r: r for r in ("leder", "pedagog", "assistent", "ppt", "annen")},
    "lærer": "pedagog",
    "laerer": "pedagog",
    "lærer/pedagog": "pedagog",
    "laerer/pedagog": "pedagog",
}
TERMINER = {"høst": "høst", "host": "høst", "haust": "høst", "vår": "vår", "var": "vår"}
FIRST_YEAR = 2000
ORGNR_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"ukjent importtype {kind!r}; bruk en av {', '.join(KINDS)}")


def empty_frame(kind: str) -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMAS[kind])


def last_year() -> int:
    """A round may lie at most next year (a round in 2035 is a typing error)."""
    return date.today().year + 1


# --- header names ----------------------------------------------------------------------------


def fold_header(name: str) -> str:
    """Header spelling that ignores case, æ/ø/å and everything but letters and digits:
    `Spørsmål ID` = `sporsmal_id` = `SporsmalID`, `Kommune nr.` = `Kommunenr`."""
    text = name.strip().lstrip("\ufeff").lower()
    for letter, plain in (("æ", "ae"), ("ø", "o"), ("å", "a"), ("aa", "a")):
        text = text.replace(letter, plain)
    return re.sub(r"[^a-z0-9]+", "", text)


# Other names real exports use for our columns (folded by fold_header, so case, spaces,
# punctuation and æøå/ae-o-a spellings are all covered). A name may mean different columns in
# different kinds (`tema` is an indicator in results and an area in mapping).
ALIASES: dict[str, tuple[str, ...]] = {
    "enhet_id": ("Enhet ID", "Enhetsid", "Enhetskode", "Enhetsnummer", "Enhetsnr"),
    "enhet_navn": ("Enhetsnavn", "Navn", "Navn på enhet", "Skolenavn", "Barnehagenavn"),
    "enhetstype": ("Type", "Enhettype", "Type enhet"),
    "kommunenummer": ("Kommunenr", "Kommune nr.", "Kommunekode", "Knr", "Komm.nr"),
    "eierform": ("Eier", "Eierskap", "Eierforhold"),
    "organisasjonsnummer": ("Orgnr", "Org.nr", "Organisasjonsnr", "Orgnummer", "Org. no."),
    "runde": ("År", "Årstall", "Undersøkelsesrunde", "Periode", "Gjennomføring"),
    "respondentgruppe": ("Gruppe", "Målgruppe", "Resp.gruppe"),
    "respondent_id": ("Respondent", "Respondentnr", "Respondentnummer", "Resp.id", "Besvarelse"),
    "sporsmal_id": ("Spørsmål", "Spørsmålsid", "Spørsmålskode", "Spørsmålnr", "Item", "Item ID"),
    "svar": ("Svarverdi", "Verdi", "Svaralternativ"),
    "trinn": ("Klassetrinn", "Årstrinn", "Klasse"),
    "kjonn": ("Kjønn", "Kjoenn"),
    "indikator": ("Tema", "Indeks"),
    "antall_svar": ("Antall", "N", "Antall respondenter", "Antall besvarelser"),
    "skaar": ("Skår", "Score", "Poeng", "Skala 500"),
    "standardavvik": ("SD", "Std", "Std.avvik", "Standardavvik skår"),
    "norm": ("Referanse", "Normgrunnlag", "Normgruppe", "Sammenligningsgrunnlag"),
    "rolle": ("Stilling", "Stillingstype"),
    "omrade": ("Område", "Kompetanseområde", "Tema", "Fagområde"),
    "kompetanse": ("Kompetansenivå", "Egenvurdering"),
    "behov": ("Kompetansebehov", "Behov for kompetanse"),
}


Parse = Callable[[pl.Expr], pl.Expr]


@dataclass(frozen=True)
class Field:
    """One column: how to cast its stripped text (null when empty) and what is expected.

    `parse` returns null for an invalid value; `expected` may depend on the value found.
    """

    name: str
    parse: Parse
    expected: str | Callable[[str], str]
    required: bool = True  # the column must be in the header
    blank: bool = False  # empty cells are allowed
    max_chars: str = "MAX_ID_CHARS"  # the limit of etl/limits.py on its text


def _as_text(e: pl.Expr) -> pl.Expr:
    return e


def _real_id(e: pl.Expr) -> pl.Expr:
    """Ids starting with `demo-` belong to the synthetic demo units."""
    return pl.when(~e.str.to_lowercase().str.starts_with("demo-")).then(e)


def _lower(e: pl.Expr) -> pl.Expr:
    """Instrument ids are lower case (`elev_5_10`); item ids upper case (`E5_TRIV_1`)."""
    return e.str.to_lowercase()


def _upper(e: pl.Expr) -> pl.Expr:
    return e.str.to_uppercase()


def _choice(values: dict[str, str]) -> Parse:
    def parse(e: pl.Expr) -> pl.Expr:
        text = e.str.to_lowercase().str.replace_all(r"\s*/\s*", "/").str.replace_all(r"\s+", " ")
        return text.replace_strict(values, default=None, return_dtype=pl.Utf8)

    return parse


def _integer(lo: int, hi: int) -> Parse:
    def parse(e: pl.Expr) -> pl.Expr:
        digits = pl.when(e.str.contains(r"^[+-]?\d+(?:[.,]0+)?$")).then(
            e.str.replace(r"[.,]0+$", "")
        )
        value = digits.cast(pl.Int64, strict=False)
        return pl.when(value.is_between(lo, hi)).then(value)

    return parse


def _number(lo: float, hi: float) -> Parse:
    def parse(e: pl.Expr) -> pl.Expr:
        text = e.str.replace_all(r"[\s\u00a0\u202f]", "").str.replace(",", ".", literal=True)
        valid = text.str.contains(r"^[+-]?(?:\d+\.?\d*|\.\d+)$")
        value = pl.when(valid).then(text).cast(pl.Float64, strict=False)
        return pl.when(value.is_between(lo, hi)).then(value)

    return parse


def _runde(e: pl.Expr) -> pl.Expr:
    parts = e.str.to_lowercase().str.extract_groups(r"^(\d{4})(?:\s*[-–_ ]\s*([a-zæøå]+))?$")
    year, word = parts.struct.field("1"), parts.struct.field("2")
    term = word.replace_strict(TERMINER, default=None, return_dtype=pl.Utf8)
    in_range = year.cast(pl.Int32, strict=False).is_between(FIRST_YEAR, last_year())
    return (
        pl.when(in_range & word.is_null())
        .then(year)
        .when(in_range & term.is_not_null())
        .then(pl.concat_str([year, pl.lit("-"), term]))
    )


def _orgnr(e: pl.Expr) -> pl.Expr:
    digits = e.str.replace_all(r"\s", "")
    weighted = pl.sum_horizontal(
        [
            digits.str.slice(i, 1).cast(pl.Int32, strict=False) * w
            for i, w in enumerate(ORGNR_WEIGHTS)
        ]
    )
    rest = 11 - weighted % 11
    control = pl.when(rest == 11).then(0).otherwise(rest)
    valid = digits.str.contains(r"^\d{9}$") & (
        control == digits.str.slice(8, 1).cast(pl.Int32, strict=False)
    )
    return pl.when(valid).then(digits)


def orgnr_is_valid(text: str) -> bool:
    """Mod-11 check of a Norwegian organisation number (spaces ignored)."""
    digits = re.sub(r"\s", "", text)
    if not re.fullmatch(r"\d{9}", digits):
        return False
    rest = 11 - sum(int(d) * w for d, w in zip(digits, ORGNR_WEIGHTS)) % 11
    return (0 if rest == 11 else rest) == int(digits[8])


def _explain_orgnr(found: str) -> str:
    if not re.fullmatch(r"\d{9}", re.sub(r"\s", "", found)):
        return "et organisasjonsnummer med 9 siffer (mellomrom er lov)"
    return "et gyldig organisasjonsnummer – kontrollsifferet (det 9. sifferet, mod 11) stemmer ikke"


@dataclass(frozen=True)
class Municipalities:
    """Every code a file may use (2024 codes and older ones) and the 2024 code it means."""

    to_2024: dict[str, str]
    splits: dict[str, str]  # old code -> note on where the rest of a split municipality went
    ambiguous: set[str]

    @classmethod
    def load(cls) -> Municipalities:
        current = geography.read_kommuner()["kommunenummer"].to_list()
        geography.read_historikk()  # validates the file
        historikk = pl.read_csv(geography.HISTORIKK_CSV, infer_schema_length=0)
        targets = historikk.group_by("kommunenummer_gammel").agg(
            pl.col("kommunenummer_2024").unique()
        )
        mapping = {code: code for code in current}
        ambiguous: set[str] = set()
        for old, new in targets.iter_rows():
            if old in mapping:
                continue
            if len(new) == 1:
                mapping[old] = new[0]
            else:
                ambiguous.add(old)
        has_share = "andel" in historikk.columns
        split_rows = (
            historikk.filter(pl.col("andel").is_not_null()) if has_share else historikk.clear()
        )
        splits = {
            r["kommunenummer_gammel"]: _split_note(r) for r in split_rows.iter_rows(named=True)
        }
        return cls(mapping, splits, ambiguous)

    def parse(self, e: pl.Expr) -> pl.Expr:
        code = pl.when(e.str.contains(r"^\d{3,4}$")).then(e.str.zfill(4))
        return code.replace_strict(self.to_2024, default=None, return_dtype=pl.Utf8)

    def explain(self, found: str) -> str:
        if not re.fullmatch(r"\d{3,4}", found):
            return "et kommunenummer med 4 siffer (3 siffer når 0 foran mangler)"
        if found.zfill(4) in self.ambiguous:
            return "en entydig kode – koden har betydd ulike kommuner; bruk 2024-koden"
        return (
            "et kjent kommunenummer: en 2024-kode eller en eldre kode fra "
            "data/geo/kommunenummer_historikk.csv"
        )


def _split_note(row: dict) -> str:
    note = (
        f"Kommunenummer {row['kommunenummer_gammel']} ({row['kommunenavn_gammel']}) er ført til "
        f"{row['kommunenummer_2024']}, som fikk {row['andel']}"
    )
    return note + (f" ({row['merknad'].rstrip('.')})" if row["merknad"] else "")


def _explain_runde(found: str) -> str:
    year = re.match(r"\s*(\d{4})", found)
    if year and not FIRST_YEAR <= int(year.group(1)) <= last_year():
        return (
            f"en runde fra {FIRST_YEAR} til {last_year()} (en runde ligger høyst ett år fram i tid)"
        )
    return "et år (2023) eller år og termin (2023-høst, 2023-vår)"


RUNDE = _explain_runde


NORM = (
    "navnet på normen skårene er regnet mot (kolonnen «norm», eller --norm NAVN for hele filen)"
)


def fields(kind: str, kommuner: Municipalities) -> list[Field]:
    """The columns of a kind, in the order they are checked and reported."""
    kommune = Field("kommunenummer", kommuner.parse, kommuner.explain)
    if kind == "units":
        return [
            Field(
                "enhet_id",
                _real_id,
                "en enhets-ID som ikke begynner med «demo-» (forbeholdt demodata)",
            ),
            Field("enhet_navn", _as_text, "enhetens navn", max_chars="MAX_NAME_CHARS"),
            Field("enhetstype", _choice(ENHETSTYPER), "en av " + ", ".join(ENHETSTYPER)),
            kommune,
            Field(
                "eierform",
                _choice(EIERFORMER),
                "kommunal, privat eller tom",
                required=False,
                blank=True,
            ),
            Field("organisasjonsnummer", _orgnr, _explain_orgnr, required=False, blank=True),
        ]
    if kind == "answers":
        return [
            Field("runde", _runde, RUNDE),
            Field("enhet_id", _as_text, "en enhets-ID"),
            Field("respondentgruppe", _lower, "en respondentgruppe"),
            Field("respondent_id", _as_text, "en respondent-ID"),
            Field("sporsmal_id", _upper, "en spørsmåls-ID"),
            Field(
                "svar",
                _integer(-999, 999),
                "et heltall, eller tom celle når spørsmålet ikke er besvart",
                blank=True,
            ),
            Field(
                "trinn",
                _integer(1, 10),
                "et heltall fra 1 til 10, eller tom",
                required=False,
                blank=True,
            ),
            Field(
                "kjonn", _choice(KJONN), "gutt, jente (G/J) eller tom", required=False, blank=True
            ),
        ]
    if kind == "results":
        return [
            Field("runde", _runde, RUNDE),
            Field("enhet_id", _as_text, "en enhets-ID", required=False, blank=True),
            Field("kommunenummer", kommuner.parse, kommuner.explain, required=False, blank=True),
            Field("respondentgruppe", _lower, "en respondentgruppe"),
            Field("indikator", _lower, "en indikator"),
            Field(
                "antall_svar",
                _integer(1, 2**31 - 1),
                "et heltall ≥ 1 (en skår bygger på minst ett svar)",
            ),
            Field(
                "skaar",
                _number(0, 1000),
                "et tall fra 0 til 1000 (500-skalaen; desimalkomma eller -punktum)",
            ),
            Field(
                "standardavvik",
                _number(0, 1000),
                "et tall ≥ 0 (500-skalaen), eller tom",
                required=False,
                blank=True,
            ),
            Field("norm", _as_text, NORM, required=False, blank=True, max_chars="MAX_NAME_CHARS"),
        ]
    if kind == "mapping":
        return [
            Field("runde", _runde, RUNDE),
            kommune,
            Field("enhet_id", _as_text, "en enhets-ID, eller tom", required=False, blank=True),
            Field(
                "rolle",
                _choice(ROLLER),
                "en av leder, pedagog (eller lærer), assistent, ppt, annen",
            ),
            Field("respondent_id", _as_text, "en respondent-ID"),
            Field("omrade", _lower, "et område"),
            Field("kompetanse", _integer(1, 5), "et heltall fra 1 til 5"),
            Field("behov", _integer(1, 5), "et heltall fra 1 til 5"),
        ]
    check_kind(kind)
    raise AssertionError(kind)




def header_names(specs: list[Field], kolonner: dict[str, str] | None = None) -> dict[str, str]:
    """Folded header spelling -> our column: the aliases, our own names, then the user's
    column file (`--kolonner`), each overriding the one before."""
    table: dict[str, str] = {}
    for f in specs:
        for alias in ALIASES.get(f.name, ()):
            table.setdefault(fold_header(alias), f.name)
    table |= {fold_header(f.name): f.name for f in specs}
    table |= {fold_header(header): name for header, name in (kolonner or {}).items()}
    return table


@dataclass(frozen=True)
class Options:
    """What the user said about a file beside it: a column file and the results' norm.

    Kept beside the imported file (JSON), so the file reads the same way at every rebuild.
    """

    kolonner: dict[str, str] = dc_field(default_factory=dict)  # the file's header -> our column
    norm: str | None = None

    def to_json(self) -> str:
        return json.dumps({"kolonner": self.kolonner, "norm": self.norm}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Options:
        data = json.loads(text)
        return cls(dict(data.get("kolonner") or {}), data.get("norm"))


def read_column_file(path: Path, kind: str, specs: list[Field]) -> dict[str, str]:
    """A user's column file: `kolonner:` mapping the file's headers to our column names.

    ```yaml
    kolonner:
      Skolenummer: enhet_id
      Gj.snitt (500): skaar
    ```
    """
    from etl import limits, yamlfile

    fil = str(path)
    if not path.is_file():
        raise InputError([Problem(fil, None, None, "ingen fil", "en kolonnefil (YAML) som finnes")])
    data = yamlfile.load(path)  # bounded: no aliases, size, nesting and time limits
    allowed = [f.name for f in specs]
    expected_top = "en YAML-fil med nøkkelen «kolonner:» og under den «overskrift i filen: vårt kolonnenavn»"
    if not isinstance(data, dict) or "kolonner" not in data:
        raise InputError([Problem(fil, None, None, "ingen «kolonner:»", expected_top)])
    problems = []
    line_of = getattr(data, "line_of", lambda key: None)
    for key in data:
        if key != "kolonner":
            problems.append(Problem(fil, line_of(key), None, key, "bare nøkkelen «kolonner»"))
    mapping = data["kolonner"]
    if not isinstance(mapping, dict) or not mapping:
        raise InputError([Problem(fil, line_of("kolonner"), "kolonner", "ingen par", expected_top)])
    if len(mapping) > limits.MAX_COLUMNS:
        raise limits.too_large(fil, f"{limits.number(len(mapping))} par", "MAX_COLUMNS", "par",
                               line_of("kolonner"), "kolonner")
    result: dict[str, str] = {}
    mapping_line = getattr(mapping, "line_of", lambda key: None)
    for header, name in mapping.items():
        if len(str(header)) > limits.MAX_HEADER_CHARS:
            problems.append(Problem(fil, mapping_line(header), None, Described(
                f"en overskrift på {limits.number(len(str(header)))} tegn"),
                limits.at_most("MAX_HEADER_CHARS", "tegn")))
            continue
        target = str(name).strip() if name is not None else ""
        if target not in allowed:
            problems.append(
                Problem(
                    fil,
                    mapping_line(header),
                    str(header),
                    target or None,
                    f"et kolonnenavn for {kind}: {', '.join(allowed)}",
                )
            )
        result[str(header)] = target  # a header may be any text; shown escaped below
    targets = list(result.values())
    for header, target in result.items():
        if targets.count(target) > 1:
            problems.append(
                Problem(fil, mapping_line(header), str(header), target, "hvert kolonnenavn én gang")
            )
    if problems:
        raise InputError(problems)
    return result

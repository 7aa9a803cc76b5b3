"""Read and validate the survey and competence-mapping instruments (data/instruments/*.yaml).

`survey_frames()` describes SePU's survey of learning and learning environment as the demo
instrument models it (respondent groups, indicators, items); `mapping_frames()` describes the
competence mapping (roles, competence areas, the five parts of Gjøvikregionen's survey). Both
check the whole file first and raise one InputError (Norwegian, with file, line and field)
listing every problem. See docs/survey-data.md for how answers refer to these ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from etl import config, yamlfile
from etl.errors import Collector, InputError, Problem
from etl.yamlfile import Node

INSTRUMENT_DIR = config.DATA_DIR / "instruments"
SURVEY_YAML = INSTRUMENT_DIR / "sepu_undersokelse.yaml"
MAPPING_YAML = INSTRUMENT_DIR / "kartlegging.yaml"

ENHETSTYPER = ("barnehage", "skole", "sfo", "ppt")
ROLLER = ("leder", "pedagog", "assistent", "ppt", "annen")
SKALAER = ("kompetanse", "behov")
TRINN = range(1, 11)

ID = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")
ITEM_ID = re.compile(r"^[A-Z0-9]+(_[A-Z0-9]+)*$")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

SURVEY_KEYS = (
    "instrument",
    "navn",
    "demo",
    "merknad",
    "respondentgrupper",
    "indikatorer",
    "sporsmal",
)
GROUP_KEYS = ("id", "navn", "enhetstyper", "skala", "trinn")
SCALE_KEYS = ("min", "max", "type", "etiketter")
INDICATOR_KEYS = ("id", "navn", "beskrivelse", "hoyere_er_bedre")
ITEM_KEYS = ("id", "respondentgruppe", "indikator", "tekst", "omvendt")
MAPPING_KEYS = ("instrument", "navn", "demo", "merknad", "deler", "roller", "omrader", "skala")
PART_KEYS = ("nr", "navn", "navn_i_kilden", "kilde")
ROLE_KEYS = ("id", "navn")
AREA_KEYS = ("id", "navn", "kilde", "sitat")


@dataclass
class Instrument:
    """An instrument's header (instrument, navn, demo, merknad) and its frames."""

    instrument: str
    navn: str
    demo: bool
    merknad: str | None
    frames: dict[str, pl.DataFrame] = field(default_factory=dict)
    skala: dict[str, dict] = field(default_factory=dict)


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Checker:
    """Collects problems for one file; every helper names the line and the field."""

    def __init__(self, path: Path) -> None:
        self.fil = str(path)
        self.errors = Collector()

    def add(self, line, felt, funnet, forventet) -> None:
        self.errors.add(self.fil, line, felt, funnet, forventet)

    def keys(
        self, node: dict, allowed: tuple[str, ...], required: tuple[str, ...], where: str
    ) -> None:
        for key in required:
            if key not in node:
                self.add(_line(node), _join(where, key), "(mangler)", "feltet")
        for key in node:
            if key not in allowed:
                self.add(
                    _line(node, key), _join(where, key), key, "et kjent felt: " + ", ".join(allowed)
                )

    def text(self, node: dict, key: str, where: str, required: bool = True) -> str | None:
        value = node.get(key)
        if value is not None and not isinstance(value, str | int | float):
            self.add(_line(node, key), _join(where, key), value, "en tekst")
            return None
        text = _text(value)
        if required and text is None and key in node:
            self.add(_line(node, key), _join(where, key), value, "en tekst som ikke er tom")
        return text

    def boolean(self, node: dict, key: str, where: str) -> bool | None:
        value = node.get(key)
        if not isinstance(value, bool):
            if key in node:
                self.add(_line(node, key), _join(where, key), value, "true eller false")
            return None
        return value

    def records(self, doc: dict, key: str) -> list[Node]:
        values = doc.get(key)
        if not isinstance(values, list) or not values:
            if key in doc:
                self.add(_line(doc, key), key, values, "en liste med minst én oppføring")
            return []
        out = []
        for value in values:
            if isinstance(value, Node):
                out.append(value)
            else:
                self.add(_line(doc, key), key, value, "en oppføring med nøkkel: verdi")
        return out

    def unique_id(
        self, node: Node, seen: dict[str, int], pattern: re.Pattern, where: str, forventet: str
    ):
        value = node.get("id")
        if not isinstance(value, str) or not pattern.match(value):
            self.add(_line(node, "id"), f"{where}.id", value, forventet)
            return None
        if value in seen:
            self.add(
                _line(node, "id"),
                f"{where}.id",
                value,
                f"en unik id (brukt før på linje {seen[value]})",
            )
            return None
        seen[value] = _line(node, "id")
        return value

    def scale(self, node, where: str, with_type: bool) -> dict | None:
        """{min, max, (type), etiketter}: integers with min < max, one label per value."""
        if not isinstance(node, Node):
            self.add(None, where, node, "en skala {min, max, etiketter}")
            return None
        allowed = SCALE_KEYS if with_type else tuple(k for k in SCALE_KEYS if k != "type")
        self.keys(node, allowed, allowed, where)
        lo, hi = node.get("min"), node.get("max")
        ok = True
        for key, value in (("min", lo), ("max", hi)):
            if not _is_int(value):
                if key in node:
                    self.add(_line(node, key), f"{where}.{key}", value, "et heltall")
                ok = False
        if ok and lo >= hi:
            self.add(_line(node, "max"), f"{where}.max", hi, f"et tall større enn min ({lo})")
            ok = False
        kind = self.text(node, "type", where) if with_type else None
        labels = node.get("etiketter")
        if not isinstance(labels, list) or not all(_text(x) for x in labels):
            if "etiketter" in node:
                self.add(
                    _line(node, "etiketter"), f"{where}.etiketter", labels, "en liste med tekster"
                )
            ok = False
        elif ok and len(labels) != hi - lo + 1:
            self.add(
                _line(node, "etiketter"),
                f"{where}.etiketter",
                f"{len(labels)} etiketter",
                f"én etikett per verdi fra {lo} til {hi} ({hi - lo + 1})",
            )
            ok = False
        if not ok:
            return None
        return {"min": lo, "max": hi, "type": kind, "etiketter": [_text(x) for x in labels]}

    def raise_if_any(self) -> None:
        self.errors.raise_if_any()


def _line(node, key: str | None = None) -> int | None:
    if isinstance(node, Node):
        return node.line_of(key) if key else node.line
    return None


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _load(path: Path, check: _Checker) -> Node:
    if not path.exists():
        raise InputError([Problem(str(path), None, None, "(filen finnes ikke)", "instrumentfilen")])
    doc = yamlfile.load(path)
    if not isinstance(doc, Node):
        raise InputError(
            [Problem(str(path), 1, None, type(doc).__name__, "et YAML-dokument med nøkkel: verdi")]
        )
    return doc


def _header(
    doc: Node, check: _Checker, keys: tuple[str, ...]
) -> tuple[str | None, str | None, bool | None, str | None]:
    check.keys(doc, keys, keys, "")
    instrument = doc.get("instrument")
    if not isinstance(instrument, str) or not SLUG.match(instrument):
        check.add(
            _line(doc, "instrument"),
            "instrument",
            instrument,
            "en id med små bokstaver, tall og bindestrek",
        )
        instrument = None
    navn = check.text(doc, "navn", "")
    demo = check.boolean(doc, "demo", "")
    merknad = _text(doc.get("merknad"))
    if demo and not merknad:
        check.add(
            _line(doc, "merknad"),
            "merknad",
            doc.get("merknad"),
            "en merknad som forklarer hva som er demo",
        )
    return instrument, navn, demo, merknad


def read_survey(path: Path = SURVEY_YAML) -> Instrument:
    """The survey instrument with frames respondentgruppe, indikator and sporsmal."""
    path = Path(path)
    check = _Checker(path)
    doc = _load(path, check)
    instrument, navn, demo, merknad = _header(doc, check, SURVEY_KEYS)

    groups, seen = [], {}
    for node in check.records(doc, "respondentgrupper"):
        gid = check.unique_id(
            node, seen, ID, "respondentgrupper", "en id med små bokstaver, tall og _"
        )
        where = f"respondentgrupper[{gid or node.get('id')}]"
        check.keys(node, GROUP_KEYS, GROUP_KEYS, where)
        types = node.get("enhetstyper")
        if not isinstance(types, list) or not types:
            if "enhetstyper" in node:
                check.add(
                    _line(node, "enhetstyper"),
                    f"{where}.enhetstyper",
                    types,
                    "en liste med enhetstyper",
                )
            types = []
        for value in types:
            if value not in ENHETSTYPER:
                check.add(
                    _line(node, "enhetstyper"),
                    f"{where}.enhetstyper",
                    value,
                    "en av " + ", ".join(ENHETSTYPER),
                )
        if len(set(map(str, types))) != len(types):
            check.add(
                _line(node, "enhetstyper"), f"{where}.enhetstyper", types, "hver enhetstype én gang"
            )
        scale = (
            check.scale(node.get("skala"), f"{where}.skala", with_type=True)
            if "skala" in node
            else None
        )
        trinn = node.get("trinn")
        fra = til = None
        if trinn is not None:
            if not isinstance(trinn, Node):
                check.add(_line(node, "trinn"), f"{where}.trinn", trinn, "{fra, til} eller null")
            else:
                check.keys(trinn, ("fra", "til"), ("fra", "til"), f"{where}.trinn")
                fra, til = trinn.get("fra"), trinn.get("til")
                for key, value in (("fra", fra), ("til", til)):
                    if not _is_int(value) or value not in TRINN:
                        check.add(
                            _line(trinn, key),
                            f"{where}.trinn.{key}",
                            value,
                            "et trinn fra 1 til 10",
                        )
                if _is_int(fra) and _is_int(til) and fra > til:
                    check.add(
                        _line(trinn, "til"), f"{where}.trinn.til", til, f"et trinn fra og med {fra}"
                    )
        if gid is None or scale is None:
            continue
        groups.append(
            {
                "respondentgruppe": gid,
                "navn": check.text(node, "navn", where),
                "skala_min": scale["min"],
                "skala_max": scale["max"],
                "skala_type": scale["type"],
                "trinn_fra": fra if _is_int(fra) else None,
                "trinn_til": til if _is_int(til) else None,
                "enhetstyper": [str(t) for t in types],
                "skala_etiketter": scale["etiketter"],
            }
        )

    indicators, seen = [], {}
    for node in check.records(doc, "indikatorer"):
        iid = check.unique_id(node, seen, ID, "indikatorer", "en id med små bokstaver, tall og _")
        where = f"indikatorer[{iid or node.get('id')}]"
        check.keys(node, INDICATOR_KEYS, INDICATOR_KEYS, where)
        better = check.boolean(node, "hoyere_er_bedre", where)
        row = {
            "indikator": iid,
            "navn": check.text(node, "navn", where),
            "beskrivelse": check.text(node, "beskrivelse", where),
            "hoyere_er_bedre": better,
        }
        if iid is not None and better is not None:
            indicators.append(row)

    group_ids = {g["respondentgruppe"] for g in groups} | {
        str(n.get("id")) for n in doc.get("respondentgrupper") or [] if isinstance(n, dict)
    }
    indicator_ids = {i["indikator"] for i in indicators} | {
        str(n.get("id")) for n in doc.get("indikatorer") or [] if isinstance(n, dict)
    }
    items, seen, used = [], {}, set()
    for node in check.records(doc, "sporsmal"):
        sid = check.unique_id(
            node, seen, ITEM_ID, "sporsmal", "en kort id med store bokstaver, tall og _"
        )
        where = f"sporsmal[{sid or node.get('id')}]"
        check.keys(node, ITEM_KEYS, ITEM_KEYS, where)
        group, indicator = node.get("respondentgruppe"), node.get("indikator")
        if "respondentgruppe" in node and group not in group_ids:
            check.add(
                _line(node, "respondentgruppe"),
                f"{where}.respondentgruppe",
                group,
                "en respondentgruppe fra respondentgrupper: " + ", ".join(sorted(group_ids)),
            )
        if "indikator" in node and indicator not in indicator_ids:
            check.add(
                _line(node, "indikator"),
                f"{where}.indikator",
                indicator,
                "en indikator fra indikatorer: " + ", ".join(sorted(indicator_ids)),
            )
        reverse = check.boolean(node, "omvendt", where)
        used.add(indicator)
        items.append(
            {
                "sporsmal_id": sid,
                "respondentgruppe": group,
                "indikator": indicator,
                "tekst": check.text(node, "tekst", where),
                "omvendt": reverse,
            }
        )
    for row in indicators:
        if row["indikator"] not in used:
            node = next(
                n
                for n in doc["indikatorer"]
                if isinstance(n, dict) and n.get("id") == row["indikator"]
            )
            check.add(
                _line(node, "id"),
                f"indikatorer[{row['indikator']}]",
                row["indikator"],
                "en indikator som minst ett spørsmål måler",
            )
    check.raise_if_any()

    frames = {
        "respondentgruppe": pl.DataFrame(
            groups,
            schema={
                "respondentgruppe": pl.Utf8,
                "navn": pl.Utf8,
                "skala_min": pl.Int16,
                "skala_max": pl.Int16,
                "skala_type": pl.Utf8,
                "trinn_fra": pl.Int8,
                "trinn_til": pl.Int8,
                "enhetstyper": pl.List(pl.Utf8),
                "skala_etiketter": pl.List(pl.Utf8),
            },
        ),
        "indikator": pl.DataFrame(
            indicators,
            schema={
                "indikator": pl.Utf8,
                "navn": pl.Utf8,
                "beskrivelse": pl.Utf8,
                "hoyere_er_bedre": pl.Boolean,
            },
        ),
        "sporsmal": pl.DataFrame(
            items,
            schema={
                "sporsmal_id": pl.Utf8,
                "respondentgruppe": pl.Utf8,
                "indikator": pl.Utf8,
                "tekst": pl.Utf8,
                "omvendt": pl.Boolean,
            },
        ),
    }
    return Instrument(instrument, navn, bool(demo), merknad, frames)


def read_mapping(path: Path = MAPPING_YAML, dokumenter: set[str] | None = None) -> Instrument:
    """The mapping instrument with frames rolle, omrade and kartlegging_del (and its scales).

    `dokumenter` are the known source documents (data/kilder.yaml); read from there by default.
    """
    path = Path(path)
    if dokumenter is None:
        from etl.partnerships import read_kilder

        dokumenter = set(read_kilder()["dokument"].to_list())
    check = _Checker(path)
    doc = _load(path, check)
    instrument, navn, demo, merknad = _header(doc, check, MAPPING_KEYS)

    def source(node: Node, where: str) -> str | None:
        value = node.get("kilde")
        if value not in dokumenter:
            check.add(
                _line(node, "kilde"),
                f"{where}.kilde",
                value,
                "et dokument fra data/kilder.yaml: " + ", ".join(sorted(dokumenter)),
            )
            return None
        return value

    parts, seen_nr = [], {}
    for node in check.records(doc, "deler"):
        nr = node.get("nr")
        where = f"deler[{nr}]"
        check.keys(node, PART_KEYS, ("nr", "navn", "kilde"), where)
        if not _is_int(nr) or nr < 1:
            check.add(_line(node, "nr"), f"{where}.nr", nr, "et positivt heltall")
            continue
        if nr in seen_nr:
            check.add(
                _line(node, "nr"),
                f"{where}.nr",
                nr,
                f"et unikt nummer (brukt før på linje {seen_nr[nr]})",
            )
            continue
        seen_nr[nr] = _line(node, "nr")
        name = check.text(node, "navn", where)
        parts.append(
            {
                "nr": nr,
                "navn": name,
                "navn_i_kilden": check.text(node, "navn_i_kilden", where, required=False) or name,
                "kilde": source(node, where),
            }
        )
    expected = list(range(1, len(parts) + 1))
    if parts and sorted(p["nr"] for p in parts) != expected:
        check.add(
            _line(doc, "deler"),
            "deler.nr",
            sorted(p["nr"] for p in parts),
            f"numrene {expected} uten hull",
        )

    roles, seen = [], {}
    for node in check.records(doc, "roller"):
        rid = check.unique_id(node, seen, ID, "roller", "en id med små bokstaver, tall og _")
        where = f"roller[{rid or node.get('id')}]"
        check.keys(node, ROLE_KEYS, ROLE_KEYS, where)
        if rid is not None and rid not in ROLLER:
            check.add(
                _line(node, "id"),
                f"{where}.id",
                rid,
                "en rolle fra kontrakten: " + ", ".join(ROLLER),
            )
            continue
        if rid is not None:
            roles.append({"rolle": rid, "navn": check.text(node, "navn", where)})
    missing = [r for r in ROLLER if r not in seen]
    if "roller" in doc and missing:
        check.add(
            _line(doc, "roller"),
            "roller",
            ", ".join(missing),
            "alle rollene i kontrakten: " + ", ".join(ROLLER),
        )

    areas, seen = [], {}
    for node in check.records(doc, "omrader"):
        aid = check.unique_id(node, seen, ID, "omrader", "en id med små bokstaver, tall og _")
        where = f"omrader[{aid or node.get('id')}]"
        check.keys(node, AREA_KEYS, ("id", "navn", "kilde"), where)
        row = {
            "omrade": aid,
            "navn": check.text(node, "navn", where),
            "kilde": source(node, where),
            "sitat": check.text(node, "sitat", where, required=False),
        }
        if aid is not None:
            areas.append(row)

    scales: dict[str, dict] = {}
    skala = doc.get("skala")
    if not isinstance(skala, Node):
        if "skala" in doc:
            check.add(_line(doc, "skala"), "skala", skala, "skalaene kompetanse og behov")
    else:
        check.keys(skala, SKALAER, SKALAER, "skala")
        for key in SKALAER:
            if key in skala:
                scale = check.scale(skala[key], f"skala.{key}", with_type=False)
                if scale is not None:
                    scales[key] = scale
    check.raise_if_any()

    frames = {
        "rolle": pl.DataFrame(roles, schema={"rolle": pl.Utf8, "navn": pl.Utf8}),
        "omrade": pl.DataFrame(
            areas, schema={"omrade": pl.Utf8, "navn": pl.Utf8, "kilde": pl.Utf8, "sitat": pl.Utf8}
        ),
        "kartlegging_del": pl.DataFrame(
            sorted(parts, key=lambda p: p["nr"]),
            schema={"nr": pl.Int32, "navn": pl.Utf8, "navn_i_kilden": pl.Utf8, "kilde": pl.Utf8},
        ),
    }
    return Instrument(instrument, navn, bool(demo), merknad, frames, scales)


def survey_frames(path: Path = SURVEY_YAML) -> dict[str, pl.DataFrame]:
    """respondentgruppe, indikator and sporsmal from the survey instrument."""
    return read_survey(path).frames


def mapping_frames(path: Path = MAPPING_YAML) -> dict[str, pl.DataFrame]:
    """rolle, omrade and kartlegging_del from the mapping instrument."""
    return read_mapping(path).frames

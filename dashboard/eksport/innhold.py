"""The slides of a region (a collaboration or a municipality), built once from the public marts
and rendered by the presentation mode, the PowerPoint deck, the PDF report and the chart export.

Every number on a slide is a number a mart publishes (scores, intervals, means, changes, n);
nothing is added up or subtracted here. A hidden cell keeps its row and says «skjult
(personvern)»; a slide that shows one carries the disclosure rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from dashboard import charts, fmt, palette, tekster
from dashboard.eksport import kart
from dashboard.tekster import t

Query = Callable[..., pl.DataFrame]

# the slide kinds a leader can put in a sequence, in the report's order
VISNINGER = ("tittel", "nokkeltall", "kart", "tidslinje", "indikatorer", "utvikling", "kommuner",
             "kartlegging", "offentlig", "kilder")
SCORE_AXIS = (300.0, 700.0)


class UkjentRegion(ValueError):
    """The collaboration or municipality asked for is not in the warehouse."""


@dataclass(frozen=True)
class Region:
    niva: str  # "partnerskap" or "kommune"
    id: str

    def params(self) -> dict:
        """The dashboard's filter parameters that select this place (every period)."""
        return {
            "partnerskap": [self.id] if self.niva == "partnerskap" else [],
            "ordninger": [], "fylker": [],
            "kommuner": [self.id] if self.niva == "kommune" else [],
            "fra_ar": 0, "til_ar": 9999, "alle_perioder": True,
        }


@dataclass
class Diagram:
    """A chart PowerPoint can draw natively (editable, with its data)."""

    type: str  # "bar" (clustered, horizontal) or "line"
    kategorier: list[str]
    serier: list[tuple[str, list[float | None]]]
    akse: str
    minimum: float | None = None
    maksimum: float | None = None
    kryss: float | None = None  # where bars start: the reference 500 for scores
    format: str = "0"


@dataclass
class Tabell:
    kolonner: list[str]
    rader: list[list[str]]
    tall: list[bool]  # right-aligned (numeric) columns
    farger: list[list[str | None]] | None = None  # cell fills of a heat table


@dataclass
class Lysbilde:
    id: str
    visning: str
    tittel: str
    utvalg: str
    kilde: str
    n: str | None = None
    punkter: list[str] = field(default_factory=list)
    spec: dict | None = None  # Vega-Lite with its data inline (no config)
    diagram: Diagram | None = None
    tabell: Tabell | None = None
    kart: kart.Kart | None = None
    tomt: str | None = None  # said instead of content when there is nothing to show
    skjulte: bool = False  # shows a hidden cell: carries the disclosure rule
    skaarer: bool = False  # shows scores: carries the reference


@dataclass
class Rapport:
    region: Region
    navn: str
    sprak: str
    dato: dt.date
    syntetisk: bool
    min_svar: int
    referanse: str
    lysbilder: list[Lysbilde]

    @property
    def demo_merke(self) -> str | None:
        with tekster.sprak(self.sprak):
            return t("felles.demo_merke") if self.syntetisk else None

    def merknader(self, lysbilde: Lysbilde) -> list[str]:
        """The notes a slide carries wherever it ends up: reference, disclosure rule, demo mark."""
        with tekster.sprak(self.sprak):
            notes = [t("rapport.referanse", referanse=self.referanse)] if lysbilde.skaarer else []
            if lysbilde.skjulte:
                notes.append(t("rapport.skjult_regel", k=self.min_svar))
            if self.syntetisk:
                notes.append(t("felles.demo_merke"))
            return notes


# --- small helpers ------------------------------------------------------------------------------


def _hidden() -> str:
    return t("rapport.skjult_celle")


def _score(value: float | None, hidden: bool) -> str:
    return _hidden() if hidden else fmt.skaar(value)


def _values(spec: dict, frame: pl.DataFrame) -> dict:
    """The spec with the frame inline (dates as ISO text, as Vega-Lite reads them)."""
    rows = [{k: v.isoformat() if isinstance(v, dt.date) else v for k, v in r.items()} for r in frame.to_dicts()]
    return spec | {"data": {"values": rows}}


def _span(values: list[int | None]) -> str | None:
    """'483' or '287–289': the published n of the cells shown (never a sum of them)."""
    shown = sorted(v for v in values if v is not None)
    if not shown:
        return None
    low, high = shown[0], shown[-1]
    return fmt.tall(low) if low == high else f"{fmt.tall(low)}–{fmt.tall(high)}"


def _n_range(values: list[int | None]) -> str | None:
    span = _span(values)
    return t("rapport.n", n=span) if span else None


class Kilde:
    """The questions a report asks the warehouse, through one query function (the dashboard's
    cached `db.query` or the command line's `Lager.query`)."""

    def __init__(self, query: Query, region: Region):
        self.q = query
        self.region = region
        self.params = region.params()
        info = query("bygg_info").row(0, named=True)
        self.min_svar = int(info["min_svar"])
        self.syntetisk = bool(info["syntetisk"])
        self.partnerskap = query("partnerskap", **self.params)
        self.kommuner = query("kart_kommuner", **self.params)
        if region.niva == "partnerskap":
            found = self.partnerskap.filter(pl.col("partnerskap_id") == region.id)
            if found.is_empty():
                raise UkjentRegion(region.id)
            self.navn = found["kortnavn"][0]
            self.medlemmer = query("partnerskap_kommuner", **self.params)["kommunenummer"].to_list()
        else:
            found = self.kommuner.filter(pl.col("kommunenummer") == region.id)
            if found.is_empty():
                raise UkjentRegion(region.id)
            self.navn = found["kommunenavn_kort"][0]
            self.medlemmer = [region.id]
        self.indikatorer = query("rapport_indikatorer", niva=region.niva, niva_id=region.id)
        groups = query("filter_respondentgrupper")
        self.grupper = [g for g in groups["respondentgruppe"] if g in set(self.indikatorer["respondentgruppe"])]
        self.gruppenavn = dict(zip(groups["respondentgruppe"], groups["navn"]))

    def indicator_names(self, gruppe: str) -> tuple[dict[str, str], dict[str, bool]]:
        katalog = self.q("indikatorer", respondentgruppe=gruppe)
        ids = katalog["indikator"].to_list()
        return ({i: tekster.kode("indikator", i, n) for i, n in zip(ids, katalog["navn"])},
                dict(zip(ids, katalog["hoyere_er_bedre"])))

    def group_name(self, gruppe: str) -> str:
        return tekster.kode("respondentgruppe", gruppe, self.gruppenavn.get(gruppe))


def _rounds(rows: pl.DataFrame) -> list[str]:
    """Rounds with at least one published score, oldest first."""
    shown = rows.filter(~pl.col("undertrykt")).sort("runde_sort")
    return shown["runde"].unique(maintain_order=True).to_list()


# --- the slides ---------------------------------------------------------------------------------


def _title(k: Kilde, utvalg: str, kilde: str) -> Lysbilde:
    rows = k.partnerskap.filter(pl.col("partnerskap_id") == k.region.id) if k.region.niva == "partnerskap" else None
    points = [t("rapport.undertittel")]
    if rows is not None and not rows.is_empty():
        r = rows.row(0, named=True)
        points.append(r["navn"])
        points.append(f"{t('kolonne.periode')}: {(r['periode_visning'] or t('felles.ikke_oppgitt')).replace('-', '–')}")
    points.append(f"{t('eksport.laget')}: {fmt.dato(dt.date.today())}")
    return Lysbilde("tittel", "tittel", k.navn, utvalg, kilde, punkter=points)


def _key_facts(k: Kilde, utvalg: str, kilde: str) -> Lysbilde:
    ikke = t("felles.ikke_oppgitt")
    names = k.kommuner.filter(pl.col("kommunenummer").is_in(k.medlemmer))["kommunenavn_kort"].to_list()
    points = [t("rapport.kommuner", n=len(names), navn=", ".join(sorted(names)) or ikke)]
    if k.region.niva == "partnerskap":
        r = k.partnerskap.filter(pl.col("partnerskap_id") == k.region.id).row(0, named=True)
        strands = ", ".join(tekster.kode("ordning", o) for o in r["ordninger"]) or ikke
        points += [
            f"{t('kolonne.periode')}: {(r['periode_visning'] or ikke).replace('-', '–')}",
            f"{t('kolonne.ordninger')}: {strands}",
            f"{t('kolonne.uh_partnere')}: {fmt.liste(r['uh_partnere'])}",
        ]
    else:
        own = k.partnerskap["kortnavn"].to_list()
        points.append(f"{t('kolonne.samarbeid')}: {', '.join(own) or ikke}")
    rows, fills = [], []
    for g in k.grupper:
        data = k.indikatorer.filter(pl.col("respondentgruppe") == g)
        rounds = _rounds(data)
        if not rounds:
            continue
        last = data.filter((pl.col("runde") == rounds[-1]) & ~pl.col("undertrykt"))
        _, better = k.indicator_names(g)
        clear = last.filter(pl.col("tydelig_endring").fill_null(False))
        up = sum(1 for i, e in zip(clear["indikator"], clear["endring"]) if (e > 0) == better.get(i, True))
        rows.append([k.group_name(g), tekster.runde(rounds[-1]), _span(last["antall_svar"].to_list()) or "–",
                     fmt.tall(up), fmt.tall(clear.height - up)])
        fills.append([None] * 5)
    table = Tabell([t("filter.respondentgruppe"), t("kolonne.runde"), t("kolonne.svar"),
                    t("rapport.tydelig_bedre"), t("rapport.tydelig_svakere")], rows,
                   [False, False, True, True, True]) if rows else None
    return Lysbilde("nokkeltall", "nokkeltall", t("rapport.nokkeltall"), utvalg, kilde, punkter=points,
                    tabell=table, tomt=None if rows else t("rapport.ingen_undersokelse"))


def _map(k: Kilde, utvalg: str, kilde: str) -> Lysbilde:
    grenser = k.q("kart_kommunegrenser")
    others = set(k.kommuner.filter(pl.col("partnerskap_ider").list.len() > 0)["kommunenummer"]) - set(k.medlemmer)
    region_colour, other_colour = palette.SERIES[0], "#c6dbef"
    fills = {c: region_colour for c in k.medlemmer} | {c: other_colour for c in others}
    legend = [(k.navn, region_colour), (t("rapport.kart_andre"), other_colour), (t("kart.utenfor"), palette.OUTSIDE)]
    members = k.kommuner.filter(pl.col("kommunenummer").is_in(k.medlemmer))
    labels = [(n, lon, lat) for n, lon, lat in zip(members["kommunenavn_kort"], members["lon"], members["lat"])]
    if grenser.is_empty():
        return Lysbilde("kart", "kart", t("rapport.kart"), utvalg, kilde, tomt=t("rapport.ingen_grenser"))
    drawing = kart.Kart(
        kommuner=dict(zip(grenser["kommunenummer"], grenser["geometri"])),
        fylker=dict(zip(*k.q("kart_fylkesgrenser").get_columns())) or {},
        fyll=fills, etiketter=labels, fokus=list(k.medlemmer), tegnforklaring=legend,
        alt=t("rapport.kart_alt", navn=k.navn),
    )
    return Lysbilde("kart", "kart", t("rapport.kart"), utvalg, f"{kilde}; {t('felles.attribusjon_kart')}", kart=drawing,
                    punkter=[t("rapport.kart_tekst", navn=k.navn, n=len(k.medlemmer))])


def _timeline(k: Kilde, utvalg: str, kilde: str) -> Lysbilde:
    # the region's own collaborations and every other collaboration its municipalities take part in
    related = k.q("partnerskap", **(k.params | {"partnerskap": [], "kommuner": list(k.medlemmer)})) if k.medlemmer \
        else k.partnerskap
    dated = related.filter(pl.col("start_ar").is_not_null())
    if dated.is_empty():
        return Lysbilde("tidslinje", "tidslinje", t("side.tidslinje"), utvalg, kilde, tomt=t("rapport.ingen_periode"))
    label = tekster.kode_map("ordning", [*palette.STRANDS, "ikke_oppgitt"])
    colours = {label[s]: c for s, c in palette.STRANDS.items()} | {label["ikke_oppgitt"]: palette.NOT_STATED}
    ends = pl.coalesce("forlenget_til", "slutt_ar")
    rows = dated.select(
        pl.col("partnerskap_id").alias("id"), pl.col("kortnavn").alias("samarbeid"),
        pl.when(pl.col("ordninger").list.len() > 0).then("ordninger").otherwise(pl.lit(["ikke_oppgitt"])).alias("ordning"),
        pl.date("start_ar", 1, 1).alias("fra"), pl.date(pl.col("slutt_ar") + 1, 1, 1).alias("til"),
        pl.date(ends + 1, 1, 1).alias("slutt"),
        pl.col("periode_visning").str.replace_all("-", "–", literal=True).alias("periode"),
        pl.col("region").fill_null(t("felles.ikke_oppgitt")),
        pl.col("antall_kommuner_oppfort").alias("kommuner"),
    ).sort("fra", "samarbeid")
    bars = rows.explode("ordning").with_columns(
        pl.col("ordning").replace_strict(label, default=pl.col("ordning")),
        (pl.int_range(pl.len()).over("id") == pl.len().over("id") - 1).alias("er_siste"),
    )
    extensions = dated.filter(pl.col("forlenget_fra").is_not_null()).select(
        pl.col("kortnavn").alias("samarbeid"), pl.date("forlenget_fra", 1, 1).alias("fra"),
        pl.date(pl.col("forlenget_til") + 1, 1, 1).alias("til"))
    used = set(bars["ordning"])
    spec, data = charts.gantt(
        bars, extensions, today=dt.date.today(), order=rows["samarbeid"].to_list(),
        strands={k_: v for k_, v in colours.items() if k_ in used}, today_label=t("tidslinje.i_dag"),
        tooltip=[], legend_title=t("filter.ordning"))
    table = Tabell([t("kolonne.samarbeid"), t("kolonne.periode"), t("kolonne.ordninger"), t("kolonne.kommuner")], [
        [r["kortnavn"], (r["periode_visning"] or "").replace("-", "–"),
         ", ".join(tekster.kode("ordning", o) for o in r["ordninger"]) or t("felles.ikke_oppgitt"),
         fmt.tall(r["antall_kommuner_oppfort"])] for r in dated.sort("start_ar").iter_rows(named=True)],
        [False, False, False, True])
    return Lysbilde("tidslinje", "tidslinje", t("side.tidslinje"), utvalg, kilde,
                    spec=_values(spec, data), tabell=table,
                    punkter=[t("rapport.tidslinje_tekst")])


def _indicators(k: Kilde, g: str, utvalg: str, kilde: str) -> Lysbilde | None:
    data = k.indikatorer.filter(pl.col("respondentgruppe") == g)
    rounds = _rounds(data)
    if not rounds:
        return None
    navn, better = k.indicator_names(g)
    last = rounds[-1]
    now = data.filter(pl.col("runde") == last)
    before = now["fra_runde"].drop_nulls()
    previous = before[0] if len(before) else (rounds[-2] if len(rounds) > 1 else None)
    shown = [last] if previous is None else [previous, last]
    both = data.filter(pl.col("runde").is_in(shown))
    ids = [i for i in navn if i in set(now["indikator"])]
    title = t("rapport.indikatorer", gruppe=k.group_name(g))
    heading = f"{utvalg} · {k.group_name(g)} · {t('filter.runde')} {tekster.runde(last)}"
    series = []
    for r in shown:
        rows = {x["indikator"]: x for x in both.filter(pl.col("runde") == r).iter_rows(named=True)}
        series.append((tekster.runde(r), [None if rows.get(i) is None or rows[i]["undertrykt"] else round(rows[i]["skaar"])
                                          for i in ids]))
    diagram = Diagram("bar", [navn[i] for i in ids], series, t("skala.akse"), *SCORE_AXIS, kryss=500)
    points = both.filter(~pl.col("undertrykt")).select(
        pl.col("indikator").replace_strict(navn, default=pl.col("indikator")).alias("navn"),
        pl.col("runde").map_elements(tekster.runde, return_dtype=pl.Utf8).alias("gruppe"),
        pl.col("skaar").round(0), pl.col("ki_lav").round(0), pl.col("ki_hoy").round(0),
        pl.col("skaar").map_elements(fmt.skaar, return_dtype=pl.Utf8).alias("etikett"),
    ).sort(pl.col("navn").replace_strict({navn[i]: n for n, i in enumerate(ids)}, default=99), "gruppe")
    spec = charts.dot_intervals(points, x_title=t("skala.akse"), highlight=[], tooltip=[], grouped=True,
                                group_title=t("kolonne.runde")) if not points.is_empty() else None
    rows = []
    for r in now.iter_rows(named=True):
        if r["indikator"] not in navn:
            continue
        hidden = r["undertrykt"]
        rows.append([
            navn[r["indikator"]], _score(r["skaar"], hidden),
            _hidden() if hidden else f"{fmt.skaar(r['ki_lav'])}–{fmt.skaar(r['ki_hoy'])}",
            _hidden() if hidden else fmt.tall(r["snitt"], 2),
            _hidden() if hidden else fmt.endring(r["endring"]) if r["endring"] is not None else "–",
            "" if hidden or r["tydelig_endring"] is None else t("felles.ja" if r["tydelig_endring"] else "felles.nei"),
            _hidden() if hidden else fmt.tall(r["antall_svar"]),
        ])
    table = Tabell([t("rapport.indikator"), t("kolonne.skaar"), t("rapport.intervall"), t("kolonne.snitt"),
                    t("rapport.endring_fra", runde=tekster.runde(previous)) if previous else t("kolonne.endring"),
                    t("kolonne.tydelig"), t("kolonne.svar")], rows, [False, True, True, True, True, False, True])
    better_text = [t("rapport.lavere_bedre", indikator=navn[i]) for i in ids if not better.get(i, True)]
    return Lysbilde(
        f"indikatorer-{g}", "indikatorer", title, heading, kilde, n=_n_range(now["antall_svar"].to_list()),
        spec=_values(spec, points) if spec else None, diagram=diagram, tabell=table,
        punkter=better_text, skjulte=bool(now["undertrykt"].any()), skaarer=True,
    )


def _development(k: Kilde, g: str, utvalg: str, kilde: str) -> Lysbilde | None:
    data = k.indikatorer.filter(pl.col("respondentgruppe") == g)
    rounds = _rounds(data)
    if len(rounds) < 2:
        return None
    navn, _ = k.indicator_names(g)
    ids = [i for i in navn if i in set(data["indikator"])]
    data = data.filter(pl.col("runde").is_in(rounds))
    series = []
    for i in ids:
        by_round = {r["runde"]: r for r in data.filter(pl.col("indikator") == i).iter_rows(named=True)}
        series.append((navn[i], [None if r not in by_round or by_round[r]["undertrykt"] else round(by_round[r]["skaar"])
                                 for r in rounds]))
    labels = [tekster.runde(r) for r in rounds]
    diagram = Diagram("line", labels, series, t("skala.akse"), 400, 600)
    lines = data.filter(~pl.col("undertrykt")).sort("runde_sort").select(
        pl.col("indikator").replace_strict(navn, default=pl.col("indikator")).alias("navn"),
        pl.col("runde").map_elements(tekster.runde, return_dtype=pl.Utf8),
        pl.col("skaar").round(0), pl.col("endring").round(0),
        pl.when(pl.col("tydelig_endring").fill_null(False)).then(pl.lit(t("sammenligning.tydelig")))
        .otherwise(pl.lit(t("sammenligning.innenfor"))).alias("tydelig"),
    )
    lines = lines.with_columns(
        (pl.col("navn") + pl.lit(": ") + pl.col("skaar").map_elements(fmt.skaar, return_dtype=pl.Utf8)).alias("etikett"),
        (pl.int_range(pl.len()).over("navn") == pl.len().over("navn") - 1).alias("siste"),
    )
    spec = charts.lines(
        lines, order=labels, names=[navn[i] for i in ids], x_title=t("kolonne.runde"), y_title=t("skala.akse"),
        tooltip=[], shape_title=t("sammenligning.endring_fra_forrige"),
        shapes={t("sammenligning.tydelig"): "diamond", t("sammenligning.innenfor"): "circle"})
    rows = [[name, *[_hidden() if v is None and _was_hidden(data, i, r) else fmt.skaar(v) for v, r in zip(values, rounds)]]
            for (name, values), i in zip(series, ids)]
    table = Tabell([t("rapport.indikator"), *labels], rows, [False] + [True] * len(labels))
    return Lysbilde(
        f"utvikling-{g}", "utvikling", t("rapport.utvikling", gruppe=k.group_name(g)),
        f"{utvalg} · {k.group_name(g)}", kilde, n=_n_range(data["antall_svar"].to_list()),
        spec=_values(spec, lines), diagram=diagram, tabell=table, skjulte=bool(data["undertrykt"].any()), skaarer=True,
    )


def _was_hidden(data: pl.DataFrame, indikator: str, runde: str) -> bool:
    row = data.filter((pl.col("indikator") == indikator) & (pl.col("runde") == runde))
    return not row.is_empty() and bool(row["undertrykt"][0])


def _municipalities(k: Kilde, g: str, utvalg: str, kilde: str) -> Lysbilde | None:
    data = k.indikatorer.filter(pl.col("respondentgruppe") == g)
    rounds = _rounds(data)
    if not rounds or k.region.niva != "partnerskap":
        return None
    last = rounds[-1]
    cells = k.q("indikator_uttrekk", **k.params, enhetstyper=[], respondentgruppe=g, runde=last, niva="kommune")
    cells = cells.filter(pl.col("gruppering") == "alle")
    if cells.is_empty():
        return None
    navn, better = k.indicator_names(g)
    ids = [i for i in navn if i in set(cells["indikator"])]
    places = sorted(set(cells["niva_navn"]))
    by_cell = {(r["niva_navn"], r["indikator"]): r for r in cells.iter_rows(named=True)}
    rows, fills = [], []
    for p in places:
        row, fill = [p], [None]
        for i in ids:
            r = by_cell.get((p, i))
            if r is None or r["undertrykt"] or r["skaar"] is None:
                row.append(_hidden() if r is not None and r["undertrykt"] else "–")
                fill.append(None)
            else:
                row.append(fmt.skaar(r["skaar"]))
                fill.append(palette.score_fill(r["skaar"], better.get(i, True)))
        rows.append(row)
        fills.append(fill)
    frame = cells.filter(pl.col("indikator").is_in(ids)).select(
        pl.col("niva_navn").alias("rad"), pl.col("indikator").replace_strict(navn).alias("kolonne"),
        pl.col("indikator"), pl.col("skaar").round(0).alias("verdi"), pl.col("antall_svar").alias("svar"),
        pl.when(pl.col("undertrykt")).then(pl.lit("–")).otherwise(
            pl.col("skaar").map_elements(fmt.skaar, return_dtype=pl.Utf8)).alias("tekst"),
    )
    classes = [t(f"skala.klasse_{c}") for c in range(len(palette.SCORE_CLASSES))]
    good = [palette.goodness(v, better.get(i, True)) for v, i in zip(frame["verdi"], frame["indikator"])]
    frame = frame.drop("indikator").with_columns(
        pl.Series("klasse", [None if c is None else classes[c] for c in good], dtype=pl.Utf8),
        pl.Series("tekstfarge", [palette.INK if c is None else palette.text_on(palette.SCORE_CLASSES[c])
                                 for c in good], dtype=pl.Utf8))
    spec = charts.heatmap(frame, rows=places, columns=[navn[i] for i in ids], edges=palette.SCORE_EDGES,
                          colours=palette.SCORE_CLASSES, legend_title=t("skala.klasse_tittel"), tooltip=[],
                          classes=classes)
    return Lysbilde(
        f"kommuner-{g}", "kommuner", t("rapport.kommuner_tittel", gruppe=k.group_name(g)),
        f"{utvalg} · {k.group_name(g)} · {t('filter.runde')} {tekster.runde(last)}", kilde,
        n=_n_range(cells["antall_svar"].to_list()), spec=_values(spec, frame),
        punkter=[t("rapport.lavere_bedre", indikator=navn[i]) for i in ids if not better.get(i, True)],
        tabell=Tabell([t("kolonne.kommune"), *[navn[i] for i in ids]], rows, [False] + [True] * len(ids), fills),
        skjulte=bool(cells["undertrykt"].any()), skaarer=True,
    )


def _mapping(k: Kilde, utvalg: str, kilde: str) -> Lysbilde:
    title = t("rapport.kartlegging")
    data = k.q("kartlegging", **k.params, niva=k.region.niva, runde="siste")
    data = data.filter(pl.col("niva_id") == k.region.id)
    if data.is_empty():
        return Lysbilde("kartlegging", "kartlegging", title, utvalg, kilde, tomt=t("rapport.ingen_kartlegging"))
    runde = data["runde"][0]
    areas = {a: tekster.kode("omrade", a, n) for a, n in zip(data["omrade"], data["omrade_navn"])}
    roles = {r: tekster.kode("rolle", r, n) for r, n in zip(data["rolle"], data["rolle_navn"])}
    everyone = data.filter(pl.col("rolle") == "alle").sort("behov", descending=True, nulls_last=True)
    order = everyone["omrade"].to_list()
    diagram = Diagram("bar", [areas[a] for a in order], [
        (t("kartlegging.kompetanse"), [None if u else round(v, 2) for v, u in zip(everyone["kompetanse"], everyone["undertrykt"])]),
        (t("kartlegging.behov"), [None if u else round(v, 2) for v, u in zip(everyone["behov"], everyone["undertrykt"])]),
    ], t("rapport.skala_1_5"), 1, 5, format="0.0")
    rows = [[areas[r["omrade"]],
             *([_hidden()] * 3 if r["undertrykt"] else
               [fmt.tall(r["kompetanse"], 1), fmt.tall(r["behov"], 1), fmt.endring(r["gap"], 1)]),
             _hidden() if r["undertrykt"] else fmt.tall(r["antall_svar"])] for r in everyone.iter_rows(named=True)]
    table = Tabell([t("kolonne.omrade"), t("kartlegging.kompetanse_kort"), t("kartlegging.behov_kort"),
                    t("kartlegging.gap_kort"), t("kolonne.svar")], rows, [False, True, True, True, True])
    heat = data.filter(pl.col("rolle") != "alle")
    frame = heat.select(
        pl.col("rolle").replace_strict(roles).alias("rad"), pl.col("omrade").replace_strict(areas).alias("kolonne"),
        pl.col("behov").round(2).alias("verdi"), pl.col("antall_svar").alias("svar"),
        pl.col("behov").map_elements(lambda v: fmt.tall(v, 1), return_dtype=pl.Utf8, skip_nulls=False).alias("tekst"),
    )
    frame = frame.with_columns(pl.Series("tekstfarge", [
        palette.INK if v is None else palette.text_on(palette.NEED_CLASSES[palette.classes(v, palette.NEED_EDGES)])
        for v in frame["verdi"]], dtype=pl.Utf8))
    spec = charts.heatmap(frame, rows=list(dict.fromkeys(frame["rad"])), columns=[areas[a] for a in order],
                          edges=palette.NEED_EDGES, colours=palette.NEED_CLASSES,
                          legend_title=t("kartlegging.behov_kort"), tooltip=[]) if not frame.is_empty() else None
    return Lysbilde(
        "kartlegging", "kartlegging", title, f"{utvalg} · {t('filter.runde')} {tekster.runde(runde)}", kilde,
        n=_n_range(everyone["antall_svar"].to_list()), diagram=diagram, tabell=table,
        spec=_values(spec, frame) if spec else None, punkter=[t("rapport.kartlegging_tekst")],
        skjulte=bool(data["undertrykt"].any()),
    )


def _public(k: Kilde, utvalg: str) -> Lysbilde:
    loaded = bool(k.q("rapport_offentlig_finnes")["finnes"][0])
    return Lysbilde("offentlig", "offentlig", t("rapport.offentlig"), utvalg, t("rapport.offentlig_kilde"),
                    tomt=t("rapport.offentlig_ikke_koblet" if loaded else "rapport.offentlig_mangler"))


def _sources(k: Kilde, utvalg: str, kilde: str, referanse: str) -> Lysbilde:
    docs = k.q("kilder")
    used = {d for ds in k.partnerskap["kilder"] for d in ds}
    points = [
        f"«{r['tittel']}» ({r['utgiver']}{', ' + fmt.dato(r['dato']) if r['dato'] else ''})"
        for r in docs.iter_rows(named=True) if r["dokument"] in used
    ]
    points += [t("eksport.kilde"), t("rapport.kilde_grenser"), t("rapport.referanse", referanse=referanse),
               t("rapport.skjult_regel", k=k.min_svar)]
    if k.syntetisk:
        points.append(t("felles.demo_banner").replace("**", ""))
    return Lysbilde("kilder", "kilder", t("rapport.kilder"), utvalg, kilde, punkter=points)


def build(query: Query, region: Region, lang: str, visninger: tuple[str, ...] = VISNINGER) -> Rapport:
    """The slides of a region in `lang`, for the chosen kinds of view, in the report's order."""
    with tekster.sprak(lang):
        k = Kilde(query, region)
        utvalg = k.navn
        kilde = t("eksport.kilde")
        refs = query("referanse")
        referanse = ", ".join(sorted(set(refs["referanse"].drop_nulls()))) or t("felles.ikke_oppgitt")
        slides: list[Lysbilde | None] = []
        main = k.grupper[:1]
        for kind in visninger:
            if kind == "tittel":
                slides.append(_title(k, utvalg, kilde))
            elif kind == "nokkeltall":
                slides.append(_key_facts(k, utvalg, kilde))
            elif kind == "kart":
                slides.append(_map(k, utvalg, kilde))
            elif kind == "tidslinje":
                slides.append(_timeline(k, utvalg, kilde))
            elif kind == "indikatorer":
                slides += [_indicators(k, g, utvalg, kilde) for g in k.grupper]
            elif kind == "utvikling":
                slides += [_development(k, g, utvalg, kilde) for g in main]
            elif kind == "kommuner":
                slides += [_municipalities(k, g, utvalg, kilde) for g in main]
            elif kind == "kartlegging":
                slides.append(_mapping(k, utvalg, kilde))
            elif kind == "offentlig":
                slides.append(_public(k, utvalg))
            elif kind == "kilder":
                slides.append(_sources(k, utvalg, kilde, referanse))
        return Rapport(region, k.navn, lang, dt.date.today(), k.syntetisk, k.min_svar, referanse,
                       [s for s in slides if s is not None])

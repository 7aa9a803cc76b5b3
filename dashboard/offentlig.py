"""Offentlig statistikk: the page's texts (all in one place), number formats, charts and map.

The figures are real (Udir, NLOD 2.0) and carry «Kilde: Utdanningsdirektoratet»; nothing here
computes a number from other numbers: every value, bound and note comes from mart_offentlig.
"""

from __future__ import annotations

import json
import math

import altair as alt
import polars as pl
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from dashboard import fmt, palette

# --- user-facing texts (bokmål; one place, so they move into the catalogue in one piece) ---------
T = {
    "tittel": "Offentlig statistikk fra Udir",
    "merke": "Ekte tall · Kilde: Utdanningsdirektoratet",
    "intro": (
        "Offentlige tall fra Utdanningsdirektoratets statistikkbank for kommunene i et samarbeid, "
        "samarbeidet samlet, fylket og hele landet. Dette er ekte tall, ikke demodata."
    ),
    "kilde": "Kilde: Utdanningsdirektoratet (statistikkbanken), lisens NLOD 2.0.",
    "samarbeid": "Samarbeid",
    "indikator": "Indikator",
    "skolear": "Skoleår",
    "ingen_samarbeid": (
        "Ingen samarbeid med navngitte kommuner passer med filtrene. Endre eller nullstill filtrene "
        "i sidepanelet."
    ),
    "ingen_tall": "Lageret har ingen offentlig statistikk fra Udir. Bygg lageret på nytt (`python -m etl build`).",
    "uten_kommuner": "Kildene navngir ingen kommuner for {navn}, så det finnes ingen tall å vise.",
    "periode": "**Periode:** {periode}",
    "periode_ukjent": "**Periode:** ikke oppgitt i kilden – samarbeidsperioden kan ikke markeres.",
    "kommuner": "**Kommuner:** {kommuner}",
    "aar_etter": "Skoleår med tall **etter** samarbeidsperioden: {aar}.",
    "aar_under": "Skoleår med tall som overlapper samarbeidsperioden: {aar}.",
    "aar_for": "Skoleår med tall **før** samarbeidsperioden: {aar}.",
    "aar_uten_periode": "Skoleår med tall: {aar}.",
    "aar_ingen_overlapp": (
        "Ingen av tallene er fra samarbeidsperioden: de beskriver situasjonen før eller etter, ikke "
        "hva samarbeidet førte til."
    ),
    "barnehage": (
        "Ifølge kilden gjelder samarbeidet {typer}; Udirs tall her gjelder grunnskolen i hele kommunen."
    ),
    "enhet": (
        "Samarbeidet gjelder én enhet ({enheter}); Udirs tall gjelder hele kommunen, ikke bare enheten."
    ),
    "over_tid": "Samarbeidet, fylket og landet per skoleår",
    "kommunene": "Kommunene i samarbeidet, skoleår {aar}",
    "band": "Skoleår i samarbeidsperioden",
    "band_forklaring": (
        "Det skyggelagte feltet er skoleårene som overlapper samarbeidsperioden {periode}. "
        "Streken gjennom et punkt er grensene for et tall som ikke kan regnes ut fordi Udir har "
        "skjult en kommune."
    ),
    "ikke_summerbar": (
        "{navn} kan ikke regnes sammen for samarbeidet eller hele landet ({grunn}). Her vises "
        "kommunene og Udirs egne fylkestall."
    ),
    "ingen_i_samarbeid": (
        "Udir har ingen tall for {navn} i kommunene i {samarbeid} i lageret. Kartet viser kommunene "
        "som har tall."
    ),
    "ingen_graf": "Ingen tall å vise her.",
    "grunn_median": "en median kan ikke regnes fra kommunenes medianer",
    "grunn_oppgitt": "Udir oppgir bare andelen, ikke antall svar",
    "brudd": "**Tidsserien:** {tekst}",
    "brudd_kort": "Brudd: ny opplæringslov",
    "tabell": "Alle tallene",
    "last_ned": "Last ned CSV",
    "kart": "Kart over kommunene, skoleår {aar}",
    "kart_alt": "Kart over Norges kommuner farget etter {navn}, skoleår {aar}",
    "kart_punkter": "Kommunegrensene er ikke lastet: kommunene vises som punkter.",
    "kart_ramme": "Samarbeidets kommuner (tykk kant)",
    "skjult": "Skjult av Udir («*»)",
    "ingen": "Ingen tall",
    "les_riktig": "Les tallene riktig",
    "to_aar": "Dette kan du ikke lese ut av {n} skoleår",
    "om_tallene": "Slik er tallene regnet",
    "kilder": "Kilder, lisens og hentedato",
    "kilder_tekst": (
        "Tallene er Udirs egne (statistikkbanken, lisens NLOD 2.0, «Kilde: Utdanningsdirektoratet»). "
        "Svarene som følger med dashbordet, ble lagret av det offentlige prosjektet terchris/atlas; "
        "datoen de ble hentet, er ikke registrert. Svar hentet med `python -m etl fetch udir` "
        "har sin egen hentedato."
    ),
}

IKKE_KONKLUDER = [
    ("**En endring fra ett skoleår til det neste er ikke en trend.** To punkter kan ikke skille en "
    "varig utvikling fra vanlig variasjon fra år til år."),
    ("**Tallene viser ikke om samarbeidet virket.** De fleste samarbeidene startet før det første "
    "skoleåret med tall, det finnes ingen sammenligningsgruppe, og mye annet endret seg samtidig "
    "(ny opplæringslov fra august 2024, elevtall, praksis for sakkyndige vurderinger og vedtak)."),
    ("**Små kommuner svinger mye.** Noen få elever flytter en andel flere prosentpoeng, og Udir skjuler "
    "de minste tallene. Se på antallet (nevneren) før du sammenligner."),
    ("**Lavere andel med individuelt tilrettelagt opplæring er ikke i seg selv bedre.** Den kan bety "
    "bedre tilpasset ordinær opplæring, men også endret praksis for vedtak eller færre sakkyndige "
    "vurderinger."),
    ("**Nasjonale prøver og fravær finnes bare for ett skoleår her,** og mobbetall bare for noen få "
    "kommuner: der kan ingen endring vurderes."),
    ("**Samarbeidet, fylket og landet er ikke uavhengige.** Fylket og landet inneholder samarbeidets "
    "egne kommuner."),
]
OM_TALLENE = [
    ("«*» i Udirs tabeller betyr at Udir har skjult tallet for å verne elevenes personvern. Det vises som "
    "«skjult av Udir», aldri som 0. Et tall for samarbeidet eller landet som bygger på en skjult "
    "kommune, regnes ikke ut; for andeler vises grensene tallet må ligge innenfor (den skjulte "
    "kommunens teller ligger mellom 0 og antall elever)."),
    ("Andeler for samarbeid og hele landet er summen av tellerne delt på summen av nevnerne, aldri et "
    "snitt av kommunenes andeler. Snitt (nasjonale prøver, fravær) er vektet med antall elever."),
    ("Fylkene er Udirs egne tall og omfatter også kommunene med skjulte tall. Hele landet er summen av "
    "de 15 fylkene: Svalbard er med i Troms slik Udir teller det, norske skoler i utlandet er ikke med."),
    "En kommune som mangler i Udirs tabell, regnes som «ikke rapportert», ikke som 0.",
]

NIVA = {"kommune": "Kommune", "partnerskap": "Samarbeidet", "fylke": "Fylke", "land": "Hele landet"}
ENHET = {"prosent": "\u00a0%", "dager": "\u00a0dager", "timer": "\u00a0timer"}
FARGER = {"partnerskap": "#1f4e8c", "fylke": "#d9822b", "fylke2": "#a65d12", "land": "#5b5b5b", "kommune": "#8fb4dd"}
SEKVENS = ["#d0d1e6", "#a6bddb", "#74a9cf", "#2b8cbe", "#045a8d"]  # ColorBrewer PuBu (6 classes, lightest dropped)
SKJULT_FARGE = [140, 140, 140, 255]
INGEN_FARGE = [255, 255, 255, 255]
RAMME = [20, 20, 20, 255]


# --- numbers ---------------------------------------------------------------------------------------


def skolear_label(ar: int) -> str:
    return f"{ar}–{(ar + 1) % 100:02d}"


def tall(value: float | None, enhet: str, desimaler: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return fmt.tall(value, desimaler) + ENHET.get(enhet, "")


def verdi_tekst(row: dict, enhet: str, desimaler: int) -> str:
    """How a figure reads on the page: the value, or why there is none, with the honest bounds."""
    status = row["status"]
    if status == "ok":
        return tall(row["verdi"], enhet, desimaler)
    if status == "delvis":
        if row.get("antall_skjult") and row.get("antall_skjult") == row.get("antall_omrader"):
            return "skjult av Udir"
        if row.get("nedre") is not None and row.get("ovre") is not None:
            return f"skjult – mellom {tall(row['nedre'], enhet, desimaler)} og {tall(row['ovre'], enhet, desimaler)}"
        if row.get("nedre") is not None:
            return f"skjult – minst {tall(row['nedre'], enhet, desimaler)}"
        return "kan ikke regnes ut (skjult kommune)"
    if status == "skjult":
        return "skjult av Udir"
    return "ingen tall"


def omrade_navn(row: dict) -> str:
    if row["niva"] == "fylke":
        return f"{row['niva_navn']} (fylke)"
    if row["niva"] == "partnerskap":
        return f"{row['niva_navn']} samlet"
    return row["niva_navn"]


def with_text(rows: pl.DataFrame, enhet: str, desimaler: int) -> pl.DataFrame:
    texts = [verdi_tekst(r, enhet, desimaler) for r in rows.iter_rows(named=True)]
    names = [omrade_navn(r) for r in rows.iter_rows(named=True)]
    return rows.with_columns(
        pl.Series("tekst", texts, pl.Utf8), pl.Series("omrade", names, pl.Utf8),
        pl.col("ar").map_elements(skolear_label, return_dtype=pl.Utf8).alias("skolear_tekst"),
    )


def periode_tekst(aar: list[int], start: int | None, slutt: int | None) -> str:
    """How the school years with figures lie against the collaboration's calendar years."""
    if not aar:
        return ""
    if start is None and slutt is None:
        return T["aar_uten_periode"].format(aar=" og ".join(skolear_label(a) for a in aar))
    start, slutt = start or slutt, slutt or start
    groups = {"for": [], "under": [], "etter": []}
    for a in aar:
        groups["etter" if a > slutt else "for" if a + 1 < start else "under"].append(skolear_label(a))
    parts = [T[f"aar_{k}"].format(aar=" og ".join(v)) for k, v in groups.items() if v]
    text = " ".join(parts)
    if not groups["under"]:
        text += " " + T["aar_ingen_overlapp"]
    return text


def period_years(start: int | None, slutt: int | None) -> tuple[int, int] | None:
    """The school years (by their first year) that overlap the calendar years start..slutt."""
    if start is None and slutt is None:
        return None
    return ((start or slutt) - 1, slutt or start)


# --- charts ----------------------------------------------------------------------------------------


def _colour_scale(rows: pl.DataFrame) -> alt.Scale:
    names, colours = [], []
    fylker = 0
    for niva, omrade in rows.select("niva", "omrade").unique(maintain_order=True).iter_rows():
        names.append(omrade)
        if niva == "fylke":
            colours.append(FARGER["fylke2" if fylker else "fylke"])
            fylker += 1
        else:
            colours.append(FARGER.get(niva, FARGER["kommune"]))
    return alt.Scale(domain=names, range=colours)


def over_time(rows: pl.DataFrame, periode: tuple[int, int] | None, enhet: str, zero: bool,
              brudd_ar: int | None = None) -> alt.LayerChart:
    """Collaboration, counties and country across school years; the collaboration's period shaded,
    a series break marked before its first school year."""
    data = rows.filter(pl.col("niva") != "kommune")
    years = data["ar"].to_list() + (list(periode) if periode else [])
    first, last = min(years), max(years)
    x_scale = alt.Scale(domain=[first - 0.5, last + 0.5], nice=False)
    x = alt.X(
        "ar:Q", title=T["skolear"], scale=x_scale,
        axis=alt.Axis(values=list(range(first, last + 1)), labelExpr=_school_year_expr(), grid=False,
                      labelOverlap=False, labelAngle=0, labelFontSize=13),
    )
    y_title = {"prosent": "Prosent"}.get(enhet, enhet.capitalize())
    colour = alt.Color("omrade:N", title=None, scale=_colour_scale(data), legend=alt.Legend(orient="bottom"))
    tooltip = [alt.Tooltip("omrade:N", title="Område"), alt.Tooltip("skolear_tekst:N", title="Skoleår"),
               alt.Tooltip("tekst:N", title="Verdi")]
    base = alt.Chart(data)
    ok = base.transform_filter("datum.verdi != null")
    layers = []
    if periode:
        band = pl.DataFrame({"fra": [max(periode[0], first) - 0.45], "til": [min(periode[1], last) + 0.45],
                             "navn": [T["band"]]})
        layers.append(alt.Chart(band).mark_rect(color="#f6e7b4", opacity=0.7).encode(
            x=alt.X("fra:Q", scale=x_scale), x2="til:Q", tooltip=[alt.Tooltip("navn:N", title="")]))
        layers.append(alt.Chart(band).mark_text(align="left", baseline="top", dx=4, dy=4, color="#7a6520",
                                                fontSize=13).encode(x=alt.X("fra:Q", scale=x_scale),
                                                                    y=alt.value(0), text="navn:N"))
    if brudd_ar is not None and first < brudd_ar <= last:
        rule = pl.DataFrame({"x": [brudd_ar - 0.5], "navn": [T["brudd_kort"]]})
        layers.append(alt.Chart(rule).mark_rule(strokeDash=[6, 4], color="#b03a2e", strokeWidth=2).encode(
            x=alt.X("x:Q", scale=x_scale), tooltip=[alt.Tooltip("navn:N", title="")]))
        layers.append(alt.Chart(rule).mark_text(align="right", baseline="top", dx=-4, dy=24, color="#b03a2e",
                                                fontSize=13).encode(x=alt.X("x:Q", scale=x_scale), y=alt.value(0),
                                                                    text="navn:N"))
    y_scale = alt.Scale(zero=True) if zero else alt.Scale(domain=_padded(data), nice=False)
    layers += [
        ok.mark_line(strokeWidth=3).encode(x=x, y=alt.Y("verdi:Q", title=y_title, scale=y_scale),
                                           color=colour),
        ok.mark_point(size=120, filled=True).encode(x=x, y="verdi:Q", color=colour, tooltip=tooltip),
        base.transform_filter("datum.nedre != null && datum.ovre != null").mark_rule(strokeWidth=4, opacity=0.6)
        .encode(x=x, y="nedre:Q", y2="ovre:Q", color=colour, tooltip=tooltip),
        base.transform_filter("datum.nedre != null && datum.ovre != null").mark_point(size=120, filled=False, strokeWidth=2)
        .encode(x=x, y=alt.Y("nedre:Q"), color=colour, shape=alt.value("triangle-up"), tooltip=tooltip),
    ]
    return alt.layer(*layers).properties(height=340)


def _padded(data: pl.DataFrame) -> list[float]:
    """A value axis that does not start at zero (scale scores) but keeps differences in proportion:
    at least five points either side, so a one-point gap never fills the chart."""
    shown = [v for c in ("verdi", "nedre", "ovre") for v in data[c].to_list() if v is not None] or [0.0]
    low, high = min(shown), max(shown)
    pad = max((high - low) * 0.5, 5.0)
    return [math.floor(low - pad), math.ceil(high + pad)]


def _school_year_expr() -> str:
    return "datum.value + '–' + substring(toString(datum.value + 1), 2, 4)"


def municipalities(rows: pl.DataFrame, enhet: str, zero: bool) -> alt.LayerChart:
    """One bar (a dot for scale scores) per municipality, then the collaboration, its counties and
    the country; a figure that cannot be given shows its text instead."""
    order = {"partnerskap": 0, "kommune": 1, "fylke": 2, "land": 3}
    data = rows.with_columns(pl.col("niva").replace_strict(order, return_dtype=pl.Int32).alias("rekke")).sort(
        "rekke", pl.col("verdi").fill_null(-1e18), descending=[False, True])
    shown = [v for v in data["verdi"].to_list() + data["nedre"].to_list() + data["ovre"].to_list() if v is not None]
    high = max(shown) if shown else 1.0
    start = 0.0 if zero else _padded(data)[0]
    data = data.with_columns(pl.coalesce("ovre", "verdi", pl.lit(start)).alias("etikett_x"))
    title = {"prosent": "Prosent"}.get(enhet, enhet.capitalize())
    # room on the right for the value texts inside the plot (else the plot shrinks to fit them)
    scale = alt.Scale(domain=[start, high + (high - start) * 0.6], nice=False, zero=zero)
    y = alt.Y("omrade:N", title=None, sort=data["omrade"].to_list(), axis=alt.Axis(labelLimit=260))
    colour = alt.Color("omrade:N", scale=_colour_scale(data), legend=None)
    tooltip = [alt.Tooltip("omrade:N", title="Område"), alt.Tooltip("tekst:N", title="Verdi")]
    base = alt.Chart(data)
    shown_rows = base.transform_filter("datum.verdi != null")
    x = alt.X("verdi:Q", title=title, scale=scale)
    marks = (shown_rows.mark_bar(height=18) if zero else shown_rows.mark_point(size=180, filled=True)).encode(
        y=y, x=x, color=colour, tooltip=tooltip)
    bounds = base.transform_filter("datum.nedre != null && datum.ovre != null").mark_rule(
        strokeWidth=6, opacity=0.55).encode(y=y, x=alt.X("nedre:Q", title=title, scale=scale), x2="ovre:Q",
                                            color=colour, tooltip=tooltip)
    labels = base.mark_text(align="left", dx=8, fontSize=13).encode(
        y=y, x=alt.X("etikett_x:Q", title=title, scale=scale), text="tekst:N", tooltip=tooltip)
    return alt.layer(marks, bounds, labels).properties(height=40 + 30 * data.height)


# --- map -------------------------------------------------------------------------------------------


class CompactDeck(pdk.Deck):
    """pydeck indents its JSON (two spaces per level of every coordinate): write it compact."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


def classes(values: list[float]) -> list[float]:
    """Four edges that split the municipalities' values into five groups of about equal size."""
    ordered = sorted(values)
    if not ordered:
        return []
    return [ordered[min(len(ordered) - 1, int(len(ordered) * q / 5))] for q in range(1, 5)]


def class_colour(value: float, edges: list[float]) -> list[int]:
    return palette.rgb(SEKVENS[sum(value >= e for e in edges)])


def legend(edges: list[float], values: list[float], enhet: str, desimaler: int) -> list[tuple[str, list[int]]]:
    if not values:
        return []
    bounds = [min(values), *edges, max(values)]
    items = []
    for i in range(5):
        lo, hi = bounds[i], bounds[i + 1]
        items.append((f"{tall(lo, enhet, desimaler)} – {tall(hi, enhet, desimaler)}", palette.rgb(SEKVENS[i])))
    return items


def map_deck(kart: pl.DataFrame, punkter: pl.DataFrame, geometrier: dict, fylker: dict, medlemmer: set[str],
             enhet: str, desimaler: int) -> tuple[CompactDeck, list[tuple[str, list[int]]]]:
    """Municipalities coloured by the figure (five classes), the collaboration's outlined."""
    values = [v for v, s in zip(kart["verdi"], kart["status"]) if s == "ok" and v is not None]
    edges = classes(values)
    by_code = {r["kommunenummer"]: r for r in kart.iter_rows(named=True)}
    rows = []
    for p in punkter.iter_rows(named=True):
        r = by_code.get(p["kommunenummer"])
        if r is None or r["status"] == "mangler":
            colour, text = INGEN_FARGE, "ingen tall"
        elif r["status"] == "skjult":
            colour, text = SKJULT_FARGE, "skjult av Udir"
        else:
            colour, text = class_colour(r["verdi"], edges), tall(r["verdi"], enhet, desimaler)
        rows.append({"kommunenummer": p["kommunenummer"], "kommunenavn": p["kommunenavn_kort"], "verdi": text,
                     "farge": colour, "lat": p["lat"], "lon": p["lon"],
                     "medlem": "i samarbeidet" if p["kommunenummer"] in medlemmer else ""})
    layers = []
    if geometrier:
        features = [{"type": "Feature", "geometry": geometrier[r["kommunenummer"]], "properties": r}
                    for r in rows if r["kommunenummer"] in geometrier]
        layers.append(pdk.Layer(
            "GeoJsonLayer", {"type": "FeatureCollection", "features": features}, id="kommuner",
            get_fill_color="properties.farge", get_line_color=[255, 255, 255, 200], line_width_min_pixels=0.5,
            pickable=True, auto_highlight=True, highlight_color=[255, 200, 0, 160],
        ))
        if fylker:
            layers.append(pdk.Layer(
                "GeoJsonLayer", {"type": "FeatureCollection", "features": [
                    {"type": "Feature", "geometry": g, "properties": {}} for g in fylker.values()]},
                id="fylker", filled=False, stroked=True, get_line_color=[90, 90, 90, 255], line_width_min_pixels=1,
            ))
        layers.append(pdk.Layer(
            "GeoJsonLayer", {"type": "FeatureCollection", "features": [f for f in features if f["properties"]["medlem"]]},
            id="samarbeid", filled=False, stroked=True, get_line_color=RAMME, line_width_min_pixels=3,
        ))
    else:
        layers.append(pdk.Layer(
            "ScatterplotLayer", rows, id="kommuner", get_position="[lon, lat]", get_fill_color="farge",
            get_radius=6000, radius_min_pixels=3, radius_max_pixels=14, pickable=True, stroked=True,
            get_line_color=[80, 80, 80], line_width_min_pixels=0.5,
        ))
    deck = CompactDeck(
        layers=layers, map_provider=None,  # no basemap: the page sends nothing out
        tooltip={"html": "<b>{kommunenavn}</b> ({kommunenummer})<br/>{verdi}<br/>{medlem}",
                 "style": {"backgroundColor": "#1b2631", "color": "white", "fontSize": "14px"}},
        initial_view_state=pdk.ViewState(latitude=65.2, longitude=16.5, zoom=3.25),
    )
    items = legend(edges, values, enhet, desimaler) + [(T["skjult"], SKJULT_FARGE), (T["ingen"], INGEN_FARGE)]
    return deck, items

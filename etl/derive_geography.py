"""Regenerate the committed geography reference tables in ``data/geo/``.

    python -m etl.derive_geography ../shared/geo

Reads Kartverket's municipality and county boundaries (CC BY 4.0, simplified copies described in
``../shared/geo/README.md``) and writes three small CSV files that are committed as reference
facts, so the project never needs the boundary files to build:

- ``kommuner_2024.csv``: the 357 municipalities of 2024 with short display names, county and a
  representative point that lies inside the municipality;
- ``fylker_2024.csv``: the 15 counties, likewise;
- ``kommunenummer_historikk.csv``: older municipality codes mapped to 2024 codes. Codes of
  2020-2023 are matched to 2024 by area overlap of the two boundary sets; older codes (2016-2019)
  come from the well-documented 2017, 2018 and 2020 reforms listed below.

This is a maintenance script, not part of the build. It needs ``shapely>=2`` (not a project
dependency): ``pip install shapely`` in a throwaway environment.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
import sys
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parents[1] / "data" / "geo"

# The 2024 names give Sámi/Kven forms first for some municipalities; the display name is the
# Norwegian form.
SHORT_NAMES = {
    "1826": "Hattfjelldal",
    "1841": "Fauske",
    "1853": "Evenes",
    "1870": "Sortland",
    "1875": "Hamarøy",
    "5001": "Trondheim",
    "5007": "Namsos",
    "5025": "Røros",
    "5041": "Snåsa",
    "5043": "Røyrvik",
    "5503": "Harstad",
    "5512": "Tjeldsund",
    "5518": "Lavangen",
    "5538": "Storfjord",
    "5540": "Kåfjord",
    "5544": "Nordreisa",
    "5603": "Hammerfest",
    "5610": "Karasjok",
    "5612": "Kautokeino",
    "5622": "Porsanger",
    "5628": "Tana",
    "5636": "Nesseby",
}

# Only used to tell apart namesakes among the 2020-2023 names.
FYLKER_2020 = {
    "03": "Oslo", "11": "Rogaland", "15": "Møre og Romsdal", "18": "Nordland", "30": "Viken",
    "34": "Innlandet", "38": "Vestfold og Telemark", "42": "Agder", "46": "Vestland",
    "50": "Trøndelag", "54": "Troms og Finnmark",
}  # fmt: skip

# Two island municipalities are too small to survive the simplification of the 2020 file. Both
# kept their codes in 2024, so they need no row in the correspondence.
MISSING_FROM_2020_FILE = {"1144": "Kvitsøy", "1835": "Træna"}

# Known code changes before 2020, as "old code, name, code in the next structure", keyed by
# (first year covered, last year the code was valid). Codes older than the table's coverage get
# 2016 as first year. Codes unchanged up to 2024 are left out (a 2024 code maps to itself).
KNOWN_CHANGES = {
    # Merged on 1.1.2017 (Vestfold).
    (2016, 2016): """
        0706 Sandefjord 0710
        0716 Re 0704
        0719 Andebu 0710
        0720 Stokke 0710
    """,
    # Merged on 1.1.2018 (Vestfold, Indre Fosen), and the two Trøndelag counties renumbered 50xx.
    (2016, 2017): """
        0702 Holmestrand 0715
        0709 Larvik 0712
        0714 Hof 0715
        0722 Nøtterøy 0729
        0723 Tjøme 0729
        0728 Lardal 0712
        1601 Trondheim 5001
        1612 Hemne 5011
        1613 Snillfjord 5012
        1617 Hitra 5013
        1620 Frøya 5014
        1621 Ørland 5015
        1622 Agdenes 5016
        1624 Rissa 5054
        1627 Bjugn 5017
        1630 Åfjord 5018
        1632 Roan 5019
        1633 Osen 5020
        1634 Oppdal 5021
        1635 Rennebu 5022
        1636 Meldal 5023
        1638 Orkdal 5024
        1640 Røros 5025
        1644 Holtålen 5026
        1648 Midtre Gauldal 5027
        1653 Melhus 5028
        1657 Skaun 5029
        1662 Klæbu 5030
        1663 Malvik 5031
        1664 Selbu 5032
        1665 Tydal 5033
        1702 Steinkjer 5004
        1703 Namsos 5005
        1711 Meråker 5034
        1714 Stjørdal 5035
        1717 Frosta 5036
        1718 Leksvik 5054
        1719 Levanger 5037
        1721 Verdal 5038
        1724 Verran 5039
        1725 Namdalseid 5040
        1736 Snåsa 5041
        1738 Lierne 5042
        1739 Røyrvik 5043
        1740 Namsskogan 5044
        1742 Grong 5045
        1743 Høylandet 5046
        1744 Overhalla 5047
        1748 Fosnes 5048
        1749 Flatanger 5049
        1750 Vikna 5050
        1751 Nærøy 5051
        1755 Leka 5052
        1756 Inderøy 5053
    """,
    # Sandefjord's code from the 2017 merger, and codes from the 2018 changes, until 2020.
    (2017, 2019): """
        0710 Sandefjord 3804
    """,
    (2018, 2019): """
        0712 Larvik 3805
        0715 Holmestrand 3802
        0729 Færder 3811
        5004 Steinkjer 5006
        5005 Namsos 5007
        5011 Hemne 5055
        5012 Snillfjord 5059
        5013 Hitra 5056
        5015 Ørland 5057
        5016 Agdenes 5059
        5017 Bjugn 5057
        5018 Åfjord 5058
        5019 Roan 5058
        5023 Meldal 5059
        5024 Orkdal 5059
        5030 Klæbu 5001
        5039 Verran 5006
        5040 Namdalseid 5007
        5048 Fosnes 5007
        5050 Vikna 5060
        5051 Nærøy 5060
    """,
    # The 2020 reform (11 counties, 356 municipalities).
    (2016, 2019): """
        0101 Halden 3001
        0104 Moss 3002
        0105 Sarpsborg 3003
        0106 Fredrikstad 3004
        0111 Hvaler 3011
        0118 Aremark 3012
        0119 Marker 3013
        0121 Rømskog 3026
        0122 Trøgstad 3014
        0123 Spydeberg 3014
        0124 Askim 3014
        0125 Eidsberg 3014
        0127 Skiptvet 3015
        0128 Rakkestad 3016
        0135 Råde 3017
        0136 Rygge 3002
        0137 Våler (Østfold) 3018
        0138 Hobøl 3014
        0211 Vestby 3019
        0213 Ski 3020
        0214 Ås 3021
        0215 Frogn 3022
        0216 Nesodden 3023
        0217 Oppegård 3020
        0219 Bærum 3024
        0220 Asker 3025
        0221 Aurskog-Høland 3026
        0226 Sørum 3030
        0227 Fet 3030
        0228 Rælingen 3027
        0229 Enebakk 3028
        0230 Lørenskog 3029
        0231 Skedsmo 3030
        0233 Nittedal 3031
        0234 Gjerdrum 3032
        0235 Ullensaker 3033
        0236 Nes (Akershus) 3034
        0237 Eidsvoll 3035
        0238 Nannestad 3036
        0239 Hurdal 3037
        0402 Kongsvinger 3401
        0403 Hamar 3403
        0412 Ringsaker 3411
        0415 Løten 3412
        0417 Stange 3413
        0418 Nord-Odal 3414
        0419 Sør-Odal 3415
        0420 Eidskog 3416
        0423 Grue 3417
        0425 Åsnes 3418
        0426 Våler (Hedmark) 3419
        0427 Elverum 3420
        0428 Trysil 3421
        0429 Åmot 3422
        0430 Stor-Elvdal 3423
        0432 Rendalen 3424
        0434 Engerdal 3425
        0436 Tolga 3426
        0437 Tynset 3427
        0438 Alvdal 3428
        0439 Folldal 3429
        0441 Os (Hedmark) 3430
        0501 Lillehammer 3405
        0502 Gjøvik 3407
        0511 Dovre 3431
        0512 Lesja 3432
        0513 Skjåk 3433
        0514 Lom 3434
        0515 Vågå 3435
        0516 Nord-Fron 3436
        0517 Sel 3437
        0519 Sør-Fron 3438
        0520 Ringebu 3439
        0521 Øyer 3440
        0522 Gausdal 3441
        0528 Østre Toten 3442
        0529 Vestre Toten 3443
        0532 Jevnaker 3053
        0533 Lunner 3054
        0534 Gran 3446
        0536 Søndre Land 3447
        0538 Nordre Land 3448
        0540 Sør-Aurdal 3449
        0541 Etnedal 3450
        0542 Nord-Aurdal 3451
        0543 Vestre Slidre 3452
        0544 Øystre Slidre 3453
        0545 Vang 3454
        0602 Drammen 3005
        0604 Kongsberg 3006
        0605 Ringerike 3007
        0612 Hole 3038
        0615 Flå 3039
        0616 Nes (Buskerud) 3040
        0617 Gol 3041
        0618 Hemsedal 3042
        0619 Ål 3043
        0620 Hol 3044
        0621 Sigdal 3045
        0622 Krødsherad 3046
        0623 Modum 3047
        0624 Øvre Eiker 3048
        0625 Nedre Eiker 3005
        0626 Lier 3049
        0627 Røyken 3025
        0628 Hurum 3025
        0631 Flesberg 3050
        0632 Rollag 3051
        0633 Nore og Uvdal 3052
        0701 Horten 3801
        0704 Tønsberg 3803
        0711 Svelvik 3005
        0713 Sande (Vestfold) 3802
        0805 Porsgrunn 3806
        0806 Skien 3807
        0807 Notodden 3808
        0811 Siljan 3812
        0814 Bamble 3813
        0815 Kragerø 3814
        0817 Drangedal 3815
        0819 Nome 3816
        0821 Bø (Telemark) 3817
        0822 Sauherad 3817
        0826 Tinn 3818
        0827 Hjartdal 3819
        0828 Seljord 3820
        0829 Kviteseid 3821
        0830 Nissedal 3822
        0831 Fyresdal 3823
        0833 Tokke 3824
        0834 Vinje 3825
        0901 Risør 4201
        0904 Grimstad 4202
        0906 Arendal 4203
        0911 Gjerstad 4211
        0912 Vegårshei 4212
        0914 Tvedestrand 4213
        0919 Froland 4214
        0926 Lillesand 4215
        0928 Birkenes 4216
        0929 Åmli 4217
        0935 Iveland 4218
        0937 Evje og Hornnes 4219
        0938 Bygland 4220
        0940 Valle 4221
        0941 Bykle 4222
        1001 Kristiansand 4204
        1002 Mandal 4205
        1003 Farsund 4206
        1004 Flekkefjord 4207
        1014 Vennesla 4223
        1017 Songdalen 4204
        1018 Søgne 4204
        1021 Marnardal 4205
        1026 Åseral 4224
        1027 Audnedal 4225
        1029 Lindesnes 4205
        1032 Lyngdal 4225
        1034 Hægebostad 4226
        1037 Kvinesdal 4227
        1046 Sirdal 4228
        1102 Sandnes 1108
        1129 Forsand 1108
        1141 Finnøy 1103
        1142 Rennesøy 1103
        1201 Bergen 4601
        1211 Etne 4611
        1216 Sveio 4612
        1219 Bømlo 4613
        1221 Stord 4614
        1222 Fitjar 4615
        1223 Tysnes 4616
        1224 Kvinnherad 4617
        1227 Jondal 4618
        1228 Odda 4618
        1231 Ullensvang 4618
        1232 Eidfjord 4619
        1233 Ulvik 4620
        1234 Granvin 4621
        1235 Voss 4621
        1238 Kvam 4622
        1241 Fusa 4624
        1242 Samnanger 4623
        1243 Os (Hordaland) 4624
        1244 Austevoll 4625
        1245 Sund 4626
        1246 Fjell 4626
        1247 Askøy 4627
        1251 Vaksdal 4628
        1252 Modalen 4629
        1253 Osterøy 4630
        1256 Meland 4631
        1259 Øygarden 4626
        1260 Radøy 4631
        1263 Lindås 4631
        1264 Austrheim 4632
        1265 Fedje 4633
        1266 Masfjorden 4634
        1401 Flora 4602
        1411 Gulen 4635
        1412 Solund 4636
        1413 Hyllestad 4637
        1416 Høyanger 4638
        1417 Vik 4639
        1418 Balestrand 4640
        1419 Leikanger 4640
        1420 Sogndal 4640
        1421 Aurland 4641
        1422 Lærdal 4642
        1424 Årdal 4643
        1426 Luster 4644
        1428 Askvoll 4645
        1429 Fjaler 4646
        1430 Gaular 4647
        1431 Jølster 4647
        1432 Førde 4647
        1433 Naustdal 4647
        1438 Bremanger 4648
        1439 Vågsøy 4602
        1441 Selje 4649
        1443 Eid 4649
        1444 Hornindal 1577
        1445 Gloppen 4650
        1449 Stryn 4651
        1502 Molde 1506
        1504 Ålesund 1507
        1519 Volda 1577
        1523 Ørskog 1507
        1524 Norddal 1578
        1526 Stordal 1578
        1529 Skodje 1507
        1534 Haram 1507
        1543 Nesset 1506
        1545 Midsund 1506
        1546 Sandøy 1507
        1548 Fræna 1579
        1551 Eide 1579
        1567 Rindal 5061
        1571 Halsa 5055
        1805 Narvik 1806
        1849 Hamarøy 1875
        1850 Tysfjord 1875
        1852 Tjeldsund 5412
        1854 Ballangen 1806
        1902 Tromsø 5401
        1903 Harstad 5402
        1911 Kvæfjord 5411
        1913 Skånland 5412
        1917 Ibestad 5413
        1919 Gratangen 5414
        1920 Lavangen 5415
        1922 Bardu 5416
        1923 Salangen 5417
        1924 Målselv 5418
        1925 Sørreisa 5419
        1926 Dyrøy 5420
        1927 Tranøy 5421
        1928 Torsken 5421
        1929 Berg 5421
        1931 Lenvik 5421
        1933 Balsfjord 5422
        1936 Karlsøy 5423
        1938 Lyngen 5424
        1939 Storfjord 5425
        1940 Kåfjord 5426
        1941 Skjervøy 5427
        1942 Nordreisa 5428
        1943 Kvænangen 5429
        2002 Vardø 5404
        2003 Vadsø 5405
        2004 Hammerfest 5406
        2011 Kautokeino 5430
        2012 Alta 5403
        2014 Loppa 5432
        2015 Hasvik 5433
        2017 Kvalsund 5406
        2018 Måsøy 5434
        2019 Nordkapp 5435
        2020 Porsanger 5436
        2021 Karasjok 5437
        2022 Lebesby 5438
        2023 Gamvik 5439
        2024 Berlevåg 5440
        2025 Tana 5441
        2027 Nesseby 5442
        2028 Båtsfjord 5443
        2030 Sør-Varanger 5444
    """,
}

# Municipalities split between several successors: the table names the one that took most of
# the area and notes the rest.
_SNILLFJORD = (
    "største del av arealet (Krokstadøra, Aa krets)",
    "Snillfjord ble delt i 2020: Vennastranda til Heim (5055), Sundan/Hemnskjela til Hitra (5056)",
)
SPLITS = {
    "1613": _SNILLFJORD,
    "5012": _SNILLFJORD,
    "1850": (
        "sørvestsiden, anslått til største del av arealet",
        "Tysfjord ble delt i 2020: nordøstsiden med Kjøpsvik gikk til Narvik (1806)",
    ),
}

# Haram merged into Ålesund in 2020 and was re-established in 2024 with its old boundaries, so
# the 2020 match (most of Ålesund 2020-2023 is today's Ålesund) does not hold for it.
TO_2024_OVERRIDE = {"1534": ("1580", "Slått sammen med Ålesund 2020, egen kommune igjen fra 2024")}

# Slivers from the different simplifications stay far below this share of a 2020 municipality.
SPLIT_SHARE = 0.10


def _load(folder: Path, name: str) -> list[dict]:
    return json.loads((folder / name).read_text(encoding="utf-8"))["features"]


def _shape(geometry: dict):
    from shapely import make_valid
    from shapely.geometry import shape

    return make_valid(shape(geometry))


def _equal_area(geometry):
    """Lambert cylindrical equal-area projection (sphere), so areas compare fairly by latitude."""
    import numpy as np
    import shapely

    def project(coords):
        lon, lat = np.radians(coords[:, 0]), np.radians(coords[:, 1])
        return np.column_stack([lon, np.sin(lat)]) * 6371.0

    return shapely.transform(geometry, project)


def _parse_known() -> dict[tuple[str, int], dict]:
    known: dict[tuple[str, int], dict] = {}
    for (fra, til), block in KNOWN_CHANGES.items():
        for line in block.strip().splitlines():
            match = re.fullmatch(r"(\d{4}) (.+) (\d{4})", line.strip())
            if not match:
                raise ValueError(f"unreadable line in KNOWN_CHANGES: {line!r}")
            code, name, successor = match.groups()
            if (code, fra) in known:
                raise ValueError(f"{code} listed twice from {fra}")
            known[(code, fra)] = {"navn": name, "fra": fra, "til": til, "neste": successor}
    return known


def _short_name(code: str, name: str) -> str:
    short = SHORT_NAMES.get(code, name)
    if " - " in short:
        raise ValueError(f"{code} {name!r} needs an entry in SHORT_NAMES")
    return short


def _disambiguate(names: dict[str, str], fylke_of) -> dict[str, str]:
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    return {
        code: f"{name} ({fylke_of(code)})" if counts[name] > 1 else name
        for code, name in names.items()
    }


def derive_fylker(folder: Path) -> list[dict]:
    rows = []
    for feature in _load(folder, "fylker-2024-S.geojson"):
        props = feature["properties"]
        point = _shape(feature["geometry"]).point_on_surface()
        rows.append({
            "fylkesnummer": props["fylkesnummer"],
            "fylkesnavn": props["fylkesnavn"],
            # County names put the Norwegian form first.
            "fylkesnavn_kort": props["fylkesnavn"].split(" - ")[0],
            "lat": round(point.y, 5),
            "lon": round(point.x, 5),
        })  # fmt: skip
    return sorted(rows, key=lambda r: r["fylkesnummer"])


def derive_kommuner(folder: Path, fylker: list[dict]) -> list[dict]:
    fylke_kort = {f["fylkesnummer"]: f["fylkesnavn_kort"] for f in fylker}
    full, points = {}, {}
    for feature in _load(folder, "kommuner-2024-M.geojson"):
        props = feature["properties"]
        code = props["kommunenummer"]
        full[code] = props["kommunenavn"]
        point = _shape(feature["geometry"]).point_on_surface()
        points[code] = (round(point.y, 5), round(point.x, 5))
    short = _disambiguate(
        {code: _short_name(code, name) for code, name in full.items()},
        lambda code: fylke_kort[code[:2]],
    )
    return [
        {
            "kommunenummer": code,
            "kommunenavn": full[code],
            "kommunenavn_kort": short[code],
            "fylkesnummer": code[:2],
            "fylkesnavn_kort": fylke_kort[code[:2]],
            "lat": points[code][0],
            "lon": points[code][1],
        }
        for code in sorted(full)
    ]


def match_2020(folder: Path, kommuner: list[dict]) -> dict[str, dict]:
    """Each 2020-2023 municipality's 2024 successor(s) by share of overlapping area."""
    from shapely import STRtree

    # Both files at the same (S) simplification, so their coastlines agree best.
    k24 = {
        f["properties"]["kommunenummer"]: _equal_area(_shape(f["geometry"]))
        for f in _load(folder, "kommuner-2024-S.geojson")
    }
    codes = list(k24)
    tree = STRtree([k24[c] for c in codes])
    navn_2020 = {}
    shares: dict[str, list[tuple[float, str]]] = {}
    for feature in _load(folder, "kommuner-2020-S.geojson"):
        code = f"{feature['properties']['kommunenummer']:04d}"
        navn_2020[code] = feature["properties"]["navn"]
        geometry = _equal_area(_shape(feature["geometry"]))
        overlaps = [
            (geometry.intersection(k24[codes[i]]).area, codes[i]) for i in tree.query(geometry)
        ]
        total = sum(area for area, _ in overlaps)
        shares[code] = sorted(((area / total, c) for area, c in overlaps if area > 0), reverse=True)
    for code, name in MISSING_FROM_2020_FILE.items():
        if code in navn_2020 or code not in k24:
            raise ValueError(f"MISSING_FROM_2020_FILE is out of date for {code}")
        navn_2020[code], shares[code] = name, [(1.0, code)]

    kort = {k["kommunenummer"]: _short_name(k["kommunenummer"], k["kommunenavn"]) for k in kommuner}
    navn_2020 = _disambiguate(navn_2020, lambda code: FYLKER_2020[code[:2]])
    matched = {}
    for code, ranked in shares.items():
        successor = ranked[0][1]
        if navn_2020[code].split(" (")[0] != kort[successor]:
            raise ValueError(f"{code} {navn_2020[code]} matched {successor} {kort[successor]}")
        others = [(s, c) for s, c in ranked[1:] if s >= SPLIT_SHARE]
        rest = ", ".join(f"{c} {kort[c]} (ca. {s * 100:.0f} %)" for s, c in others)
        matched[code] = {
            "navn": navn_2020[code],
            "kommunenummer_2024": successor,
            "andel": f"ca. {ranked[0][0] * 100:.0f} % av arealet" if others else "",
            "merknad": f"Delt 2024; resten til {rest}" if others else "",
        }
    return matched


def derive_historikk(matched: dict[str, dict], known: dict[tuple[str, int], dict]) -> list[dict]:
    def successor_2024(code: str, year: int) -> str:
        if year >= 2020:
            return matched[code]["kommunenummer_2024"]
        entry = next(
            (e for (c, f), e in known.items() if c == code and f <= year <= e["til"]), None
        )
        if entry is None:  # unchanged until 2020
            return successor_2024(code, 2020)
        return successor_2024(entry["neste"], entry["til"] + 1)

    rows = [
        {
            "kommunenummer_gammel": code,
            "kommunenavn_gammel": m["navn"],
            "gyldig_fra": 2020,
            "gyldig_til": 2023,
            "kommunenummer_2024": m["kommunenummer_2024"],
            "andel": m["andel"],
            "kilde": "geometri",
            "merknad": m["merknad"],
        }
        for code, m in matched.items()
    ]
    for (code, fra), entry in known.items():
        target = successor_2024(code, fra)
        andel, merknad = SPLITS.get(code, ("", ""))
        if code in TO_2024_OVERRIDE:
            target, merknad = TO_2024_OVERRIDE[code]
        rows.append({
            "kommunenummer_gammel": code,
            "kommunenavn_gammel": entry["navn"],
            "gyldig_fra": fra,
            "gyldig_til": entry["til"],
            "kommunenummer_2024": target,
            "andel": andel,
            "kilde": "kjent kodeendring",
            "merknad": merknad,
        })  # fmt: skip
    # A code that is still the same municipality's code in 2024 needs no row.
    rows = [r for r in rows if r["kommunenummer_gammel"] != r["kommunenummer_2024"]]
    return sorted(rows, key=lambda r: (r["kommunenummer_gammel"], r["gyldig_fra"]))


def check(kommuner: list[dict], fylker: list[dict], historikk: list[dict]) -> list[str]:
    """Fail on anything that must not be committed; return old codes that are also 2024 codes."""
    codes = {k["kommunenummer"] for k in kommuner}
    assert len(kommuner) == 357 and len(codes) == 357, "expected 357 municipalities"
    assert len(fylker) == 15 and len({f["fylkesnummer"] for f in fylker}) == 15
    assert {k["fylkesnummer"] for k in kommuner} == {f["fylkesnummer"] for f in fylker}
    assert len({k["kommunenavn_kort"] for k in kommuner}) == 357, "short names not unique"
    keys = [(r["kommunenummer_gammel"], r["gyldig_fra"]) for r in historikk]
    assert len(keys) == len(set(keys)), "duplicate (kommunenummer_gammel, gyldig_fra)"
    assert all(r["kommunenummer_2024"] in codes for r in historikk)
    by_code: dict[str, list[dict]] = {}
    for r in historikk:
        by_code.setdefault(r["kommunenummer_gammel"], []).append(r)
    for rows in by_code.values():
        rows.sort(key=lambda r: r["gyldig_fra"])
        assert all(a["gyldig_til"] < b["gyldig_fra"] for a, b in itertools.pairwise(rows))
    return sorted(
        f"{r['kommunenummer_gammel']} {r['kommunenavn_gammel']} ({r['gyldig_fra']}-"
        f"{r['gyldig_til']}) -> {r['kommunenummer_2024']}"
        for r in historikk
        if r["kommunenummer_gammel"] in codes
    )


def _write(name: str, rows: list[dict]) -> None:
    path = OUT_DIR / name
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{path}: {len(rows)} rader")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        import shapely  # noqa: F401
    except ImportError:
        print("Dette skriptet trenger shapely>=2: pip install shapely", file=sys.stderr)
        return 1
    folder = Path(args[0])
    fylker = derive_fylker(folder)
    kommuner = derive_kommuner(folder, fylker)
    historikk = derive_historikk(match_2020(folder, kommuner), _parse_known())
    for collision in check(kommuner, fylker, historikk):
        print(f"Merk: gammel kode er også en 2024-kode: {collision}")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    _write("kommuner_2024.csv", kommuner)
    _write("fylker_2024.csv", fylker)
    _write("kommunenummer_historikk.csv", historikk)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

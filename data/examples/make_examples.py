"""Write the example import files in this folder (fictional units, a few respondents).

    .venv/bin/python data/examples/make_examples.py

Item and area ids are taken from the instruments in data/instruments/, so the examples stay
valid when the instruments change. Import them in this order (units first):

    python -m etl import units data/examples/enheter.csv
    python -m etl import answers data/examples/svar.csv
    python -m etl import results data/examples/resultater.csv
    python -m etl import mapping data/examples/kartlegging.xlsx
    python -m etl import results data/examples/resultater_eksport.xlsx \
        --kolonner data/examples/kolonner_resultater.yaml
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import openpyxl
import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from etl import instruments
from etl.imports import ORGNR_WEIGHTS, orgnr_is_valid


NORM = "eksempelnorm (fiktiv)"


def fictional_orgnr(first_eight: str) -> str:
    """A number with a valid mod-11 check digit. Real ones start with 8 or 9; these do not."""
    rest = 11 - sum(int(d) * w for d, w in zip(first_eight, ORGNR_WEIGHTS)) % 11
    number = first_eight + str(0 if rest == 11 else rest)
    assert rest != 10 and orgnr_is_valid(number), number
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def write_csv(path: Path, rows: list[list[object]], separator: str, encoding: str) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def items(group: str, count: int) -> list[str]:
    frame = instruments.survey_frames()["sporsmal"]
    return frame.filter(pl.col("respondentgruppe") == group)["sporsmal_id"].head(count).to_list()


def units() -> list[list[object]]:
    return [
        [
            "enhet_id",
            "enhet_navn",
            "enhetstype",
            "kommunenummer",
            "eierform",
            "organisasjonsnummer",
        ],
        # 0604 (Kongsberg until 2019) and 3006 (2020-2023) both become 3303 Kongsberg.
        ["EKS-SKOLE-1", "Eksempelskolen (fiktiv)", "skole", "0604", "kommunal", ""],
        ["EKS-SFO-1", "Eksempelskolen SFO (fiktiv)", "SFO", "604", "kommunal", ""],
        [
            "EKS-BHG-1",
            "Eksempelbarnehagen (fiktiv)",
            "Barnehage",
            "3006",
            "privat",
            fictional_orgnr("12345678"),
        ],
        ["EKS-SKOLE-2", "Prøveskolen (fiktiv)", "skole", "3403", "kommunal", ""],
        ["EKS-PPT-1", "PP-tjenesten i Eksempelregionen (fiktiv)", "PPT", "3407", "kommunal", ""],
    ]


def answers() -> list[list[object]]:
    rows: list[list[object]] = [
        [
            "runde",
            "enhet_id",
            "respondentgruppe",
            "respondent_id",
            "spørsmål_id",
            "svar",
            "trinn",
            "kjønn",
        ]
    ]
    pupils = [
        ("E-001", 6, "jente", [4, 5, 2, 4]),
        ("E-002", 6, "gutt", [3, 4, "", 3]),
        ("E-003", 7, "J", [5, 5, 1, 4]),
    ]
    for respondent, grade, gender, values in pupils:
        for item, value in zip(items("elev_5_10", 4), values):
            rows.append(
                ["2023-høst", "EKS-SKOLE-1", "elev_5_10", respondent, item, value, grade, gender]
            )
    for item, value in zip(items("ansatt_skole", 3), [4, 4, 3]):
        rows.append(["2023-høst", "EKS-SKOLE-1", "ansatt_skole", "A-001", item, value, "", ""])
    return rows


def results() -> list[list[object]]:
    return [
        [
            "runde",
            "enhet_id",
            "kommunenummer",
            "respondentgruppe",
            "indikator",
            "antall_svar",
            "skår",
            "standardavvik",
            "norm",
        ],
        # A unit's cell comes from answers (svar.csv: Eksempelskolen) or from results, never both.
        ["2023-høst", "EKS-SKOLE-2", "", "elev_5_10", "trivsel", 42, "512,3", "96,1", NORM],
        ["2023-høst", "EKS-SKOLE-2", "", "elev_5_10", "mestring", 42, "498,7", "101,4", NORM],
        # Municipality totals, for a municipality without unit rows for the same cell.
        ["2023-høst", "", "3407", "elev_5_10", "trivsel", 615, "505,2", "99,0", NORM],
        ["2023-høst", "", "3407", "ansatt_skole", "samarbeid_ppt", 88, "487,9", "", NORM],
        # 2019: Drammen (0602) and Nedre Eiker (0625) are both 3301 Drammen today; pooled on import.
        ["2019", "", "0602", "elev_5_10", "trivsel", 1210, "503,0", "98,0", NORM],
        ["2019", "", "0625", "elev_5_10", "trivsel", 640, "495,5", "102,0", NORM],
    ]


# An export as another system might write it: a title row, its own column names (some are
# aliases we know, some need the column file kolonner_resultater.yaml) and a column we do not use.
FOREIGN_TITLE = "Resultater fra spørreundersøkelsen – fiktivt eksempel"
FOREIGN_COLUMNS = {
    "Tidspunkt": "runde",
    "Skolenr": "enhet_id",
    "Indikatornavn": "indikator",
    "Gj.snitt (500-skala)": "skaar",
}


def foreign_results() -> list[list[object]]:
    header = ["Tidspunkt", "Skolenr", "Kommune nr.", "Målgruppe", "Indikatornavn", "Antall"]
    header += ["Gj.snitt (500-skala)", "SD", "Normgrunnlag", "Org.nr"]
    orgnr = fictional_orgnr("20000000")
    return [
        [FOREIGN_TITLE],
        [],
        header,
        ["2024-vår", "EKS-SKOLE-2", "3403", "elev_5_10", "trivsel", 40, 509.4, 97.2, NORM, orgnr],
        ["2024-vår", "EKS-SKOLE-2", "3403", "elev_5_10", "mestring", 40, 501.1, 99.8, NORM, orgnr],
    ]


def column_file() -> str:
    lines = [f"  {theirs}: {ours}" for theirs, ours in FOREIGN_COLUMNS.items()]
    return (
        "# Kolonnefil for resultater_eksport.xlsx: overskriften i filen: vårt kolonnenavn.\n"
        "# Bruk: python -m etl import results data/examples/resultater_eksport.xlsx "
        "--kolonner data/examples/kolonner_resultater.yaml\n"
        "kolonner:\n" + "\n".join(lines) + "\n"
    )


def mapping() -> list[list[object]]:
    areas = instruments.mapping_frames()["omrade"]["omrade"].head(3).to_list()
    rows: list[list[object]] = [
        [
            "runde",
            "kommunenummer",
            "enhet_id",
            "rolle",
            "respondent_id",
            "område",
            "kompetanse",
            "behov",
        ]
    ]
    people = [
        ("K-001", 3303, "EKS-SKOLE-1", "Lærer", [3, 2, 4], [4, 5, 2]),
        ("K-002", 3303, "EKS-SKOLE-1", "leder", [4, 3, 3], [2, 4, 3]),
        ("K-003", 3407, None, "ppt", [5, 4, 4], [2, 3, 4]),
    ]
    for respondent, kommune, unit, role, skills, needs in people:
        for area, skill, need in zip(areas, skills, needs):
            rows.append(["2022-høst", kommune, unit, role, respondent, area, skill, need])
    return rows


def write_xlsx(path: Path, rows: list[list[object]], title: str = "Kartlegging") -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def main() -> None:
    write_csv(HERE / "enheter.csv", units(), ",", "utf-8")
    write_csv(HERE / "svar.csv", answers(), ";", "cp1252")
    write_csv(HERE / "resultater.csv", results(), ";", "utf-8")
    write_xlsx(HERE / "kartlegging.xlsx", mapping())
    write_xlsx(HERE / "resultater_eksport.xlsx", foreign_results(), "Resultater")
    (HERE / "kolonner_resultater.yaml").write_text(column_file(), encoding="utf-8")
    print(f"Skrev eksempelfilene i {HERE}", file=sys.stderr)


if __name__ == "__main__":
    main()

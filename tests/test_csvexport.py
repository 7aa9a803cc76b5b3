"""The CSV builder behind every download button (dashboard/csvexport.py).

Norwegian Excel opens a UTF-8 file with a BOM, `;` as separator and decimal comma; elsewhere `,`
and a decimal point. Text that a spreadsheet would run as a formula gets a leading apostrophe,
while negative numbers stay numbers. Synthetic rows carry a note; file names carry the filters,
DEMODATA and the date, and are ASCII-safe.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import csvexport

BOM = b"\xef\xbb\xbf"
DANGEROUS = ("=", "+", "-", "@")
TODAY = dt.date(2026, 11, 22)


def rows(data: bytes, separator: str) -> list[list[str]]:
    assert data.startswith(BOM), data[:10]
    text = data[len(BOM):].decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))


def table(data: bytes, separator: str) -> list[dict[str, str]]:
    header, *body = rows(data, separator)
    return [dict(zip(header, r, strict=True)) for r in body]


FRAME = pl.DataFrame({
    "navn": ["Bodø", "=SUM(A1:A9)", "+47 123", "-minus", "@cmd", "vanlig tekst", None],
    "skaar": [512.25, -3.5, 0.0, 499.75, -0.25, 1234.5, None],
    "endring": [-12, 4, -1, 0, 7, -100, None],
    "syntetisk": [True, True, False, True, False, True, None],
})


# --- encoding and separators ----------------------------------------------------------------------


def test_norwegian_excel_bom_semicolon_decimal_comma():
    data = csvexport.to_csv(FRAME, norwegian_excel=True)
    assert data.startswith(BOM)
    data[len(BOM):].decode("utf-8")  # strict UTF-8
    header, *body = rows(data, ";")
    assert header == ["navn", "skaar", "endring", "syntetisk", "datamerknad"]
    assert len(body) == FRAME.height
    first = dict(zip(header, body[0], strict=True))
    assert first["navn"] == "Bodø"
    assert first["skaar"] in ("512,25", "512,250", "512,2500")
    assert re.fullmatch(r"-3,50*", dict(zip(header, body[1], strict=True))["skaar"])
    # no decimal points anywhere in the number columns
    assert not any("." in r[1] for r in body)


def test_plain_csv_comma_and_decimal_point():
    data = csvexport.to_csv(FRAME, norwegian_excel=False)
    assert data.startswith(BOM)
    header, *body = rows(data, ",")
    assert header == ["navn", "skaar", "endring", "syntetisk", "datamerknad"]
    first = dict(zip(header, body[0], strict=True))
    assert float(first["skaar"]) == 512.25
    assert "," not in first["skaar"]
    assert re.fullmatch(r"-3\.50*", dict(zip(header, body[1], strict=True))["skaar"])


def test_numbers_round_trip_in_both_modes():
    for excel, sep in ((True, ";"), (False, ",")):
        parsed = table(csvexport.to_csv(FRAME, norwegian_excel=excel), sep)
        skaar = [float(r["skaar"].replace(",", ".")) if r["skaar"] else None for r in parsed]
        assert skaar == FRAME["skaar"].to_list()


# --- formula neutralisation -----------------------------------------------------------------------


@pytest.mark.parametrize("excel,sep", [(True, ";"), (False, ",")])
def test_dangerous_text_neutralised_numbers_untouched(excel, sep):
    parsed = table(csvexport.to_csv(FRAME, norwegian_excel=excel), sep)
    navn = [r["navn"] for r in parsed]
    assert navn == ["Bodø", "'=SUM(A1:A9)", "'+47 123", "'-minus", "'@cmd", "vanlig tekst", ""]
    # negative numbers in numeric columns stay numbers (no apostrophe)
    assert [r["endring"] for r in parsed] == ["-12", "4", "-1", "0", "7", "-100", ""]
    assert parsed[1]["skaar"].startswith("-3") and parsed[4]["skaar"].startswith("-0")


@pytest.mark.parametrize("dtype", [pl.Utf8, pl.Categorical], ids=["string", "categorical"])
def test_text_columns_of_any_text_type_are_neutralised(dtype):
    frame = pl.DataFrame({"tekst": pl.Series(["=1+1", "trygg"], dtype=dtype)})
    parsed = table(csvexport.to_csv(frame), ";")
    assert [r["tekst"] for r in parsed] == ["'=1+1", "trygg"]


def test_list_columns_are_joined_and_neutralised():
    frame = pl.DataFrame({
        "nr": [1, 2, 3, 4],
        "partnere": [["NTNU", "HINN"], [], None, ["=HYPERLINK(\"http://x\")", "b"]],
    })
    parsed = [r["partnere"] for r in table(csvexport.to_csv(frame), ";")]
    assert parsed[0] == "NTNU, HINN"
    assert parsed[1] == "" and parsed[2] == ""
    assert parsed[3].startswith("'"), f"a joined list cell starting with '=' is not neutralised: {parsed[3]!r}"


dangerous_text = st.builds(lambda c, rest: c + rest, st.sampled_from(DANGEROUS), st.text(max_size=30))
safe_text = st.text(min_size=1, max_size=30).filter(lambda s: not s.startswith(csvexport.DANGEROUS_START))


@given(dangerous_text)
def test_neutralise_prefixes_dangerous_text(text):
    assert csvexport.neutralise(text) == "'" + text


@given(safe_text)
def test_neutralise_keeps_other_text(text):
    assert csvexport.neutralise(text) == text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(dangerous_text, safe_text), min_size=1, max_size=8), st.booleans())
def test_csv_cells_neutralised_end_to_end(values, excel):
    """Through the whole writer (quoting, separators, newlines in cells), each text cell reads
    back as the apostrophe-prefixed value if it was dangerous, else unchanged."""
    sep = ";" if excel else ","
    parsed = table(csvexport.to_csv(pl.DataFrame({"t": values}), norwegian_excel=excel), sep)
    got = [r["t"] for r in parsed]
    want = ["'" + v if v.startswith(DANGEROUS) else v for v in values]
    # the csv module reads a lone \r or \r\n inside a quoted cell back as written
    assert got == want


# --- synthetic data -------------------------------------------------------------------------------


def test_datamerknad_marks_synthetic_rows():
    parsed = table(csvexport.to_csv(FRAME), ";")
    assert [r["datamerknad"] for r in parsed] == [
        "Demodata (syntetiske tall)", "Demodata (syntetiske tall)", "", "Demodata (syntetiske tall)",
        "", "Demodata (syntetiske tall)", "",
    ]


def test_no_datamerknad_without_syntetisk_column():
    header, *_ = rows(csvexport.to_csv(FRAME.drop("syntetisk")), ";")
    assert "datamerknad" not in header


# --- file names -----------------------------------------------------------------------------------


def test_file_name_carries_filter_demodata_and_date():
    name = csvexport.file_name("indikatorer_enheter", "kongsbergregionen-alle-med_2021-2023", True, TODAY)
    assert name == "indikatorer_enheter_kongsbergregionen-alle-med_2021-2023_DEMODATA_2026-11-22.csv"
    real = csvexport.file_name("samarbeid", "alle", False, TODAY)
    assert real == "samarbeid_alle_2026-11-22.csv"
    assert "DEMODATA" not in real


def test_file_name_is_ascii_safe():
    name = csvexport.file_name("samarbeid", "Øst-Finnmark_Gjøvik/Hamar «test» é", True, TODAY)
    assert name.isascii()
    assert re.fullmatch(r"[A-Za-z0-9_.-]+\.csv", name), name
    assert "Ost-Finnmark_Gjovik" in name
    assert name.endswith("_DEMODATA_2026-11-22.csv")


def test_file_name_keeps_demodata_and_date_with_many_filters():
    """Six regions chosen: the name may be shortened, but never lose DEMODATA or the date."""
    regions = [
        "kongsbergregionen-alle-med", "gjovikregionen-kompetanseloftet",
        "hamarregionen-inkluderende-laeringsmiljo", "nord-osterdal-regional-kompetanseutvikling",
        "sor-osterdal-regional-kompetanseutvikling", "kongsvingerregionen-regional-kompetanseutvikling",
    ]
    many = "_".join(regions)
    name = csvexport.file_name("indikatorer_enheter", many, True, TODAY)
    assert name.endswith("_DEMODATA_2026-11-22.csv"), name
    assert len(name) <= 200


@given(st.text(max_size=60), st.booleans())
def test_file_name_property(filter_text, synthetic):
    name = csvexport.file_name("kart_kommuner", filter_text, synthetic, TODAY)
    assert name.isascii() and name.endswith(".csv")
    assert re.fullmatch(r"[A-Za-z0-9_.-]+\.csv", name), name
    assert "2026-11-22" in name
    assert ("DEMODATA" in name) == synthetic or "DEMODATA" in filter_text

"""Every collaboration in the built warehouse checked against its source documents (../shared/seeds,
or in a clone without it the verbatim excerpts in tests/fixtures/kilder/).

The records are read through the warehouse (the public output). Source texts are compared in
lower case with dashes and spaces normalised. Document 004 was extracted from a PDF with broken
letters (ø became g or e, å became a, æ became ae or z), so in that document a name is matched
with a pattern in which each of æ/ø/å matches any single character or "ae".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import FIXTURES, SHARED_SEEDS, connect_ro, needs_shared

EXCERPTS = FIXTURES / "kilder"

# Documents with letters broken by PDF extraction (see ../shared/DOMAIN.md).
BROKEN_LETTERS = {"004_75433b0cab59f53c.txt"}
EIDSVOLL = "3240"
EXAMPLES_DOC = "004_75433b0cab59f53c.txt"
EIDSVOLL_DOC = "003_36603514f0aefecb.txt"
SEPU_LIST_DOC = "000_b9f047c5e8d9bf99.txt"

NUMBER_WORDS = {
    1: ("en", "ett", "én", "ei"),
    2: ("to",),
    3: ("tre",),
    4: ("fire",),
    5: ("fem",),
    6: ("seks",),
    7: ("sju", "syv"),
    8: ("åtte",),
    9: ("ni",),
    10: ("ti",),
    11: ("elleve",),
    12: ("tolv",),
    13: ("tretten",),
    14: ("fjorten",),
    15: ("femten",),
    16: ("seksten",),
    17: ("sytten",),
    18: ("atten",),
    19: ("nitten",),
    20: ("tjue", "tyve"),
}
# The noun a stated count must stand next to in the source.
COUNT_NOUNS = {
    "antall_kommuner": r"kommune(?:r|ne)?",
    "antall_barnehager": r"barnehage(?:r|ne)?",
    "antall_skoler": r"skole(?:r|ne)?",
    "antall_ppt_kontor": r"(?:ppt|pp)(?:-kontor(?:er|ene)?|-tjenester?)?",
}
WINDOW = 5  # the noun may follow the number by at most this many words


# --- reading ----------------------------------------------------------------------------------


def normalise(text: str) -> str:
    text = text.lower().replace("\u00a0", " ")
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)  # en/em dashes and the like
    text = re.sub(r"(?<=\d)\s*-\s*(?=\d)", "-", text)  # "2022 – 2025" -> "2022-2025"
    return re.sub(r"\s+", " ", text)


def core_pattern(word: str, broken: bool) -> str:
    """A regex for a word or phrase; in a broken document æ/ø/å match any char or 'ae'."""
    parts = []
    for char in normalise(word):
        if broken and char in "æøå":
            parts.append(r"(?:ae|.)")
        elif char == " ":
            parts.append(r"\s+")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def word_pattern(word: str, broken: bool) -> str:
    """core_pattern as a whole word."""
    return r"(?<!\w)" + core_pattern(word, broken) + r"(?!\w)"


def mentions(text: str, word: str, broken: bool) -> bool:
    return re.search(word_pattern(word, broken), text) is not None


@pytest.fixture(scope="module")
def sources(seeds_dir: Path) -> dict[str, str]:
    return {p.name: normalise(p.read_text(encoding="utf-8")) for p in sorted(seeds_dir.glob("*.txt"))}


@pytest.fixture(scope="module")
def records(built_warehouse: Path) -> list[dict]:
    with connect_ro(built_warehouse) as con:
        frame = con.sql("select * from mart_partnerskap order by partnerskap_id").pl()
    assert frame.height > 0
    return frame.to_dicts()


@pytest.fixture(scope="module")
def members(built_warehouse: Path) -> dict[str, list[dict]]:
    """Per collaboration: its named municipalities with navn_i_kilden and the 2024 names."""
    with connect_ro(built_warehouse) as con:
        rows = con.sql(
            """
            select m.partnerskap_id, m.kommunenummer, s.navn_i_kilden,
                   k.kommunenavn, k.kommunenavn_kort
            from mart_partnerskap_kommune m
            left join stg_partnerskap_kommune s using (partnerskap_id, kommunenummer)
            left join mart_kommune k using (kommunenummer)
            where m.grunnlag = 'kommune'
            order by all
            """
        ).pl().to_dicts()
    result: dict[str, list[dict]] = {}
    for row in rows:
        result.setdefault(row["partnerskap_id"], []).append(row)
    return result


@pytest.fixture(scope="module")
def notes(built_warehouse: Path) -> dict[str, list[str]]:
    with connect_ro(built_warehouse) as con:
        rows = con.execute("select partnerskap_id, merknad from mart_datakvalitet order by all").fetchall()
    result: dict[str, list[str]] = {}
    for pid, note in rows:
        result.setdefault(pid, []).append(note)
    return result


def record_sources(record: dict, sources: dict[str, str]) -> dict[str, str]:
    assert record["kilder"], f"{record['partnerskap_id']} names no source document"
    missing = [d for d in record["kilder"] if d not in sources]
    assert not missing, f"{record['partnerskap_id']}: source documents not in seeds: {missing}"
    return {d: sources[d] for d in record["kilder"]}


def in_any_source(record: dict, sources: dict[str, str], word: str) -> bool:
    return any(mentions(text, word, doc in BROKEN_LETTERS) for doc, text in record_sources(record, sources).items())


def number_patterns(n: int) -> list[str]:
    return [str(n), *NUMBER_WORDS.get(n, ())]


def count_is_stated(text: str, n: int, noun: str, broken: bool) -> bool:
    """Whether the text has the number n (digits or a word) followed closely by the noun."""
    tokens = re.findall(r"[\w]+(?:-[\w]+)*", text)
    number = re.compile("|".join(f"(?:{core_pattern(w, broken)})" for w in number_patterns(n)))
    noun_re = re.compile(noun)
    for i, token in enumerate(tokens):
        if number.fullmatch(token) and any(noun_re.fullmatch(t) for t in tokens[i + 1 : i + 1 + WINDOW]):
            return True
    return False


# --- (e) the documents exist ------------------------------------------------------------------


def test_every_named_document_exists_in_seeds(built_warehouse: Path, seeds_dir: Path):
    with connect_ro(built_warehouse) as con:
        documents = {r[0] for r in con.execute(
            "select dokument from mart_kilde_dokument union select dokument from stg_partnerskap_kilde"
        ).fetchall()}
    assert documents
    missing = sorted(d for d in documents if not (seeds_dir / d).is_file())
    assert not missing, f"documents named in the warehouse but not in {seeds_dir}: {missing}"


def test_every_record_has_a_source(records):
    assert [r["partnerskap_id"] for r in records if not r["kilder"]] == []


# --- (a) periods ------------------------------------------------------------------------------


def test_period_text_is_quoted_from_a_source(records, sources):
    wrong = []
    for record in records:
        text = record["periode_tekst"]
        if text is None:
            continue
        texts = record_sources(record, sources)
        if not any(normalise(text) in body for body in texts.values()):
            wrong.append(f"{record['partnerskap_id']}: «{text}» is in none of {sorted(texts)}")
    assert not wrong, "period texts not found in their sources:\n" + "\n".join(wrong)


def test_period_years_agree_with_period_text(records):
    wrong = []
    for record in records:
        pid, text = record["partnerskap_id"], record["periode_tekst"]
        years = (record["start_ar"], record["slutt_ar"], record["forlenget_fra"], record["forlenget_til"])
        if text is None:
            # years the source implies but never states as a period need a note that says so
            explained = any("periode" in note.lower() for note in record["datakvalitet"])
            if any(y is not None for y in years) and not explained:
                wrong.append(f"{pid}: years {years} without a period text or a note explaining them")
            continue
        found = [int(y) for y in re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", text)]
        extended = re.search(r"forlenget\D*((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)", text)
        expected = (
            min(found) if found else None,
            max(found) if found else None,
            int(extended.group(1)) if extended else None,
            int(extended.group(2)) if extended else None,
        )
        if years != expected:
            wrong.append(f"{pid}: «{text}» gives {expected}, the warehouse has {years}")
    assert not wrong, "\n".join(wrong)


# --- (b) municipalities -----------------------------------------------------------------------


def test_municipality_names_appear_in_the_sources(records, members, sources):
    wrong = []
    for record in records:
        for member in members.get(record["partnerskap_id"], []):
            name = member["navn_i_kilden"]
            if not name:
                wrong.append(f"{record['partnerskap_id']} {member['kommunenummer']}: no navn_i_kilden")
            elif not in_any_source(record, sources, name):
                wrong.append(f"{record['partnerskap_id']}: «{name}» not in {record['kilder']}")
    assert not wrong, "\n".join(wrong)


def name_matches(source_name: str, full: str, short: str) -> bool:
    """The source's name is the 2024 short name (without a county qualifier) or a part of the
    official name (Sámi/Kven forms, e.g. 'Unjárga - Nesseby')."""
    candidates = {short, re.sub(r"\s*\(.*\)$", "", short), full, *re.split(r"\s+-\s+", full)}
    return source_name.casefold() in {c.casefold() for c in candidates}


def test_municipality_codes_match_their_names(records, members):
    wrong = []
    for record in records:
        for member in members.get(record["partnerskap_id"], []):
            code, name = member["kommunenummer"], member["navn_i_kilden"]
            if member["kommunenavn"] is None:
                wrong.append(f"{record['partnerskap_id']}: {code} is not a 2024 municipality")
            elif not name_matches(name or "", member["kommunenavn"], member["kommunenavn_kort"]):
                wrong.append(
                    f"{record['partnerskap_id']}: {code} is {member['kommunenavn_kort']}, the source says «{name}»"
                )
    assert not wrong, "\n".join(wrong)


def test_name_matching_is_strict():
    """Control for the check above: it accepts the Sámi full name and a county qualifier only."""
    assert name_matches("Nesseby", "Unjárga - Nesseby", "Nesseby")
    assert name_matches("Unjárga", "Unjárga - Nesseby", "Nesseby")
    assert name_matches("Våler", "Våler", "Våler (Innlandet)")
    assert not name_matches("Vadsø", "Unjárga - Nesseby", "Nesseby")
    assert not name_matches("Vål", "Våler", "Våler (Innlandet)")


def test_broken_letter_matching_is_strict():
    """Control for the fuzzy match: it bridges broken letters, not different words."""
    text = normalise("Tensberg skiller seg ut. Laeringsmiljgsenteret i Stavanger. Hgyskolen i Innlandet")
    assert mentions(text, "Tønsberg", broken=True)
    assert mentions(text, "Læringsmiljøsenteret", broken=True)
    assert mentions(text, "Høyskolen i Innlandet", broken=True)
    assert not mentions(text, "Tønsberg", broken=False)
    assert not mentions(text, "Sandnes", broken=True)
    assert not mentions(text, "Tønsbergs", broken=True)


# --- (c) stated counts ------------------------------------------------------------------------


def test_stated_counts_appear_in_the_sources(records, sources):
    wrong, checked = [], 0
    for record in records:
        texts = record_sources(record, sources)
        for field, noun in COUNT_NOUNS.items():
            n = record[field]
            if n is None:
                continue
            checked += 1
            if not any(count_is_stated(body, n, noun, doc in BROKEN_LETTERS) for doc, body in texts.items()):
                wrong.append(f"{record['partnerskap_id']}: {field} = {n} is not stated in {sorted(texts)}")
    assert checked > 0
    assert not wrong, "\n".join(wrong)


def test_count_check_is_strict():
    """Control: the count must be next to the right noun, as digits or a Norwegian word."""
    text = normalise("omfatter både barnehager, skoler og PPT i de sju kommunene i regionen. 6 PPT-kontor")
    assert count_is_stated(text, 7, COUNT_NOUNS["antall_kommuner"], False)
    assert count_is_stated(text, 6, COUNT_NOUNS["antall_ppt_kontor"], False)
    assert not count_is_stated(text, 6, COUNT_NOUNS["antall_kommuner"], False)
    assert not count_is_stated(text, 7, COUNT_NOUNS["antall_skoler"], False)


def test_count_differing_from_listed_municipalities_has_a_note(records, members, notes):
    wrong = []
    for record in records:
        stated = record["antall_kommuner"]
        listed = len(members.get(record["partnerskap_id"], []))
        if stated is None or stated == listed:
            continue
        words = number_patterns(stated)
        explained = [
            n for n in notes.get(record["partnerskap_id"], [])
            if re.search(r"kommune", n, re.IGNORECASE) and any(mentions(normalise(n), w, False) for w in words)
        ]
        if not explained:
            wrong.append(
                f"{record['partnerskap_id']}: the source states {stated} municipalities, {listed} are "
                "listed, and no data-quality note explains it"
            )
    assert not wrong, "\n".join(wrong)


def test_seven_municipalities_named_six_is_flagged(records, members, notes):
    """The known case: Øst-Finnmark's text says «de sju kommunene» but names six."""
    [record] = [r for r in records if "5632" in r["kommunenumre"]]  # Båtsfjord
    assert record["antall_kommuner"] == 7
    assert len(members[record["partnerskap_id"]]) == 6
    assert any("sju" in n and "seks" in n for n in notes[record["partnerskap_id"]])


# --- (d) Eidsvoll: merged, not duplicated -----------------------------------------------------


def test_eidsvoll_document_is_merged_not_duplicated(records, sources):
    collaborations = re.findall(r"tidsperiode: (\d{4}-\d{4})", sources[EIDSVOLL_DOC])
    assert len(collaborations) == 2, collaborations  # barnehage and skole
    citing = [r for r in records if EIDSVOLL_DOC in r["kilder"]]
    eidsvoll = [r for r in records if EIDSVOLL in r["kommunenumre"]]
    assert sorted(r["partnerskap_id"] for r in citing) == sorted(r["partnerskap_id"] for r in eidsvoll)
    assert len(eidsvoll) == len(collaborations), [r["partnerskap_id"] for r in eidsvoll]
    for period in collaborations:
        matching = [r for r in eidsvoll if r["periode_tekst"] == period]
        assert len(matching) == 1, f"period {period}: {[r['partnerskap_id'] for r in matching]}"
    for record in eidsvoll:
        assert {SEPU_LIST_DOC, EIDSVOLL_DOC} <= set(record["kilder"]), record["kilder"]


def test_no_collaboration_is_recorded_twice(records):
    names = [normalise(r["navn"]) for r in records]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    keys = [(tuple(r["kommunenumre"]), r["periode_tekst"], tuple(r["ordninger"])) for r in records if r["kommunenumre"]]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


# --- (f) document 004 gives examples ----------------------------------------------------------


def test_records_from_the_examples_document_say_so(records, notes):
    from_004 = [r for r in records if EXAMPLES_DOC in r["kilder"]]
    assert from_004
    wrong = [
        r["partnerskap_id"]
        for r in from_004
        if not any(re.search(r"eksempl", n, re.IGNORECASE) and re.search(r"fullstendig", n, re.IGNORECASE)
                   for n in notes.get(r["partnerskap_id"], []))
    ]
    assert not wrong, f"records from {EXAMPLES_DOC} without a note that it names examples only: {wrong}"


# --- the excerpts a clean clone tests against ---------------------------------------------------


@needs_shared
def test_excerpts_are_verbatim_quotes_of_the_shared_documents():
    """tests/fixtures/kilder/ holds sentences of the documents, word for word, and nothing else."""
    excerpts = sorted(EXCERPTS.glob("*.txt"))
    assert excerpts, f"no excerpts in {EXCERPTS}"
    wrong = []
    for excerpt in excerpts:
        full = (SHARED_SEEDS / excerpt.name).read_text(encoding="utf-8")
        wrong += [f"{excerpt.name}: «{s}»" for s in excerpt.read_text(encoding="utf-8").splitlines() if s not in full]
    assert not wrong, "excerpts that are not in the shared documents:\n" + "\n".join(wrong)
    assert sorted(p.name for p in excerpts) == sorted(p.name for p in SHARED_SEEDS.glob("*.txt"))


def test_notes_name_their_sources_by_title_not_by_file_number(notes: dict[str, list[str]]):
    """The notes in data/partnerships.yaml cite «000», «Dokument 004»: file numbers of the seeds.
    A reader sees the document's title instead."""
    every = [note for pid_notes in notes.values() for note in pid_notes]
    numbered = [note for note in every if re.search(r"\b0\d\d\b", note)]
    assert not numbered, numbered[:3]
    assert any("«SePU sine samarbeid»" in note for note in every)
    assert any(note.startswith("Dokumentet «Oppsummering av prosjektbeskrivelser") for note in every)

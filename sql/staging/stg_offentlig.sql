-- Udir's public statistics as read by etl/udir.py: real figures, never synthetic.

-- one row per measure, school year and area: the number, or undertrykt (Udir wrote «*») or
-- mangler (an empty cell); municipalities carry 2024 codes
create table stg_udir_verdi as
select
    fil,
    tabell,
    skolear,
    ar::integer as ar,
    omrade_type,
    omrade_kode,
    navn_kilde,
    kode_kilde,
    maal,
    maal_navn,
    verdi::double as verdi,
    undertrykt,
    mangler,
    tekst
from src_udir_verdi
order by maal, ar, omrade_type, omrade_kode;

-- one row per response file: what it holds, where it came from, when it was retrieved
create table stg_udir_fil as
select * from src_udir_fil order by tabell nulls last, skolear, fil;

-- one row per measure, school year and school in a CSV download's school rows (level 4), with
-- the school's 2024 municipality; the bundled national-test copies carry no school rows
create table stg_udir_skole as
select
    fil, skolear, ar::integer as ar, organisasjonsnummer, skole_navn, kommunenummer, kommunenummer_kilde,
    tabell, maal, maal_navn, verdi::double as verdi, undertrykt, mangler, tekst
from src_udir_skole
order by maal, ar, organisasjonsnummer;

-- notes about the files (empty cells, empty responses, renumbered municipalities)
create table stg_udir_merknad as
select fil, nr, merknad from src_udir_merknad order by nr;

-- the indicators the dashboard shows, and how each is computed from the measures
create table stg_offentlig_indikator as
select
    indikator,
    navn,
    tabell,
    type,
    teller,
    nullif(nevner, '') as nevner,
    nullif(usikkerhet, '') as usikkerhet,
    enhet,
    desimaler::integer as desimaler,
    retning,
    rekkefolge::integer as rekkefolge,
    beskrivelse,
    nullif(skjult_elever_maks, '')::integer as skjult_elever_maks,
    nullif(skala_min, '')::double as skala_min,
    nullif(skala_maks, '')::double as skala_maks,
    brudd_ar::integer as brudd_ar,
    nullif(brudd_tekst, '') as brudd_tekst
from src_offentlig_indikator
order by rekkefolge;

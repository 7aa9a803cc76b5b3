-- one row per respondent group of the survey instrument
create table stg_respondentgruppe as
select respondentgruppe, navn, skala_min::integer as skala_min, skala_max::integer as skala_max,
       skala_type, trinn_fra::integer as trinn_fra, trinn_til::integer as trinn_til, enhetstyper
from src_respondentgruppe
order by respondentgruppe;

-- one row per indicator
create table stg_indikator as
select indikator, navn, beskrivelse, hoyere_er_bedre::boolean as hoyere_er_bedre
from src_indikator
order by indikator;

-- one row per survey item
create table stg_sporsmal as
select sporsmal_id, respondentgruppe, indikator, tekst, omvendt::boolean as omvendt
from src_sporsmal
order by sporsmal_id;

-- one row per declared norm (reference mean and standard deviation on the item scale), from the
-- norm file (KL_NORMER); without one the 500-scale is anchored to the baseline round
create table stg_norm as
select respondentgruppe, indikator, snitt::double as snitt, standardavvik::double as standardavvik,
       kilde
from src_norm
order by respondentgruppe, indikator;

-- Respondent-level data and unsuppressed results live in the schema `privat` (made by the build),
-- which only the private build file holds: the warehouse the dashboard opens never contains it.

-- one row per unit (kindergarten, school, SFO, PPT office), imported or synthetic
create table stg_enhet as
select enhet_id, enhet_navn, lower(enhetstype) as enhetstype, kommunenummer, kommunenummer_kilde,
       eierform, organisasjonsnummer, syntetisk::boolean as syntetisk
from src_enheter
order by enhet_id;

-- one row per respondent and item answered (or left empty) in a round: a view over the Parquet
-- files the build streams (privat.src_svar), never a copy of tens of millions of rows
create view privat.stg_svar as
select
    runde::varchar as runde,
    enhet_id::varchar as enhet_id,
    respondentgruppe::varchar as respondentgruppe,
    respondent_id::varchar as respondent_id,
    sporsmal_id::varchar as sporsmal_id,
    svar::smallint as svar,
    trinn::tinyint as trinn,
    kjonn::varchar as kjonn,
    syntetisk::boolean as syntetisk
from privat.src_svar;

-- one row per aggregated result as leaders receive them (unit or municipality level), with the
-- norm its score is on (results are never re-scored: SePU reports them on its own norm)
create table privat.stg_resultat as
select runde, enhet_id, kommunenummer, respondentgruppe, indikator,
       antall_svar::integer as antall_svar, skaar::double as skaar,
       standardavvik::double as standardavvik,
       coalesce(nullif(trim(referanse), ''), 'importert norm (ikke oppgitt)') as referanse,
       syntetisk::boolean as syntetisk
from src_resultater;

-- one row per round, with its year and sort order (spring before autumn)
create table stg_runde as
with alle as (
    select distinct runde from privat.stg_svar
    union select distinct runde from privat.stg_resultat
    union select distinct runde from privat.src_kartlegging
)
select
    runde,
    left(runde, 4)::integer as runde_ar,
    left(runde, 4)::integer * 10
        + case when runde like '%vår' then 1 when runde like '%høst' then 2 else 0 end as runde_sort
from alle
order by runde_sort;

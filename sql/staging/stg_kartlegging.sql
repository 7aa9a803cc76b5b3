-- one row per role in the competence mapping
create table stg_rolle as select rolle, navn from src_rolle;

-- one row per competence area
create table stg_omrade as select omrade, navn, kilde from src_omrade order by omrade;

-- one row per part of Gjøvikregionen's mapping survey (autumn 2022)
create table stg_kartlegging_del as select nr::integer as nr, navn from src_kartlegging_del order by nr;

-- one row per respondent and competence area in a round (a view over the streamed files)
create view privat.stg_kartlegging as
select
    runde::varchar as runde,
    kommunenummer::varchar as kommunenummer,
    enhet_id::varchar as enhet_id,
    rolle::varchar as rolle,
    respondent_id::varchar as respondent_id,
    omrade::varchar as omrade,
    kompetanse::tinyint as kompetanse,
    behov::tinyint as behov,
    syntetisk::boolean as syntetisk
from privat.src_kartlegging;

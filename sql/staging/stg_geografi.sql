-- one row per 2024 county
create table stg_fylke as
select
    fylkesnummer,
    fylkesnavn,
    fylkesnavn_kort,
    lat::double as lat,
    lon::double as lon
from src_fylker
order by fylkesnummer;

-- one row per 2024 municipality
create table stg_kommune as
select
    kommunenummer,
    kommunenavn,
    kommunenavn_kort,
    fylkesnummer,
    lat::double as lat,
    lon::double as lon
from src_kommuner
order by kommunenummer;

-- one row per older municipality code and the period it was valid
create table stg_kommune_historikk as
select
    kommunenummer_gammel,
    kommunenavn_gammel,
    gyldig_fra::integer as gyldig_fra,
    gyldig_til::integer as gyldig_til,
    kommunenummer_2024,
    andel,
    kilde,
    merknad
from src_kommune_historikk
order by kommunenummer_gammel, gyldig_fra;

-- one row per municipality with a boundary (empty when the build ran without boundaries)
create table stg_kommune_grense as
select kommunenummer, geometri from src_kommune_grense order by kommunenummer;

-- one row per county with a boundary
create table stg_fylke_grense as
select fylkesnummer, geometri from src_fylke_grense order by fylkesnummer;

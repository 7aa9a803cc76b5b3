-- one row per 2024 municipality, with its county and whether a boundary was loaded
create table mart_kommune as
with kommune as (select * from stg_kommune),
fylke as (select * from stg_fylke),
grense as (select kommunenummer from stg_kommune_grense),
final as (
    select
        kommune.kommunenummer,
        kommune.kommunenavn,
        kommune.kommunenavn_kort,
        kommune.fylkesnummer,
        fylke.fylkesnavn,
        fylke.fylkesnavn_kort,
        kommune.lat,
        kommune.lon,
        grense.kommunenummer is not null as har_grense
    from kommune
    join fylke using (fylkesnummer)
    left join grense using (kommunenummer)
)
select * from final order by kommunenummer;

-- one row per code that may appear in imported data (2024 codes and every older code),
-- with the 2024 municipality it maps to
create table mart_kodeendring as
with current_codes as (
    select kommunenummer as kommunenummer_kilde, kommunenavn as kommunenavn_kilde,
           2024 as gyldig_fra, null::integer as gyldig_til, kommunenummer as kommunenummer_2024,
           'gjeldende' as kilde
    from stg_kommune
),
older as (
    select kommunenummer_gammel, kommunenavn_gammel, gyldig_fra, gyldig_til,
           kommunenummer_2024, kilde
    from stg_kommune_historikk
),
final as (
    select * from current_codes
    union all
    select * from older
)
select * from final order by kommunenummer_kilde, gyldig_fra;

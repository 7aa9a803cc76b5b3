-- one row per level (kommune, partnerskap, fylke, alle), id, round, role (or 'alle') and
-- competence area: mean competence and need (1–5) and the gap; suppressed cells have no numbers
create table mart_kartlegging as
with omrader as (
    select distinct runde, omrade from privat.int_kartlegging_indre
),
c as (
    -- every pattern cell gets a row for every area of its round, so a missing row never tells
    -- that nobody in a hidden cell answered an area
    select m.runde, m.niva, m.niva_id, m.rolle, o.omrade, s.monster_id is not null as undertrykt,
           coalesce(c.n, 0) as n, c.s_kompetanse, c.s_behov, coalesce(c.syntetisk, m.syntetisk) as syntetisk
    from privat.int_kartlegging_monster m
    join omrader o using (runde)
    left join privat.int_kartlegging_celle c using (runde, niva, niva_id, rolle, omrade)
    left join privat.int_skjult s on s.kilde = 'kartlegging' and s.monster_id = m.monster_id
),
plass as (
    select 'kommune' as niva, kommunenummer as niva_id, kommunenummer, fylkesnummer from stg_kommune
    union all select 'fylke', fylkesnummer, null, fylkesnummer from stg_fylke
),
navn as (
    select 'kommune' as niva, kommunenummer as niva_id, kommunenavn_kort as niva_navn from stg_kommune
    union all select 'partnerskap', partnerskap_id, kortnavn from stg_partnerskap
    union all select 'fylke', fylkesnummer, fylkesnavn_kort from stg_fylke
    union all select 'alle', 'alle', 'Alle'
),
final as (
    select
        c.niva, c.niva_id, navn.niva_navn, p.kommunenummer, p.fylkesnummer,
        c.runde, r.runde_sort, c.rolle, c.omrade,
        case when c.undertrykt then null else c.n::integer end as antall_svar,
        case when c.undertrykt then null else round(c.s_kompetanse / nullif(c.n, 0), 6) end as kompetanse,
        case when c.undertrykt then null else round(c.s_behov / nullif(c.n, 0), 6) end as behov,
        case when c.undertrykt then null else round((c.s_behov - c.s_kompetanse) / nullif(c.n, 0), 6) end as gap,
        c.undertrykt,
        case when c.undertrykt then 'skjult (personvern)' end as undertrykt_grunn,
        c.syntetisk
    from c
    join stg_runde r using (runde)
    left join navn using (niva, niva_id)
    left join plass p using (niva, niva_id)
)
select * from final order by niva, niva_id, runde_sort, rolle, omrade;

-- one row per unit, with its municipality and whether it is synthetic
create table mart_enhet as
select e.enhet_id, e.enhet_navn, e.enhetstype, e.kommunenummer, k.kommunenavn_kort as kommunenavn,
       k.fylkesnummer, e.eierform, e.organisasjonsnummer, e.syntetisk
from stg_enhet e join stg_kommune k using (kommunenummer)
order by e.kommunenummer, e.enhetstype, e.enhet_navn;

-- one row per level (kommune, partnerskap, fylke, alle), id, round, role (or 'alle') and
-- competence area: mean competence and need (1–5) and the gap; suppressed cells have no numbers
create table mart_kartlegging as
with c as (
    select c.*, u.undertrykt, u.grunn
    from tmp_kartlegging_celle c join tmp_celle u using (celle_id)
),
navn as (
    select 'kommune' as niva, kommunenummer as niva_id, kommunenavn_kort as niva_navn from stg_kommune
    union all select 'partnerskap', partnerskap_id, kortnavn from stg_partnerskap
    union all select 'fylke', fylkesnummer, fylkesnavn_kort from stg_fylke
    union all select 'alle', 'alle', 'Alle'
),
final as (
    select
        c.niva, c.niva_id, navn.niva_navn, c.kommunenummer, c.fylkesnummer,
        c.runde, r.runde_sort, c.rolle, c.omrade,
        case when c.undertrykt then null else c.n::integer end as antall_svar,
        case when c.undertrykt then null else round(c.s_kompetanse / c.n, 6) end as kompetanse,
        case when c.undertrykt then null else round(c.s_behov / c.n, 6) end as behov,
        case when c.undertrykt then null else round((c.s_behov - c.s_kompetanse) / c.n, 6) end as gap,
        c.undertrykt,
        case c.grunn
            when 'primær' then 'færre enn ' || getvariable('min_svar') || ' svar'
            when 'sekundær' then 'skjult for å beskytte en mindre gruppe'
        end as undertrykt_grunn,
        c.syntetisk
    from c
    join stg_runde r using (runde)
    left join navn using (niva, niva_id)
)
select * from final order by niva, niva_id, runde_sort, rolle, omrade;

-- one row per unit, with its municipality and whether it is synthetic
create table mart_enhet as
select e.enhet_id, e.enhet_navn, e.enhetstype, e.kommunenummer, k.kommunenavn_kort as kommunenavn,
       k.fylkesnummer, e.eierform, e.organisasjonsnummer, e.syntetisk
from stg_enhet e join stg_kommune k using (kommunenummer)
order by e.kommunenummer, e.enhetstype, e.enhet_navn;

-- Competence-mapping arithmetic before suppression (temporary tables, like int_indikator.sql).

-- one row per level (municipality, collaboration, county, all), round, role (or all roles) and
-- area, with additive statistics of competence and need (1–5)
create temp table tmp_kartlegging_celle as
with k as (
    select m.*, g.fylkesnummer
    from stg_kartlegging m join stg_kommune g using (kommunenummer)
),
roller as (
    select runde, kommunenummer, fylkesnummer, enhet_id, omrade, rolle, kompetanse, behov, syntetisk from k
    union all
    select runde, kommunenummer, fylkesnummer, enhet_id, omrade, 'alle' as rolle, kompetanse, behov, syntetisk from k
),
stats as (
    select
        niva, niva_id, kommunenummer, fylkesnummer, runde, rolle, omrade,
        count(*) as n,
        sum(kompetanse) as s_kompetanse, sum(kompetanse * kompetanse) as ss_kompetanse,
        sum(behov) as s_behov, sum(behov * behov) as ss_behov,
        bool_or(syntetisk) as syntetisk
    from (
        select 'kommune' as niva, kommunenummer as niva_id, kommunenummer, fylkesnummer, * exclude (kommunenummer, fylkesnummer, enhet_id) from roller
        union all by name
        select 'partnerskap' as niva, p.partnerskap_id as niva_id, null as kommunenummer, null as fylkesnummer, r.* exclude (kommunenummer, fylkesnummer, enhet_id)
        from roller r
        join mart_partnerskap_kommune p using (kommunenummer)
        join mart_partnerskap mp using (partnerskap_id)
        -- a collaboration limited to named units counts only the staff of those units
        where mp.omfang <> 'enhet' or exists (
            select 1 from stg_partnerskap_enhet pe join stg_enhet e on lower(e.enhet_navn) = lower(pe.enhet_navn)
            where pe.partnerskap_id = mp.partnerskap_id and e.enhet_id = r.enhet_id
        )
        union all by name
        select 'fylke' as niva, fylkesnummer as niva_id, null as kommunenummer, fylkesnummer, * exclude (kommunenummer, fylkesnummer, enhet_id) from roller
        union all by name
        select 'alle' as niva, 'alle' as niva_id, null as kommunenummer, null as fylkesnummer, * exclude (kommunenummer, fylkesnummer, enhet_id) from roller
    )
    group by all
)
select
    -- ids above every indicator cell id, so both kinds share one suppression table
    (select coalesce(max(celle_id), 0) from tmp_indikator_celle)
        + row_number() over (order by niva, niva_id, runde, rolle, omrade) as celle_id,
    *
from stats;

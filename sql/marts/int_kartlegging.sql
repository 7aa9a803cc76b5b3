-- Competence-mapping arithmetic before suppression (schema `privat`, like int_indikator.sql).

-- one row per round, municipality, unit (or none), role and area: the inner cells
create table privat.int_kartlegging_indre as
select
    runde, kommunenummer, coalesce(enhet_id, '') as enhet_id, rolle, omrade,
    count(*) as n,
    sum(kompetanse) as s_kompetanse, sum(kompetanse * kompetanse) as ss_kompetanse,
    sum(behov) as s_behov, sum(behov * behov) as ss_behov,
    bool_or(syntetisk) as syntetisk
from privat.stg_kartlegging
group by all;

-- one row per area (municipality, collaboration, county, all) and block (municipality and unit)
create table privat.int_kartlegging_omrade as
with blokker as (
    select distinct kommunenummer, enhet_id from privat.int_kartlegging_indre
),
navngitte as (
    select pe.partnerskap_id, e.enhet_id
    from stg_partnerskap_enhet pe join stg_enhet e on lower(e.enhet_navn) = lower(pe.enhet_navn)
)
select 'kommune' as niva, kommunenummer as niva_id, kommunenummer, enhet_id from blokker
union all
select 'fylke', k.fylkesnummer, b.kommunenummer, b.enhet_id from blokker b join stg_kommune k using (kommunenummer)
union all
select 'alle', 'alle', kommunenummer, enhet_id from blokker
union all
-- a collaboration limited to named units counts only the staff of those units
select 'partnerskap', p.partnerskap_id, b.kommunenummer, b.enhet_id
from blokker b
join mart_partnerskap_kommune p using (kommunenummer)
join mart_partnerskap mp using (partnerskap_id)
where mp.omfang <> 'enhet' or (p.partnerskap_id, b.enhet_id) in (select * from navngitte);

-- one row per area, round, role (or all roles) and competence area, with additive statistics
create table privat.int_kartlegging_celle as
with roller as (
    select *, rolle as rolle_celle from privat.int_kartlegging_indre
    union all by name
    select *, 'alle' as rolle_celle from privat.int_kartlegging_indre
)
select
    o.niva, o.niva_id, r.runde, r.rolle_celle as rolle, r.omrade,
    sum(r.n) as n,
    sum(r.s_kompetanse) as s_kompetanse, sum(r.ss_kompetanse) as ss_kompetanse,
    sum(r.s_behov) as s_behov, sum(r.ss_behov) as ss_behov,
    bool_or(r.syntetisk) as syntetisk
from roller r
join privat.int_kartlegging_omrade o using (kommunenummer, enhet_id)
group by all;

-- one row per pattern cell (area, round, role): shown or hidden for every competence area at
-- once; its size is the smallest n over the areas that have answers in it
create table privat.int_kartlegging_monster as
select
    row_number() over (order by c.runde, c.niva, c.niva_id, c.rolle) as monster_id,
    c.runde, c.niva, c.niva_id, c.rolle,
    min(c.n)::bigint as n,
    bool_or(c.syntetisk) as syntetisk
from privat.int_kartlegging_celle c
group by c.runde, c.niva, c.niva_id, c.rolle;

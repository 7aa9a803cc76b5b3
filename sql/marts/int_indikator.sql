-- Survey arithmetic before suppression. Every table here is in the schema `privat` (the private
-- build file only), except mart_referanse, which publishes only what published cells show.

-- one row per round, unit, respondent group, respondent and indicator: the mean of the
-- respondent's answered items after reverse coding, on the group's item scale
create table privat.int_respondent as
with svar as (
    select
        s.runde, s.enhet_id, s.respondentgruppe, s.respondent_id, s.trinn, s.kjonn, s.syntetisk,
        q.indikator,
        case when q.omvendt then g.skala_min + g.skala_max - s.svar else s.svar end as verdi
    from privat.stg_svar s
    -- left joins: an item or group the instrument does not know leaves an empty indicator, which
    -- the contracts refuse (sql/contracts.yaml), instead of vanishing
    left join stg_sporsmal q on q.sporsmal_id = s.sporsmal_id and q.respondentgruppe = s.respondentgruppe
    left join stg_respondentgruppe g on g.respondentgruppe = s.respondentgruppe
    where s.svar is not null
)
select
    runde, enhet_id, respondentgruppe, respondent_id, indikator,
    avg(verdi) as snitt,
    any_value(trinn) as trinn,
    any_value(kjonn) as kjonn,
    bool_or(syntetisk) as syntetisk
from svar
group by runde, enhet_id, respondentgruppe, respondent_id, indikator;

-- one row per respondent group and indicator: the reference the 500-scale is anchored to.
-- A declared norm (KL_NORMER) when there is one; otherwise the baseline: the earliest round
-- (year, then spring before autumn) in which the group's total for every unit type has at least
-- K answers to every indicator of that round. A later round never moves it, and its mean and
-- spread are those of published cells (the round's totals). A warehouse holds real or demo data,
-- not both (docs/decisions.md); a baseline of synthetic respondents is labelled as the demo's.
create table mart_referanse as
with per_type as (
    select r.runde, r.respondentgruppe, e.enhetstype, r.indikator, count(*) as n
    from privat.int_respondent r join stg_enhet e using (enhet_id)
    group by all
),
omfang as (
    -- indicators measured in a round and group (a missing one counts as zero answers)
    select runde, respondentgruppe, count(distinct indikator) as antall,
           count(distinct enhetstype) as typer
    from per_type group by all
),
kandidat as (
    -- rounds whose totals are published: every unit type's total has >= K answers to every indicator
    select runde, respondentgruppe, r.runde_sort
    from (
        select p.runde, p.respondentgruppe, p.enhetstype, any_value(o.typer) as typer
        from per_type p join omfang o using (runde, respondentgruppe)
        group by p.runde, p.respondentgruppe, p.enhetstype
        having count(distinct p.indikator) = any_value(o.antall) and min(p.n) >= getvariable('min_svar')
    )
    join stg_runde r using (runde)
    group by runde, respondentgruppe, r.runde_sort
    having count(*) = any_value(typer)
),
grunnlinje_runde as (
    select * from kandidat
    qualify row_number() over (partition by respondentgruppe order by runde_sort) = 1
),
grunnlinje as (
    select r.respondentgruppe, r.indikator, g.runde, bool_or(r.syntetisk) as syntetisk,
           avg(r.snitt) as snitt, stddev_samp(r.snitt) as standardavvik
    from privat.int_respondent r
    join grunnlinje_runde g using (runde, respondentgruppe)
    group by all
),
final as (
    select
        coalesce(n.respondentgruppe, g.respondentgruppe) as respondentgruppe,
        coalesce(n.indikator, g.indikator) as indikator,
        -- rounded: a parallel sum of floats differs in the last bits between runs, and a rebuild
        -- must give identical content
        round(coalesce(n.snitt, g.snitt), 9) as ref_snitt,
        round(coalesce(n.standardavvik, g.standardavvik), 9) as ref_standardavvik,
        case when n.snitt is not null then 'norm'
             when g.syntetisk then 'demo-grunnlinje' else 'grunnlinje' end as referanse_type,
        -- a declared norm is named by its source, so imported results that declare the same norm
        -- combine with scores computed here
        case when n.snitt is not null then n.kilde
             when g.syntetisk then 'demo-grunnlinje ' || g.runde
             else 'grunnlinje ' || g.runde end as referanse,
        case when n.snitt is null then g.runde end as grunnlinje_runde
    from grunnlinje g
    full join stg_norm n using (respondentgruppe, indikator)
)
select * from final
where ref_standardavvik > 0
order by respondentgruppe, indikator;

-- one row per inner cell: round, respondent group, unit, grade band, gender and indicator, with
-- additive statistics (n, sums, sums of squares) on the item scale and on the 500-scale.
-- Imported aggregated results are inner cells too (a municipality-level result is a
-- pseudo-unit "kommune:<nr>:<type>" that no unit-level cell shows).
create table privat.int_indre as
with resp as (
    select
        r.*, e.kommunenummer, e.enhetstype, ref.referanse,
        500 + 100 * (r.snitt - ref.ref_snitt) / ref.ref_standardavvik as skaar,
        case
            when r.trinn between 1 and 4 then '1.–4. trinn'
            when r.trinn between 5 and 7 then '5.–7. trinn'
            when r.trinn between 8 and 10 then '8.–10. trinn'
        end as trinnband
    from privat.int_respondent r
    join stg_enhet e using (enhet_id)
    left join mart_referanse ref using (respondentgruppe, indikator)
),
svar_celler as (
    select
        runde, respondentgruppe, enhetstype, enhet_id, kommunenummer, true as ekte_enhet,
        trinnband, kjonn, indikator,
        count(*) as n,
        count(*) as n_snitt, sum(snitt) as s_snitt, sum(snitt * snitt) as ss_snitt,
        count(skaar) as n_skaar, count(skaar) as n_sd, sum(skaar) as s_skaar, sum(skaar * skaar) as ss_skaar,
        any_value(referanse) as referanse,
        bool_or(syntetisk) as syntetisk
    from resp
    group by runde, respondentgruppe, enhetstype, enhet_id, kommunenummer, trinnband, kjonn, indikator
),
resultat_celler as (
    -- imported aggregated results: their item-scale mean is unknown, their score is on their norm
    select
        r.runde, r.respondentgruppe,
        coalesce(e.enhetstype, g.enhetstyper[1]) as enhetstype,
        coalesce(r.enhet_id, 'kommune:' || r.kommunenummer || ':' || coalesce(e.enhetstype, g.enhetstyper[1])) as enhet_id,
        coalesce(e.kommunenummer, r.kommunenummer) as kommunenummer,
        r.enhet_id is not null as ekte_enhet,
        null::varchar as trinnband, null::varchar as kjonn, r.indikator,
        r.antall_svar as n,
        0 as n_snitt, null::double as s_snitt, null::double as ss_snitt,
        r.antall_svar as n_skaar,
        case when r.standardavvik is not null then r.antall_svar else 0 end as n_sd,
        r.antall_svar * r.skaar as s_skaar,
        (r.antall_svar - 1) * r.standardavvik * r.standardavvik + r.antall_svar * r.skaar * r.skaar as ss_skaar,
        r.referanse,
        r.syntetisk
    from privat.stg_resultat r
    join stg_respondentgruppe g using (respondentgruppe)
    left join stg_enhet e using (enhet_id)
    where r.antall_svar > 0
)
select * from svar_celler
union all by name
select * from resultat_celler;

-- one row per round, respondent group, unit, grade band and gender: the respondents (a
-- respondent is counted once per unit; ids may repeat across units)
create table privat.int_indre_deltakelse as
with resp as (
    select distinct r.runde, r.respondentgruppe, e.enhetstype, r.enhet_id, r.respondent_id,
        case
            when r.trinn between 1 and 4 then '1.–4. trinn'
            when r.trinn between 5 and 7 then '5.–7. trinn'
            when r.trinn between 8 and 10 then '8.–10. trinn'
        end as trinnband,
        r.kjonn
    from privat.int_respondent r join stg_enhet e using (enhet_id)
)
select runde, respondentgruppe, enhetstype, enhet_id, trinnband, kjonn, count(*) as respondenter
from resp group by all
union all by name
select runde, respondentgruppe, enhetstype, enhet_id, null as trinnband, null as kjonn, max(n) as respondenter
from privat.int_indre where not ekte_enhet or n_snitt = 0
group by all;

-- one row per area (municipality, collaboration, county, all) and unit with survey data in it
create table privat.int_omrade_enhet as
with enheter as (
    select distinct enhet_id, kommunenummer, enhetstype, ekte_enhet from privat.int_indre
),
navngitte as (
    -- units named by a collaboration limited to single units
    select pe.partnerskap_id, e.enhet_id
    from stg_partnerskap_enhet pe join stg_enhet e on lower(e.enhet_navn) = lower(pe.enhet_navn)
)
select 'kommune' as niva, kommunenummer as niva_id, enhet_id from enheter
union all
select 'fylke', k.fylkesnummer, e.enhet_id from enheter e join stg_kommune k using (kommunenummer)
union all
select 'alle', 'alle', enhet_id from enheter
union all
-- a collaboration counts the unit types its source names (all when it names none); one limited to
-- named units counts only those units
select 'partnerskap', p.partnerskap_id, e.enhet_id
from enheter e
join mart_partnerskap_kommune p using (kommunenummer)
join mart_partnerskap mp using (partnerskap_id)
where (len(mp.enhetstyper) = 0 or list_contains(mp.enhetstyper, e.enhetstype))
  and (mp.omfang <> 'enhet' or (p.partnerskap_id, e.enhet_id) in (select * from navngitte));

-- one row per candidate cell and indicator: a unit or an area, all / one grade band / one gender,
-- with its statistics summed from the inner cells, never averaged
create table privat.int_celle as
with medlem as (
    select 'enhet' as niva, enhet_id as niva_id, enhet_id from (select distinct enhet_id from privat.int_indre where ekte_enhet)
    union all
    select niva, niva_id, enhet_id from privat.int_omrade_enhet
),
inndelt as (
    select *, 'alle' as gruppering, 'alle' as gruppe from privat.int_indre
    union all by name
    select *, 'trinn' as gruppering, trinnband as gruppe from privat.int_indre where trinnband is not null
    union all by name
    select *, 'kjonn' as gruppering, kjonn as gruppe from privat.int_indre where kjonn is not null
)
select
    m.niva, m.niva_id, d.runde, d.enhetstype, d.respondentgruppe, d.gruppering, d.gruppe, d.indikator,
    sum(d.n) as n, sum(d.n_snitt) as n_snitt, sum(d.s_snitt) as s_snitt, sum(d.ss_snitt) as ss_snitt,
    sum(d.n_skaar) as n_skaar, sum(d.n_sd) as n_sd, sum(d.s_skaar) as s_skaar, sum(d.ss_skaar) as ss_skaar,
    -- how many references the cell mixes, as far as the marts care (0, 1 or more): min and max
    -- instead of a distinct count, which would hash every string of tens of millions of rows
    case when min(d.referanse) is null then 0 when min(d.referanse) = max(d.referanse) then 1 else 2 end
        as antall_referanser,
    min(d.referanse) as referanse,
    bool_or(d.syntetisk) as syntetisk
from inndelt d
join medlem m using (enhet_id)
group by all;

-- one row per pattern cell: a unit or area, round, unit type, respondent group and breakdown,
-- shown or hidden for every indicator at once. Its size is the smallest n over the indicators
-- that have answers in it: one indicator with fewer than K answers hides the whole cell.
create table privat.int_monster as
with celle as (
    select c.runde, c.enhetstype, c.respondentgruppe, c.niva, c.niva_id, c.gruppering, c.gruppe,
           min(c.n)::bigint as n,
           bool_or(c.syntetisk) as syntetisk
    from privat.int_celle c
    group by all
),
medlem as (
    select 'enhet' as niva, enhet_id as niva_id, enhet_id from (select distinct enhet_id from privat.int_indre where ekte_enhet)
    union all
    select niva, niva_id, enhet_id from privat.int_omrade_enhet
),
deltakelse as (
    select m.niva, m.niva_id, d.runde, d.enhetstype, d.respondentgruppe, g.gruppering, g.gruppe,
           sum(d.respondenter) as respondenter,
           count(distinct d.enhet_id) filter (where not starts_with(d.enhet_id, 'kommune:')) as enheter
    from privat.int_indre_deltakelse d
    join medlem m using (enhet_id)
    cross join lateral (
        select 'alle' as gruppering, 'alle' as gruppe
        union all select 'trinn', d.trinnband where d.trinnband is not null
        union all select 'kjonn', d.kjonn where d.kjonn is not null
    ) g
    group by all
)
select
    row_number() over (order by runde, enhetstype, respondentgruppe, niva, niva_id, gruppering, gruppe) as monster_id,
    c.*, coalesce(d.respondenter, c.n)::bigint as respondenter, coalesce(d.enheter, 0)::bigint as enheter
from celle c
left join deltakelse d using (niva, niva_id, runde, enhetstype, respondentgruppe, gruppering, gruppe);

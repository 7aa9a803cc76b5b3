-- Survey arithmetic before suppression. Every table here is TEMPORARY: unsuppressed cells never
-- reach the warehouse file; only the suppressed marts (mart_indikator*.sql) are stored.

-- one row per round, unit, respondent group, respondent and indicator: the mean of the
-- respondent's answered items after reverse coding, on the group's item scale
create temp table tmp_respondent as
with svar as (
    select
        s.runde, s.enhet_id, s.respondentgruppe, s.respondent_id, s.trinn, s.kjonn, s.syntetisk,
        q.indikator,
        case when q.omvendt then g.skala_min + g.skala_max - s.svar else s.svar end as verdi
    from stg_svar s
    join stg_sporsmal q on q.sporsmal_id = s.sporsmal_id and q.respondentgruppe = s.respondentgruppe
    join stg_respondentgruppe g on g.respondentgruppe = s.respondentgruppe
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

-- one row per respondent group and indicator: the reference the 500-scale is anchored to
create table mart_referanse as
with data as (
    select respondentgruppe, indikator, count(*) as antall_respondenter,
           avg(snitt) as snitt, stddev_samp(snitt) as standardavvik
    from tmp_respondent
    group by all
)
select
    d.respondentgruppe,
    d.indikator,
    -- rounded: a parallel sum of floats differs in the last bits between runs, and a rebuild
    -- must give identical content
    round(coalesce(n.snitt, d.snitt), 9) as ref_snitt,
    round(coalesce(n.standardavvik, d.standardavvik), 9) as ref_standardavvik,
    case when n.snitt is not null then 'normtabell' else 'hele datasettet' end as referanse
from data d
left join stg_norm n using (respondentgruppe, indikator)
order by respondentgruppe, indikator;

-- one row per round, unit, respondent group, indicator and breakdown (all / grade band / gender),
-- with additive statistics (n, sums, sums of squares) on the item scale and the 500-scale
create temp table tmp_enhet_celle as
with resp as (
    select
        r.*,
        500 + 100 * (r.snitt - ref.ref_snitt) / nullif(ref.ref_standardavvik, 0) as skaar,
        case
            when r.trinn between 1 and 4 then '1.–4. trinn'
            when r.trinn between 5 and 7 then '5.–7. trinn'
            when r.trinn between 8 and 10 then '8.–10. trinn'
        end as trinnband
    from tmp_respondent r
    join mart_referanse ref using (respondentgruppe, indikator)
),
grupper as (
    select
        runde, enhet_id, respondentgruppe, indikator,
        case when grouping(trinnband) = 0 then 'trinn'
             when grouping(kjonn) = 0 then 'kjonn' else 'alle' end as gruppering,
        coalesce(trinnband, kjonn, 'alle') as gruppe,
        count(*) as n,
        count(*) as n_snitt,
        sum(snitt) as s_snitt,
        sum(snitt * snitt) as ss_snitt,
        count(*) as n_sd,
        sum(skaar) as s_skaar,
        sum(skaar * skaar) as ss_skaar,
        bool_or(syntetisk) as syntetisk
    from resp
    group by grouping sets (
        (runde, enhet_id, respondentgruppe, indikator),
        (runde, enhet_id, respondentgruppe, indikator, trinnband),
        (runde, enhet_id, respondentgruppe, indikator, kjonn)
    )
    having not (grouping(trinnband) = 0 and trinnband is null)
       and not (grouping(kjonn) = 0 and kjonn is null)
),
svar_celler as (
    select g.*, e.kommunenummer, e.enhetstype
    from grupper g join stg_enhet e using (enhet_id)
),
resultat_celler as (
    -- imported aggregated results join here; their item-scale mean is unknown
    select
        r.runde, r.enhet_id, r.respondentgruppe, r.indikator, 'alle' as gruppering, 'alle' as gruppe,
        r.antall_svar as n,
        0 as n_snitt, null::double as s_snitt, null::double as ss_snitt,
        case when r.standardavvik is not null then r.antall_svar else 0 end as n_sd,
        r.antall_svar * r.skaar as s_skaar,
        (r.antall_svar - 1) * r.standardavvik * r.standardavvik + r.antall_svar * r.skaar * r.skaar as ss_skaar,
        r.syntetisk,
        coalesce(e.kommunenummer, r.kommunenummer) as kommunenummer,
        coalesce(e.enhetstype, g.enhetstyper[1]) as enhetstype
    from stg_resultat r
    join stg_respondentgruppe g using (respondentgruppe)
    left join stg_enhet e using (enhet_id)
    where r.antall_svar > 0
)
select * from svar_celler
union all by name
select * from resultat_celler;

-- one row per level (unit, municipality, collaboration, county, all), its id, round, unit type,
-- respondent group, indicator and breakdown; statistics summed, never averaged
create temp table tmp_indikator_celle as
with c as (
    select c.*, k.fylkesnummer from tmp_enhet_celle c join stg_kommune k using (kommunenummer)
),
niva_enhet as (
    select 'enhet' as niva, enhet_id as niva_id, kommunenummer, fylkesnummer,
           runde, enhetstype, respondentgruppe, indikator, gruppering, gruppe,
           n, n_snitt, s_snitt, ss_snitt, n_sd, s_skaar, ss_skaar, syntetisk
    from c where enhet_id is not null
),
niva_kommune as (
    select 'kommune' as niva, kommunenummer as niva_id, kommunenummer, fylkesnummer,
           runde, enhetstype, respondentgruppe, indikator, gruppering, gruppe,
           sum(n) as n, sum(n_snitt) as n_snitt, sum(s_snitt) as s_snitt, sum(ss_snitt) as ss_snitt,
           sum(n_sd) as n_sd, sum(s_skaar) as s_skaar, sum(ss_skaar) as ss_skaar, bool_or(syntetisk) as syntetisk
    from c group by all
),
niva_partnerskap as (
    select 'partnerskap' as niva, p.partnerskap_id as niva_id, null as kommunenummer, null as fylkesnummer,
           runde, enhetstype, respondentgruppe, indikator, gruppering, gruppe,
           sum(n) as n, sum(n_snitt) as n_snitt, sum(s_snitt) as s_snitt, sum(ss_snitt) as ss_snitt,
           sum(n_sd) as n_sd, sum(s_skaar) as s_skaar, sum(ss_skaar) as ss_skaar, bool_or(syntetisk) as syntetisk
    from c
    join mart_partnerskap_kommune p using (kommunenummer)
    join mart_partnerskap mp using (partnerskap_id)
    -- a collaboration counts the unit types its source names (all when it names none); one
    -- limited to named units counts only those units
    where (len(mp.enhetstyper) = 0 or list_contains(mp.enhetstyper, c.enhetstype))
      and (mp.omfang <> 'enhet' or exists (
          select 1 from stg_partnerskap_enhet pe join stg_enhet e on lower(e.enhet_navn) = lower(pe.enhet_navn)
          where pe.partnerskap_id = mp.partnerskap_id and e.enhet_id = c.enhet_id
      ))
    group by all
),
niva_fylke as (
    select 'fylke' as niva, fylkesnummer as niva_id, null as kommunenummer, fylkesnummer,
           runde, enhetstype, respondentgruppe, indikator, gruppering, gruppe,
           sum(n) as n, sum(n_snitt) as n_snitt, sum(s_snitt) as s_snitt, sum(ss_snitt) as ss_snitt,
           sum(n_sd) as n_sd, sum(s_skaar) as s_skaar, sum(ss_skaar) as ss_skaar, bool_or(syntetisk) as syntetisk
    from c group by all
),
niva_alle as (
    select 'alle' as niva, 'alle' as niva_id, null as kommunenummer, null as fylkesnummer,
           runde, enhetstype, respondentgruppe, indikator, gruppering, gruppe,
           sum(n) as n, sum(n_snitt) as n_snitt, sum(s_snitt) as s_snitt, sum(ss_snitt) as ss_snitt,
           sum(n_sd) as n_sd, sum(s_skaar) as s_skaar, sum(ss_skaar) as ss_skaar, bool_or(syntetisk) as syntetisk
    from c group by all
),
alle_niva as (
    select * from niva_enhet
    union all by name select * from niva_kommune
    union all by name select * from niva_partnerskap
    union all by name select * from niva_fylke
    union all by name select * from niva_alle
)
select
    row_number() over (
        order by niva, niva_id, runde, enhetstype, respondentgruppe, indikator, gruppering, gruppe
    ) as celle_id,
    *
from alle_niva;

-- one row per level (enhet, kommune, partnerskap, fylke, alle), id, round, unit type, respondent
-- group, indicator and breakdown (gruppering alle/trinn/kjonn). A hidden cell keeps its row with
-- every number empty: one pattern (etl/disclosure.py) decides all indicators of a cell at once.
create table mart_indikator as
with monster as (
    select m.*, s.monster_id is not null as undertrykt
    from privat.int_monster m
    left join privat.int_skjult s on s.kilde = 'indikator' and s.monster_id = m.monster_id
),
indikatorer as (
    select distinct runde, respondentgruppe, enhetstype, indikator from privat.int_indre
),
c as (
    -- every pattern cell gets a row for every indicator of its round, so a missing row never
    -- tells that nobody in a hidden cell answered an indicator
    select m.niva, m.niva_id, m.runde, m.enhetstype, m.respondentgruppe, m.gruppering, m.gruppe,
           i.indikator, m.undertrykt, m.syntetisk,
           coalesce(c.n, 0) as n, c.n_snitt, c.s_snitt, c.ss_snitt, c.n_skaar, c.n_sd, c.s_skaar,
           c.ss_skaar, coalesce(c.antall_referanser, 0) as antall_referanser, c.referanse
    from monster m
    join indikatorer i using (runde, respondentgruppe, enhetstype)
    left join privat.int_celle c using (runde, enhetstype, respondentgruppe, niva, niva_id, gruppering, gruppe, indikator)
),
navn as (
    select 'enhet' as niva, enhet_id as niva_id, enhet_navn as niva_navn from stg_enhet
    union all select 'kommune', kommunenummer, kommunenavn_kort from stg_kommune
    union all select 'partnerskap', partnerskap_id, kortnavn from stg_partnerskap
    union all select 'fylke', fylkesnummer, fylkesnavn_kort from stg_fylke
    union all select 'alle', 'alle', 'Alle enheter'
),
plass as (
    -- the municipality and county a unit or municipality lies in
    select 'enhet' as niva, e.enhet_id as niva_id, e.kommunenummer, k.fylkesnummer
    from stg_enhet e join stg_kommune k using (kommunenummer)
    union all select 'kommune', kommunenummer, kommunenummer, fylkesnummer from stg_kommune
    union all select 'fylke', fylkesnummer, null, fylkesnummer from stg_fylke
),
stats as (
    select
        c.*,
        -- one scale only: a cell mixing scores on different references gets no score
        c.antall_referanser = 1 and c.n_skaar = c.n as har_skaar,
        c.s_skaar / nullif(c.n, 0) as skaar_raw,
        case when c.n_sd = c.n and c.n > 1
             then sqrt(greatest(c.ss_skaar - c.s_skaar * c.s_skaar / c.n, 0) / (c.n - 1)) end as sd_raw,
        case when c.n_snitt = c.n then c.s_snitt / c.n end as snitt_raw,
        case when c.n_snitt = c.n and c.n > 1
             then sqrt(greatest(c.ss_snitt - c.s_snitt * c.s_snitt / c.n, 0) / (c.n - 1)) end as sd_snitt_raw
    from c
),
final as (
    select
        s.niva, s.niva_id, navn.niva_navn, p.kommunenummer, p.fylkesnummer,
        s.runde, r.runde_ar, r.runde_sort,
        s.enhetstype, s.respondentgruppe, s.indikator, s.gruppering, s.gruppe,
        case when s.undertrykt then null else s.n::integer end as antall_svar,
        -- rounded to 6 decimals so that a rebuild gives identical content (parallel float sums)
        case when s.undertrykt then null else round(s.snitt_raw, 6) end as snitt,
        case when s.undertrykt then null else round(s.sd_snitt_raw, 6) end as snitt_standardavvik,
        case when s.undertrykt or not s.har_skaar then null else round(s.skaar_raw, 6) end as skaar,
        case when s.undertrykt or not s.har_skaar then null else round(s.sd_raw, 6) end as standardavvik,
        case when s.undertrykt or not s.har_skaar then null
             else round(s.skaar_raw - 1.96 * s.sd_raw / sqrt(s.n), 6) end as ki_lav,
        case when s.undertrykt or not s.har_skaar then null
             else round(s.skaar_raw + 1.96 * s.sd_raw / sqrt(s.n), 6) end as ki_hoy,
        -- which reference the score is on (mart_referanse; an imported result's own norm)
        case when s.undertrykt then null
             when s.antall_referanser > 1 then 'ulike referanser'
             else s.referanse end as referanse,
        s.undertrykt,
        case when s.undertrykt then 'skjult (personvern)' end as undertrykt_grunn,
        s.syntetisk
    from stats s
    join stg_runde r using (runde)
    left join navn using (niva, niva_id)
    left join plass p using (niva, niva_id)
)
select * from final
order by niva, niva_id, indikator, respondentgruppe, gruppering, gruppe, runde_sort;

-- one row per level, id, unit type, respondent group, indicator, breakdown and round that has an
-- earlier round: the change in score and whether it is larger than its uncertainty
create table mart_indikator_endring as
with m as (
    select *,
        lag(runde) over w as forrige_runde,
        lag(skaar) over w as forrige_skaar,
        lag(standardavvik / sqrt(antall_svar)) over w as forrige_se,
        lag(undertrykt) over w as forrige_undertrykt,
        lag(referanse) over w as forrige_referanse
    from mart_indikator
    window w as (
        partition by niva, niva_id, enhetstype, respondentgruppe, indikator, gruppering, gruppe
        order by runde_sort
    )
),
final as (
    select
        niva, niva_id, niva_navn, kommunenummer, fylkesnummer, enhetstype, respondentgruppe,
        indikator, gruppering, gruppe,
        forrige_runde as fra_runde, runde as til_runde, runde_sort,
        forrige_skaar as fra_skaar, skaar as til_skaar,
        round(skaar - forrige_skaar, 6) as endring,
        round(1.96 * sqrt(forrige_se * forrige_se + power(standardavvik / sqrt(antall_svar), 2)), 6) as usikkerhet,
        abs(skaar - forrige_skaar)
            > 1.96 * sqrt(forrige_se * forrige_se + power(standardavvik / sqrt(antall_svar), 2))
            as tydelig_endring,
        undertrykt or forrige_undertrykt as undertrykt,
        syntetisk
    from m
    -- a change is only a change on one reference (a declared norm or the baseline round)
    where forrige_runde is not null and referanse is not distinct from forrige_referanse
)
select * from final
order by niva, niva_id, indikator, respondentgruppe, gruppering, gruppe, runde_sort;

-- one row per round, level, id, unit type and respondent group (all breakdowns together): units
-- that took part and respondents. Respondents are a count of people in a pattern cell, so they
-- are shown exactly when the cell's results are (etl/disclosure.py), never otherwise.
create table mart_deltakelse as
with monster as (
    select m.*, s.monster_id is not null as undertrykt
    from privat.int_monster m
    left join privat.int_skjult s on s.kilde = 'indikator' and s.monster_id = m.monster_id
    where m.gruppering = 'alle'
)
select
    m.runde, r.runde_sort, m.niva, m.niva_id,
    case when m.niva = 'kommune' then m.niva_id when m.niva = 'enhet' then e.kommunenummer end as kommunenummer,
    m.enhetstype, m.respondentgruppe,
    m.enheter::integer as antall_enheter,
    case when m.undertrykt then null else m.respondenter::integer end as antall_respondenter,
    m.undertrykt,
    m.syntetisk
from monster m
join stg_runde r using (runde)
left join stg_enhet e on m.niva = 'enhet' and e.enhet_id = m.niva_id
order by r.runde_sort, m.niva, m.niva_id, m.enhetstype, m.respondentgruppe;

-- one row per round and unit that took part (units are not people: always shown)
create table mart_enhet_runde as
select distinct i.runde, r.runde_sort, i.enhet_id, e.kommunenummer, e.enhetstype, e.syntetisk
from privat.int_indre i
join stg_enhet e using (enhet_id)
join stg_runde r using (runde)
where i.ekte_enhet
order by r.runde_sort, i.enhet_id;

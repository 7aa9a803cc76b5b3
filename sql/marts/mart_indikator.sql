-- one row per level (enhet, kommune, partnerskap, fylke, alle), id, round, unit type, respondent
-- group, indicator and breakdown (gruppering alle/trinn/kjonn). Suppressed cells keep their row
-- with every number empty and the reason, so "fewer than K answers" can be shown.
create table mart_indikator as
with c as (
    select c.*, u.undertrykt, u.grunn
    from tmp_indikator_celle c join tmp_celle u using (celle_id)
),
navn as (
    select 'enhet' as niva, enhet_id as niva_id, enhet_navn as niva_navn from stg_enhet
    union all select 'kommune', kommunenummer, kommunenavn_kort from stg_kommune
    union all select 'partnerskap', partnerskap_id, kortnavn from stg_partnerskap
    union all select 'fylke', fylkesnummer, fylkesnavn_kort from stg_fylke
    union all select 'alle', 'alle', 'Alle enheter'
),
stats as (
    select
        c.*,
        c.s_skaar / c.n as skaar_raw,
        case when c.n_sd = c.n and c.n > 1
             then sqrt(greatest(c.ss_skaar - c.s_skaar * c.s_skaar / c.n, 0) / (c.n - 1)) end as sd_raw,
        case when c.n_snitt = c.n then c.s_snitt / c.n end as snitt_raw,
        case when c.n_snitt = c.n and c.n > 1
             then sqrt(greatest(c.ss_snitt - c.s_snitt * c.s_snitt / c.n, 0) / (c.n - 1)) end as sd_snitt_raw
    from c
),
final as (
    select
        s.niva, s.niva_id, navn.niva_navn, s.kommunenummer, s.fylkesnummer,
        s.runde, r.runde_ar, r.runde_sort,
        s.enhetstype, s.respondentgruppe, s.indikator, s.gruppering, s.gruppe,
        case when s.undertrykt then null else s.n::integer end as antall_svar,
        -- rounded to 6 decimals so that a rebuild gives identical content (parallel float sums)
        case when s.undertrykt then null else round(s.snitt_raw, 6) end as snitt,
        case when s.undertrykt then null else round(s.sd_snitt_raw, 6) end as snitt_standardavvik,
        case when s.undertrykt then null else round(s.skaar_raw, 6) end as skaar,
        case when s.undertrykt then null else round(s.sd_raw, 6) end as standardavvik,
        case when s.undertrykt then null else round(s.skaar_raw - 1.96 * s.sd_raw / sqrt(s.n), 6) end as ki_lav,
        case when s.undertrykt then null else round(s.skaar_raw + 1.96 * s.sd_raw / sqrt(s.n), 6) end as ki_hoy,
        s.undertrykt,
        case s.grunn
            when 'primær' then 'færre enn ' || getvariable('min_svar') || ' svar'
            when 'sekundær' then 'skjult for å beskytte en mindre gruppe'
        end as undertrykt_grunn,
        s.syntetisk
    from stats s
    join stg_runde r using (runde)
    left join navn using (niva, niva_id)
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
        lag(undertrykt) over w as forrige_undertrykt
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
    where forrige_runde is not null
)
select * from final
order by niva, niva_id, indikator, respondentgruppe, gruppering, gruppe, runde_sort;

-- one row per round, municipality and unit type: units that took part, and respondents (empty
-- when fewer than K, like every other count of people; used for headline figures)
create table mart_deltakelse as
with deltakelse as (
    select s.runde, r.runde_sort, e.kommunenummer, e.enhetstype,
           count(distinct s.enhet_id) as antall_enheter,
           count(distinct s.respondent_id) as respondenter,
           bool_or(s.syntetisk) as syntetisk
    from stg_svar s
    join stg_enhet e using (enhet_id)
    join stg_runde r using (runde)
    group by all
)
select runde, runde_sort, kommunenummer, enhetstype, antall_enheter::integer as antall_enheter,
       case when respondenter >= getvariable('min_svar') then respondenter::integer end as antall_respondenter,
       syntetisk
from deltakelse
order by runde_sort, kommunenummer, enhetstype;

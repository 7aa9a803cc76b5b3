-- Outcome indicators from Udir per municipality, collaboration, county and the whole country.
-- Shares are the sum of numerators over the sum of denominators; means are weighted by the
-- pupils behind them (never an average of rates). A sum over an area where Udir hid a member
-- (`*`) is never given as a number: the row says so and gives the bounds that can honestly be
-- given. Hidden figures are never derived by subtraction (no differences of totals).

-- every cell Udir reports for an indicator: its measure, the denominator or weight, uncertainty
create temp table tmp_offentlig_celle as
select
    i.indikator, i.type, t.skolear, t.ar, t.omrade_type, t.omrade_kode, t.navn_kilde, t.kode_kilde, t.fil,
    t.verdi as t, n.verdi as n, u.verdi as usikkerhet,
    case
        when t.undertrykt or coalesce(n.undertrykt, false) then 'skjult'
        when t.mangler or coalesce(n.mangler, false) or (i.nevner is not null and n.maal is null) then 'mangler'
        else 'ok'
    end as status,
    case
        when t.undertrykt or coalesce(n.undertrykt, false) then 'Skjult av Udir («*»).'
        when t.mangler or coalesce(n.mangler, false) then 'Tom celle i Udirs svar.'
    end as merknad
from stg_offentlig_indikator i
join stg_udir_verdi t on t.maal = i.teller
left join stg_udir_verdi n
    on n.maal = i.nevner and n.skolear = t.skolear
   and n.omrade_type = t.omrade_type and n.omrade_kode = t.omrade_kode
left join stg_udir_verdi u
    on u.maal = i.usikkerhet and u.skolear = t.skolear
   and u.omrade_type = t.omrade_type and u.omrade_kode = t.omrade_kode;

-- the areas that are sums of other areas: collaborations and counties of their municipalities,
-- the country of its 15 counties (or, failing county figures, of its municipalities)
create temp table tmp_offentlig_gruppe as
select 'partnerskap' as niva, m.partnerskap_id as niva_id, p.kortnavn as niva_navn,
       'kommune' as medlem_type, m.kommunenummer as medlem_kode, m.kommunenavn_kort as medlem_navn
from mart_partnerskap_kommune m
join mart_partnerskap p using (partnerskap_id)
union all
select 'fylke', k.fylkesnummer, f.fylkesnavn_kort, 'kommune', k.kommunenummer, k.kommunenavn_kort
from stg_kommune k
join stg_fylke f using (fylkesnummer)
union all
select 'land', 'alle', 'Hele landet', 'fylke', fylkesnummer, fylkesnavn_kort from stg_fylke
union all
select 'land', 'alle', 'Hele landet', 'kommune', kommunenummer, kommunenavn_kort from stg_kommune;

-- one row per summed area, member level, indicator and school year: what the members add up to
create temp table tmp_offentlig_sum as
with combo as (
    select distinct indikator, type, skolear, ar, omrade_type as medlem_type
    from tmp_offentlig_celle
    where type in ('andel', 'antall', 'snitt') and omrade_type in ('kommune', 'fylke')
),
medlem as (
    select
        g.niva, g.niva_id, g.niva_navn, g.medlem_type, g.medlem_navn,
        c.indikator, c.type, c.skolear, c.ar,
        x.t, x.n, coalesce(x.status, 'mangler') as status
    from tmp_offentlig_gruppe g
    join combo c using (medlem_type)
    left join tmp_offentlig_celle x
        on x.omrade_type = g.medlem_type and x.omrade_kode = g.medlem_kode
       and x.indikator = c.indikator and x.skolear = c.skolear
),
summert as (
    select
        niva, niva_id, any_value(niva_navn) as niva_navn, medlem_type, indikator,
        any_value(type) as type, skolear, any_value(ar) as ar,
        count(*) as antall_omrader,
        count(*) filter (where status = 'ok') as antall_med_tall,
        count(*) filter (where status = 'skjult') as antall_skjult,
        count(*) filter (where status = 'mangler') as antall_mangler,
        coalesce(list(medlem_navn order by medlem_navn) filter (where status = 'skjult'), []) as skjulte,
        coalesce(list(medlem_navn order by medlem_navn) filter (where status = 'mangler'), []) as manglende,
        sum(case when type = 'snitt' then t * n else t end) filter (where status = 'ok') as teller_synlig,
        sum(n) filter (where status = 'ok') as nevner_synlig,
        coalesce(sum(n) filter (where status = 'skjult'), 0) as nevner_skjult,
        coalesce(bool_and(n is not null) filter (where status = 'skjult'), true) as nevner_skjult_kjent,
        count(*) filter (where status = 'skjult' and n is null) as antall_skjult_uten_n
    from medlem
    group by niva, niva_id, medlem_type, indikator, skolear
),
status as (
    select
        s.*,
        case when antall_skjult > 0 then 'delvis' when antall_med_tall = 0 then 'mangler' else 'ok' end as status,
        coalesce(nevner_synlig, 0) + nevner_skjult as nevner_alle,
        -- a mean over areas Udir partly hid: the most pupils the hidden areas can hold (their
        -- known counts, and the indicator's cap for each whose count is hidden too) and the
        -- range their mean lies in; nothing about a hidden area is used but that it is hidden
        i.skjult_elever_maks, i.skala_min, i.skala_maks,
        nevner_skjult + antall_skjult_uten_n * i.skjult_elever_maks as vekt_skjult_maks
    from summert s
    join stg_offentlig_indikator i using (indikator)
)
select
    niva, niva_id, niva_navn, medlem_type, indikator, type, skolear, ar, status,
    case when status = 'ok' and type in ('andel', 'antall', 'snitt') then teller_synlig end as teller,
    case
        when type = 'andel' and nevner_skjult_kjent then nevner_alle
        when type = 'snitt' and status = 'ok' then nevner_synlig
    end as nevner,
    case
        when status <> 'ok' then null
        when type = 'andel' then 100 * teller_synlig / nullif(nevner_synlig, 0)
        when type = 'antall' then teller_synlig
        when type = 'snitt' then teller_synlig / nullif(nevner_synlig, 0)
    end as verdi,
    -- a hidden count lies between 0 and the pupils it is a count of (never more)
    case
        when status = 'delvis' and type = 'andel' and nevner_skjult_kjent
            then 100 * coalesce(teller_synlig, 0) / nullif(nevner_alle, 0)
        when status = 'delvis' and type = 'antall' then coalesce(teller_synlig, 0)
        when status = 'delvis' and type = 'snitt' and nevner_synlig > 0 and vekt_skjult_maks is not null
            then least(teller_synlig / nevner_synlig,
                       (teller_synlig + vekt_skjult_maks * skala_min) / (nevner_synlig + vekt_skjult_maks))
    end as nedre,
    case
        when status = 'delvis' and type = 'andel' and nevner_skjult_kjent
            then 100 * (coalesce(teller_synlig, 0) + nevner_skjult) / nullif(nevner_alle, 0)
        when status = 'delvis' and type = 'snitt' and nevner_synlig > 0 and vekt_skjult_maks is not null
            then greatest(teller_synlig / nevner_synlig,
                          (teller_synlig + vekt_skjult_maks * skala_maks) / (nevner_synlig + vekt_skjult_maks))
    end as ovre,
    case when status = 'delvis' and type = 'snitt' then teller_synlig / nullif(nevner_synlig, 0) end as verdi_synlige,
    case when status = 'delvis' and type = 'snitt' then nevner_synlig end as nevner_synlige,
    antall_omrader, antall_med_tall, antall_skjult, antall_mangler, skjulte, manglende,
    concat_ws(' ',
        case when antall_skjult > 0 then format(
            'Udir har skjult tallet for {} av {} {} ({}).', antall_skjult, antall_omrader,
            case when medlem_type = 'fylke' then 'fylker' else 'kommuner' end, array_to_string(skjulte, ', ')
        ) end,
        case
            when status = 'delvis' and type = 'andel' and nevner_skjult_kjent
                then 'Andelen for hele området ligger mellom nedre og øvre grense; den kan ikke regnes ut.'
            when status = 'delvis' and type = 'antall'
                then 'Summen er minst nedre grense; den kan ikke regnes ut.'
            when status = 'delvis' and type = 'snitt' and nevner_synlig > 0 and vekt_skjult_maks is not null
                then format('Snittet for hele området ligger mellom nedre og øvre grense hvis hver skjult kommune '
                            'hadde færre enn {} elever og et snitt mellom {} og {} poeng; det kan ikke regnes ut.',
                            skjult_elever_maks + 1, skala_min::integer, skala_maks::integer)
            when status = 'delvis'
                then 'Tallet for hele området kan ikke regnes ut eller avgrenses: både resultat og antall elever er skjult.'
        end,
        case when antall_mangler > 0 then format(
            '{} {} uten tall hos Udir ({}); regnet uten {}.', antall_mangler,
            case when medlem_type = 'fylke' then 'fylke(r)' else 'kommune(r)' end,
            array_to_string(manglende, ', '), case when antall_mangler = 1 then 'den' else 'dem' end
        ) end,
        case when niva = 'land' and medlem_type = 'fylke' then
            'Summen av de 15 fylkene: Svalbard inngår i Troms slik Udir teller det; skoler i utlandet er ikke med.'
        end
    ) as merknad
from status;

create table mart_offentlig as
with ind as (select * from stg_offentlig_indikator),
-- tables Udir published for the whole country (with county rows) in a school year
nasjonal as (
    select distinct indikator, type, skolear, ar from tmp_offentlig_celle where omrade_type = 'fylke'
),
kommune as (
    select
        'kommune' as niva, k.kommunenummer as niva_id, k.kommunenavn_kort as niva_navn, k.fylkesnummer,
        c.skolear, c.ar, c.indikator, c.type,
        coalesce(c.status, 'mangler') as status, c.t, c.n, c.usikkerhet, c.fil,
        coalesce(
            c.merknad,
            -- a municipality split later: a year's figure covers the whole municipality of then
            (select format('Udirs tall for {} ({}) slik kommunen var {}–{}: {}.', h.kommunenavn_gammel,
                           h.kommunenummer_gammel, h.gyldig_fra, h.gyldig_til, h.merknad)
             from stg_kommune_historikk h
             where h.kommunenummer_gammel = c.kode_kilde and h.andel is not null
               and c.ar between h.gyldig_fra and h.gyldig_til limit 1),
            case when c.status is null then coalesce(
                (select format('Inngår i Udirs tall for {} ({}) dette skoleåret.', h.kommunenavn_gammel,
                               h.kommunenummer_gammel)
                 from stg_kommune_historikk h
                 where h.andel is not null and c.ar between h.gyldig_fra and h.gyldig_til
                   and h.merknad like '%' || k.kommunenummer || '%' limit 1),
                'Ikke med i Udirs tabell.') end
        ) as merknad
    from stg_kommune k
    join (
        select indikator, type, skolear, ar, omrade_kode, kode_kilde, status, t, n, usikkerhet, fil, merknad
        from tmp_offentlig_celle where omrade_type = 'kommune'
        union all
        -- a municipality missing from a national table is "not reported", never zero
        select nj.indikator, nj.type, nj.skolear, nj.ar, k.kommunenummer, null, null, null, null, null, null, null
        from nasjonal nj cross join stg_kommune k
        where not exists (
            select 1 from tmp_offentlig_celle x
            where x.omrade_type = 'kommune' and x.omrade_kode = k.kommunenummer
              and x.indikator = nj.indikator and x.skolear = nj.skolear
        )
    ) c on c.omrade_kode = k.kommunenummer
),
udir_omrade as (
    -- counties, Svalbard, schools abroad and (for the bullying survey) the country, as Udir gives them
    select
        case omrade_type when 'fylke' then 'fylke' when 'land' then 'land' else 'annet' end as niva,
        omrade_kode as niva_id,
        coalesce(f.fylkesnavn_kort, trim(c.navn_kilde)) as niva_navn,
        f.fylkesnummer, c.skolear, c.ar, c.indikator, c.type, c.status, c.t, c.n, c.usikkerhet, c.fil,
        coalesce(c.merknad, case omrade_type
            when 'svalbard' then 'Svalbard er med i tallet for Troms, slik Udir teller det.'
            when 'utland' then 'Norske skoler i utlandet; ikke med i hele landet.'
        end) as merknad
    from tmp_offentlig_celle c
    left join stg_fylke f on c.omrade_type = 'fylke' and f.fylkesnummer = c.omrade_kode
    where omrade_type in ('fylke', 'land', 'svalbard', 'utland')
),
celle as (
    select
        niva, niva_id, niva_navn, fylkesnummer, skolear, ar, indikator, type, status,
        case when status = 'ok' and type in ('andel', 'antall') then t when status = 'ok' and type = 'snitt' then t * n end as teller,
        case when type = 'andel' then n when type = 'snitt' and status = 'ok' then n end as nevner,
        case when status <> 'ok' then null when type = 'andel' then 100 * t / nullif(n, 0) else t end as verdi,
        null::double as nedre, null::double as ovre,
        case when status = 'ok' then usikkerhet end as usikkerhet,
        null::double as verdi_synlige, null::double as nevner_synlige,
        null::bigint as antall_omrader, null::bigint as antall_med_tall,
        null::bigint as antall_skjult, null::bigint as antall_mangler,
        []::varchar[] as skjulte, []::varchar[] as manglende,
        'Udir' as grunnlag, merknad, fil as kildefil
    from (select * from kommune union all by name select * from udir_omrade)
),
summert as (
    select
        s.niva, s.niva_id, s.niva_navn, case when s.niva = 'fylke' then s.niva_id end as fylkesnummer,
        s.skolear, s.ar, s.indikator, s.type, s.status, s.teller, s.nevner, s.verdi, s.nedre, s.ovre,
        null::double as usikkerhet, s.verdi_synlige, s.nevner_synlige,
        s.antall_omrader, s.antall_med_tall, s.antall_skjult, s.antall_mangler, s.skjulte, s.manglende,
        'summert' as grunnlag,
        case when s.niva = 'fylke' then concat_ws(' ', 'Udir oppgir ikke tall for fylket dette skoleåret: regnet av kommunenes tall.', nullif(s.merknad, ''))
             else nullif(s.merknad, '') end as merknad,
        null as kildefil
    from tmp_offentlig_sum s
    where s.niva = 'partnerskap'
       -- a county only where Udir gives no county figure; the country from the counties when
       -- Udir gives county figures, else from the municipalities; Udir's own country figure first
       or (s.niva = 'fylke' and not exists (
            select 1 from tmp_offentlig_celle x
            where x.omrade_type = 'fylke' and x.omrade_kode = s.niva_id
              and x.indikator = s.indikator and x.skolear = s.skolear))
       or (s.niva = 'land' and not exists (
            select 1 from tmp_offentlig_celle x
            where x.omrade_type = 'land' and x.indikator = s.indikator and x.skolear = s.skolear)
           and (s.medlem_type = 'fylke' or not exists (
            select 1 from tmp_offentlig_sum y
            where y.niva = 'land' and y.medlem_type = 'fylke'
              and y.indikator = s.indikator and y.skolear = s.skolear)))
),
alle as (select * from celle union all by name select * from summert)
select
    a.niva, a.niva_id, a.niva_navn, a.fylkesnummer, a.skolear, a.ar, a.indikator, i.navn as indikator_navn,
    a.type, i.enhet,
    round(a.teller, 9) as teller, round(a.nevner, 9) as nevner, round(a.verdi, 9) as verdi,
    round(a.nedre, 9) as nedre, round(a.ovre, 9) as ovre, a.usikkerhet,
    round(a.verdi_synlige, 9) as verdi_synlige, a.nevner_synlige,
    a.antall_omrader, a.antall_med_tall, a.antall_skjult, a.antall_mangler, a.skjulte, a.manglende,
    a.status, a.status in ('skjult', 'delvis') as undertrykt, a.grunnlag, nullif(a.merknad, '') as merknad,
    a.kildefil, 'Kilde: Utdanningsdirektoratet' as kilde, 'NLOD 2.0' as lisens, false as syntetisk
from alle a
join ind i using (indikator)
order by i.rekkefolge, a.ar,
    case a.niva when 'kommune' then 1 when 'partnerskap' then 2 when 'fylke' then 3 when 'land' then 4 else 5 end,
    a.niva_id;

-- one row per indicator: its definition and the school years it has figures for
create table mart_offentlig_indikator as
select
    i.*,
    coalesce((select list(distinct m.skolear order by m.skolear) from mart_offentlig m
              where m.indikator = i.indikator and m.status <> 'mangler'), []) as skolear,
    exists (select 1 from mart_offentlig m where m.indikator = i.indikator and m.niva = 'partnerskap') as summerbar
from stg_offentlig_indikator i
order by i.rekkefolge;

-- one row per response file behind the figures, with its provenance and notes
create table mart_offentlig_kilde as
select
    f.*,
    coalesce((select list(m.merknad order by m.nr) from stg_udir_merknad m where m.fil = f.fil), []) as merknader
from stg_udir_fil f
order by f.tabell nulls last, f.skolear, f.fil;

-- one row per school, measure and school year from a CSV download's school rows (level 4), with
-- the unit of the same organisation number where an imported unit has one; the bundled
-- national-test copies carry no school rows (see docs/offentlig-statistikk.md)
create table mart_offentlig_skole as
with enhet as (
    select organisasjonsnummer, min(enhet_id) as enhet_id, min(enhet_navn) as enhet_navn
    from stg_enhet
    where organisasjonsnummer is not null
    group by organisasjonsnummer
)
select
    s.skolear, s.ar, s.organisasjonsnummer, s.skole_navn, s.kommunenummer, s.tabell, s.maal, s.maal_navn,
    s.verdi, s.undertrykt, s.mangler, e.enhet_id, e.enhet_navn, s.fil as kildefil,
    'Kilde: Utdanningsdirektoratet' as kilde, 'NLOD 2.0' as lisens, false as syntetisk
from stg_udir_skole s
left join enhet e using (organisasjonsnummer)
order by s.maal, s.ar, s.organisasjonsnummer;

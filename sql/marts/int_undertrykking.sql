-- Suppression, step 1 of 2: every cell, its respondents, and the sibling groups a suppressed
-- cell could be recovered from by subtraction. Step 2 (undertrykking_runde.sql) repeats until
-- nothing changes.

-- one row per cell of either kind: primary suppression when fewer than K respondents
create temp table tmp_celle as
select celle_id, n, n < getvariable('min_svar') as undertrykt,
       case when n < getvariable('min_svar') then 'primær' end as grunn
from (
    select celle_id, n from tmp_indikator_celle
    union all
    select celle_id, n from tmp_kartlegging_celle
);

-- one row per (sibling group, parent, child): the children of a parent sum to it
create temp table tmp_sosken as
with ic as (select * from tmp_indikator_celle),
ind_hierarki as (
    -- unit -> municipality
    select 'ek' || p.celle_id as gruppe_id, p.celle_id as forelder_id, c.celle_id as barn_id
    from ic c join ic p
      on c.niva = 'enhet' and p.niva = 'kommune' and p.niva_id = c.kommunenummer
     and (p.runde, p.enhetstype, p.respondentgruppe, p.indikator, p.gruppering, p.gruppe)
       = (c.runde, c.enhetstype, c.respondentgruppe, c.indikator, c.gruppering, c.gruppe)
    union all
    -- municipality -> county
    select 'kf' || p.celle_id, p.celle_id, c.celle_id
    from ic c join ic p
      on c.niva = 'kommune' and p.niva = 'fylke' and p.niva_id = c.fylkesnummer
     and (p.runde, p.enhetstype, p.respondentgruppe, p.indikator, p.gruppering, p.gruppe)
       = (c.runde, c.enhetstype, c.respondentgruppe, c.indikator, c.gruppering, c.gruppe)
    union all
    -- municipality -> collaboration (those that count whole municipalities)
    select 'kp' || p.celle_id, p.celle_id, c.celle_id
    from ic c
    join mart_partnerskap_kommune m on c.niva = 'kommune' and m.kommunenummer = c.niva_id
    join mart_partnerskap mp on mp.partnerskap_id = m.partnerskap_id and mp.omfang <> 'enhet'
    join ic p
      on p.niva = 'partnerskap' and p.niva_id = m.partnerskap_id
     and (p.runde, p.enhetstype, p.respondentgruppe, p.indikator, p.gruppering, p.gruppe)
       = (c.runde, c.enhetstype, c.respondentgruppe, c.indikator, c.gruppering, c.gruppe)
    union all
    -- county -> all
    select 'fa' || p.celle_id, p.celle_id, c.celle_id
    from ic c join ic p
      on c.niva = 'fylke' and p.niva = 'alle'
     and (p.runde, p.enhetstype, p.respondentgruppe, p.indikator, p.gruppering, p.gruppe)
       = (c.runde, c.enhetstype, c.respondentgruppe, c.indikator, c.gruppering, c.gruppe)
    union all
    -- grade bands / genders -> the total of the same cell
    select 'b' || c.gruppering || p.celle_id, p.celle_id, c.celle_id
    from ic c join ic p
      on c.gruppering <> 'alle' and p.gruppering = 'alle'
     and (p.niva, p.niva_id, p.runde, p.enhetstype, p.respondentgruppe, p.indikator)
       = (c.niva, c.niva_id, c.runde, c.enhetstype, c.respondentgruppe, c.indikator)
),
-- areas that contain another area: the difference (A minus B) is the municipalities of A outside
-- B, so B and those municipalities are siblings under A (county minus a region inside it, a
-- region minus a smaller one, all minus a county or region)
omrade as (
    select 'partnerskap' as niva, m.partnerskap_id as niva_id, list(m.kommunenummer) as kommuner
    from mart_partnerskap_kommune m join mart_partnerskap p using (partnerskap_id)
    where p.omfang <> 'enhet'
    group by all
    union all
    select 'fylke', fylkesnummer, list(kommunenummer) from stg_kommune group by all
    union all
    select 'alle', 'alle', list(kommunenummer) from stg_kommune
),
inni as (
    select a.niva as a_niva, a.niva_id as a_id, b.niva as b_niva, b.niva_id as b_id,
           list_filter(a.kommuner, lambda k: not list_contains(b.kommuner, k)) as rest
    from omrade a join omrade b
      on (a.niva, a.niva_id) <> (b.niva, b.niva_id)
     and len(a.kommuner) > len(b.kommuner)
     and list_has_all(a.kommuner, b.kommuner)
),
differanse as (
    select 'd' || p.celle_id || b.celle_id as gruppe_id, p.celle_id as forelder_id, b.celle_id as barn_id
    from inni i
    join ic p on p.niva = i.a_niva and p.niva_id = i.a_id
    join ic b on b.niva = i.b_niva and b.niva_id = i.b_id
     and (p.runde, p.enhetstype, p.respondentgruppe, p.indikator, p.gruppering, p.gruppe)
       = (b.runde, b.enhetstype, b.respondentgruppe, b.indikator, b.gruppering, b.gruppe)
    union all
    select 'd' || p.celle_id || b.celle_id, p.celle_id, k.celle_id
    from inni i
    join ic p on p.niva = i.a_niva and p.niva_id = i.a_id
    join ic b on b.niva = i.b_niva and b.niva_id = i.b_id
     and (p.runde, p.enhetstype, p.respondentgruppe, p.indikator, p.gruppering, p.gruppe)
       = (b.runde, b.enhetstype, b.respondentgruppe, b.indikator, b.gruppering, b.gruppe)
    join ic k on k.niva = 'kommune' and list_contains(i.rest, k.niva_id)
     and (k.runde, k.enhetstype, k.respondentgruppe, k.indikator, k.gruppering, k.gruppe)
       = (p.runde, p.enhetstype, p.respondentgruppe, p.indikator, p.gruppering, p.gruppe)
),
kc as (select * from tmp_kartlegging_celle),
kart_differanse as (
    select 'md' || p.celle_id || b.celle_id as gruppe_id, p.celle_id as forelder_id, b.celle_id as barn_id
    from inni i
    join kc p on p.niva = i.a_niva and p.niva_id = i.a_id
    join kc b on b.niva = i.b_niva and b.niva_id = i.b_id and (p.runde, p.rolle, p.omrade) = (b.runde, b.rolle, b.omrade)
    union all
    select 'md' || p.celle_id || b.celle_id, p.celle_id, k.celle_id
    from inni i
    join kc p on p.niva = i.a_niva and p.niva_id = i.a_id
    join kc b on b.niva = i.b_niva and b.niva_id = i.b_id and (p.runde, p.rolle, p.omrade) = (b.runde, b.rolle, b.omrade)
    join kc k on k.niva = 'kommune' and list_contains(i.rest, k.niva_id)
     and (k.runde, k.rolle, k.omrade) = (p.runde, p.rolle, p.omrade)
),
kart_hierarki as (
    select 'mkf' || p.celle_id, p.celle_id, c.celle_id
    from kc c join kc p
      on c.niva = 'kommune' and p.niva = 'fylke' and p.niva_id = c.fylkesnummer
     and (p.runde, p.rolle, p.omrade) = (c.runde, c.rolle, c.omrade)
    union all
    select 'mkp' || p.celle_id, p.celle_id, c.celle_id
    from kc c
    join mart_partnerskap_kommune m on c.niva = 'kommune' and m.kommunenummer = c.niva_id
    join mart_partnerskap mp on mp.partnerskap_id = m.partnerskap_id and mp.omfang <> 'enhet'
    join kc p
      on p.niva = 'partnerskap' and p.niva_id = m.partnerskap_id
     and (p.runde, p.rolle, p.omrade) = (c.runde, c.rolle, c.omrade)
    union all
    select 'mfa' || p.celle_id, p.celle_id, c.celle_id
    from kc c join kc p
      on c.niva = 'fylke' and p.niva = 'alle' and (p.runde, p.rolle, p.omrade) = (c.runde, c.rolle, c.omrade)
    union all
    select 'mr' || p.celle_id, p.celle_id, c.celle_id
    from kc c join kc p
      on c.rolle <> 'alle' and p.rolle = 'alle'
     and (p.niva, p.niva_id, p.runde, p.omrade) = (c.niva, c.niva_id, c.runde, c.omrade)
)
select * from ind_hierarki
union all
select * from differanse
union all
select * from kart_hierarki
union all
select * from kart_differanse;

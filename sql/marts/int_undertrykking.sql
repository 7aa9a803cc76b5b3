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
kc as (select * from tmp_kartlegging_celle),
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
select * from kart_hierarki;

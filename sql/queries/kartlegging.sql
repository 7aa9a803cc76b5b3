-- one row per level id, role and area for a round (or each place's latest): competence, need and gap (suppressed cells
-- have no numbers), within the filters
with kommuner as (
    select kommunenummer, fylkesnummer
    from filtrerte_kommuner($partnerskap::varchar[], $ordninger::varchar[], $fylker::varchar[],
                            $kommuner::varchar[], $fra_ar, $til_ar, $alle_perioder)
),
partnerskap as (
    select partnerskap_id
    from filtrerte_partnerskap($partnerskap::varchar[], $ordninger::varchar[], $fylker::varchar[],
                               $kommuner::varchar[], $fra_ar, $til_ar, $alle_perioder)
)
select m.*, o.navn as omrade_navn, r.navn as rolle_navn
from mart_kartlegging m
join stg_omrade o using (omrade)
left join stg_rolle r using (rolle)
where m.niva = $niva
  -- 'siste': each place's latest mapping round
  and (m.runde = $runde or ($runde = 'siste' and m.runde_sort = (
      select max(m2.runde_sort) from mart_kartlegging m2 where m2.niva = m.niva and m2.niva_id = m.niva_id
  )))
  and case m.niva
        when 'partnerskap' then m.niva_id in (select partnerskap_id from partnerskap)
        when 'fylke' then m.niva_id in (select fylkesnummer from kommuner)
        when 'alle' then true
        else m.niva_id in (select kommunenummer from kommuner)
      end
order by m.niva_navn, m.rolle, o.navn

-- one row per level id, role and area for a round (or each place's latest) within the filters:
-- competence, need and gap (suppressed cells have no numbers)
select m.*, o.navn as omrade_navn, r.navn as rolle_navn
from mart_kartlegging m
join stg_omrade o using (omrade)
left join stg_rolle r using (rolle)
join filtrert_utvalg($partnerskap::varchar[], $ordninger::varchar[], $fylker::varchar[],
                      $kommuner::varchar[], $fra_ar, $til_ar, $alle_perioder) u
  on u.niva = m.niva and u.niva_id = m.niva_id
where m.niva = $niva
  -- 'siste': each place's latest mapping round
  and (m.runde = $runde or ($runde = 'siste' and m.runde_sort = (
      select max(m2.runde_sort) from mart_kartlegging m2 where m2.niva = m.niva and m2.niva_id = m.niva_id
  )))
order by m.niva_navn, m.rolle, o.navn

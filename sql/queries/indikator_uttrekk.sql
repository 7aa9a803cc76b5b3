-- extract: one row per level id, indicator and breakdown for the chosen respondent group and
-- round within the filters (suppressed cells keep their row without numbers)
select
    m.runde, m.niva, m.niva_id, m.niva_navn, m.kommunenummer, m.enhetstype, m.respondentgruppe,
    m.indikator, m.gruppering, m.gruppe, m.antall_svar, m.snitt, m.skaar, m.standardavvik,
    m.ki_lav, m.ki_hoy, e.fra_runde, e.endring, e.tydelig_endring, m.undertrykt,
    m.undertrykt_grunn, m.syntetisk
from synlig_indikator m
-- the change table filtered first: DuckDB does not push the outer filters into a left join
left join (select * from synlig_indikator_endring
           where niva = $niva and respondentgruppe = $respondentgruppe and til_runde = $runde) e
  on (e.niva, e.niva_id, e.enhetstype, e.respondentgruppe, e.indikator, e.gruppering, e.gruppe, e.til_runde)
   = (m.niva, m.niva_id, m.enhetstype, m.respondentgruppe, m.indikator, m.gruppering, m.gruppe, m.runde)
join filtrert_utvalg($partnerskap::varchar[], $ordninger::varchar[], $fylker::varchar[],
                      $kommuner::varchar[], $fra_ar, $til_ar, $alle_perioder) u
  on u.niva = m.niva and u.niva_id = m.niva_id
where m.niva = $niva
  and m.respondentgruppe = $respondentgruppe
  and m.runde = $runde
  and (len($enhetstyper::varchar[]) = 0 or list_contains($enhetstyper::varchar[], m.enhetstype))
order by m.niva_navn, m.indikator, m.gruppering, m.gruppe

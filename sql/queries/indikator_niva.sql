-- one row per unit / municipality / collaboration / county (the chosen level) for one indicator,
-- respondent group, round and breakdown, within the filters, with the change since the round before
select
    m.niva, m.niva_id, m.niva_navn, m.kommunenummer, k.kommunenavn_kort as kommunenavn,
    m.fylkesnummer, m.runde, m.enhetstype, m.respondentgruppe, m.indikator, m.gruppering, m.gruppe,
    m.antall_svar, m.snitt, m.skaar, m.standardavvik, m.ki_lav, m.ki_hoy,
    m.referanse, m.undertrykt, m.undertrykt_grunn,
    e.fra_runde, e.endring, e.usikkerhet, e.tydelig_endring,
    m.syntetisk
from synlig_indikator m
left join stg_kommune k on k.kommunenummer = m.kommunenummer
-- the change table filtered first: DuckDB does not push the outer filters into a left join
left join (select * from synlig_indikator_endring
           where niva = $niva and respondentgruppe = $respondentgruppe and til_runde = $runde
                 and indikator = $indikator and gruppering = $gruppering) e
  on (e.niva, e.niva_id, e.enhetstype, e.respondentgruppe, e.indikator, e.gruppering, e.gruppe, e.til_runde)
   = (m.niva, m.niva_id, m.enhetstype, m.respondentgruppe, m.indikator, m.gruppering, m.gruppe, m.runde)
join filtrert_utvalg($partnerskap::varchar[], $ordninger::varchar[], $fylker::varchar[],
                      $kommuner::varchar[], $fra_ar, $til_ar, $alle_perioder) u
  on u.niva = m.niva and u.niva_id = m.niva_id
where m.niva = $niva
  and m.indikator = $indikator
  and m.respondentgruppe = $respondentgruppe
  and m.runde = $runde
  and m.gruppering = $gruppering
  and (len($enhetstyper::varchar[]) = 0 or list_contains($enhetstyper::varchar[], m.enhetstype))
order by m.skaar desc nulls last, m.niva_navn, m.gruppe

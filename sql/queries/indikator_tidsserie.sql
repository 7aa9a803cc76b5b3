-- one row per chosen level id and round for one indicator and respondent group (breakdown 'alle'):
-- the series that the comparison page draws
select m.niva, m.niva_id, m.niva_navn, m.runde, m.runde_sort, m.enhetstype, m.antall_svar, m.snitt,
       m.skaar, m.ki_lav, m.ki_hoy, m.referanse, m.undertrykt, m.undertrykt_grunn,
       e.endring, e.usikkerhet, e.tydelig_endring, m.syntetisk
from synlig_indikator m
-- the change table filtered first: DuckDB does not push the outer filters into a left join
left join (select * from synlig_indikator_endring
           where niva = $niva and list_contains($ider::varchar[], niva_id) and indikator = $indikator
                 and respondentgruppe = $respondentgruppe and gruppering = 'alle') e
  on (e.niva, e.niva_id, e.enhetstype, e.respondentgruppe, e.indikator, e.gruppering, e.gruppe, e.til_runde)
   = (m.niva, m.niva_id, m.enhetstype, m.respondentgruppe, m.indikator, m.gruppering, m.gruppe, m.runde)
where m.niva = $niva
  and list_contains($ider::varchar[], m.niva_id)
  and m.indikator = $indikator
  and m.respondentgruppe = $respondentgruppe
  and m.gruppering = 'alle'
  and (len($enhetstyper::varchar[]) = 0 or list_contains($enhetstyper::varchar[], m.enhetstype))
order by m.niva_navn, m.runde_sort

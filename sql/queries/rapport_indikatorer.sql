-- one row per respondent group, indicator and round for one place (a collaboration or a
-- municipality: niva, niva_id), breakdown 'alle', with the published change since the round
-- before; hidden cells keep their row without numbers (region report and presentation)
select
    m.respondentgruppe, m.enhetstype, m.indikator, m.runde, m.runde_sort, m.antall_svar, m.snitt,
    m.skaar, m.ki_lav, m.ki_hoy, m.undertrykt, e.fra_runde, e.endring, e.tydelig_endring,
    m.syntetisk
from synlig_indikator m
left join synlig_indikator_endring e
  on (e.niva, e.niva_id, e.enhetstype, e.respondentgruppe, e.indikator, e.gruppering, e.gruppe, e.til_runde)
   = (m.niva, m.niva_id, m.enhetstype, m.respondentgruppe, m.indikator, m.gruppering, m.gruppe, m.runde)
where m.niva = $niva
  and m.niva_id = $niva_id
  and m.gruppering = 'alle'
order by m.respondentgruppe, m.runde_sort, m.indikator

-- one row per indicator for the chosen respondent group and round, at the level 'alle' or for
-- the filtered collaborations combined is not possible without double counting, so: level 'alle'
-- restricted by nothing but unit type; used for headline figures
select m.indikator, i.navn as indikator_navn, i.hoyere_er_bedre, m.enhetstype, m.antall_svar,
       m.skaar, m.ki_lav, m.ki_hoy, m.undertrykt, e.endring, e.tydelig_endring, m.syntetisk
from mart_indikator m
join stg_indikator i using (indikator)
left join mart_indikator_endring e
  on (e.niva, e.niva_id, e.enhetstype, e.respondentgruppe, e.indikator, e.gruppering, e.gruppe, e.til_runde)
   = (m.niva, m.niva_id, m.enhetstype, m.respondentgruppe, m.indikator, m.gruppering, m.gruppe, m.runde)
where m.niva = 'alle' and m.gruppering = 'alle'
  and m.respondentgruppe = $respondentgruppe and m.runde = $runde
  and (len($enhetstyper::varchar[]) = 0 or list_contains($enhetstyper::varchar[], m.enhetstype))
order by i.navn

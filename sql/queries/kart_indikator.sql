-- one row per municipality with a result for an indicator and respondent group: its latest round
-- up to the chosen one (suppressed results keep their row, without a score)
with runde_valgt as (select runde_sort from stg_runde where runde = $runde),
kandidat as (
    select m.*,
           row_number() over (
               partition by m.niva_id order by m.runde_sort desc, m.antall_svar desc nulls last
           ) as nr
    from synlig_indikator m
    where m.niva = 'kommune'
      and m.gruppering = 'alle'
      and m.indikator = $indikator
      and m.respondentgruppe = $respondentgruppe
      and (len($enhetstyper::varchar[]) = 0 or list_contains($enhetstyper::varchar[], m.enhetstype))
      and m.runde_sort <= coalesce((select runde_sort from runde_valgt), 99999)
)
select niva_id as kommunenummer, runde, antall_svar, skaar, ki_lav, ki_hoy, undertrykt,
       undertrykt_grunn, syntetisk
from kandidat
where nr = 1
order by kommunenummer

-- the largest changes since the round before, for the filtered collaborations (level partnerskap),
-- chosen respondent group and round: only changes larger than their uncertainty
with partnerskap as (
    select partnerskap_id
    from filtrerte_partnerskap($partnerskap::varchar[], $ordninger::varchar[], $fylker::varchar[],
                               $kommuner::varchar[], $fra_ar, $til_ar, $alle_perioder)
)
select e.niva_navn, e.enhetstype, e.indikator, i.navn as indikator_navn, i.hoyere_er_bedre,
       e.fra_runde, e.til_runde, e.fra_skaar, e.til_skaar, e.endring, e.usikkerhet, e.syntetisk
from synlig_indikator_endring e
join stg_indikator i using (indikator)
where e.niva = 'partnerskap'
  and e.niva_id in (select partnerskap_id from partnerskap)
  and e.gruppering = 'alle'
  and e.respondentgruppe = $respondentgruppe
  and e.til_runde = $runde
  and e.tydelig_endring
  and (len($enhetstyper::varchar[]) = 0 or list_contains($enhetstyper::varchar[], e.enhetstype))
order by abs(e.endring) desc
limit 12

-- data-quality notes of the collaborations that match the filters
select d.partnerskap_id, d.partnerskap_navn, d.nr, d.merknad
from mart_datakvalitet d
where d.partnerskap_id in (
    select partnerskap_id
    from filtrerte_partnerskap($partnerskap::varchar[], $ordninger::varchar[], $fylker::varchar[],
                               $kommuner::varchar[], $fra_ar, $til_ar, $alle_perioder)
)
order by d.partnerskap_id, d.nr

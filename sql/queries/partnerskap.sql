-- one row per collaboration that matches the filters
select p.*
from mart_partnerskap p
where p.partnerskap_id in (
    select partnerskap_id
    from filtrerte_partnerskap($partnerskap::varchar[], $ordninger::varchar[], $fylker::varchar[],
                               $kommuner::varchar[], $fra_ar, $til_ar, $alle_perioder)
)
order by p.sepu_samarbeid desc, p.start_ar nulls last, p.kortnavn

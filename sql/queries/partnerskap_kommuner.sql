-- one row per collaboration and municipality, for the collaborations that match the filters
select m.*
from mart_partnerskap_kommune m
where m.partnerskap_id in (
    select partnerskap_id
    from filtrerte_partnerskap($partnerskap::varchar[], $ordninger::varchar[], $fylker::varchar[],
                               $kommuner::varchar[], $fra_ar, $til_ar, $alle_perioder)
)
and (len($fylker::varchar[]) = 0 or list_contains($fylker::varchar[], m.fylkesnummer))
order by m.partnerskap_id, m.kommunenummer

-- participation in the chosen round within the filters: units and respondents
with kommuner as (
    select kommunenummer
    from filtrerte_kommuner($partnerskap::varchar[], $ordninger::varchar[], $fylker::varchar[],
                            $kommuner::varchar[], $fra_ar, $til_ar, $alle_perioder)
)
select
    runde,
    coalesce(sum(antall_enheter), 0) as antall_enheter,
    coalesce(sum(antall_respondenter), 0) as antall_respondenter,
    coalesce(bool_or(syntetisk), false) as syntetisk
from mart_deltakelse
where kommunenummer in (select kommunenummer from kommuner)
  and (len($enhetstyper::varchar[]) = 0 or list_contains($enhetstyper::varchar[], enhetstype))
group by runde
order by any_value(runde_sort)

-- participation in each round within the filters: units that took part, and respondents summed
-- over the municipalities (all respondent groups) whose counts are published; `skjulte` says how
-- many municipality-group counts are hidden (then the sum is a lower bound)
with kommuner as (
    select kommunenummer
    from filtrerte_kommuner($partnerskap::varchar[], $ordninger::varchar[], $fylker::varchar[],
                            $kommuner::varchar[], $fra_ar, $til_ar, $alle_perioder)
),
enheter as (
    select runde, any_value(runde_sort) as runde_sort, count(*) as antall_enheter, bool_or(syntetisk) as syntetisk
    from mart_enhet_runde
    where kommunenummer in (select kommunenummer from kommuner)
      and (len($enhetstyper::varchar[]) = 0 or list_contains($enhetstyper::varchar[], enhetstype))
    group by runde
),
respondenter as (
    select runde, coalesce(sum(antall_respondenter), 0) as antall_respondenter,
           count(*) filter (where undertrykt) as skjulte
    from synlig_deltakelse
    where niva = 'kommune'
      and kommunenummer in (select kommunenummer from kommuner)
      and (len($enhetstyper::varchar[]) = 0 or list_contains($enhetstyper::varchar[], enhetstype))
    group by runde
)
select e.runde, e.antall_enheter, coalesce(r.antall_respondenter, 0) as antall_respondenter,
       coalesce(r.skjulte, 0) as skjulte, coalesce(e.syntetisk, false) as syntetisk
from enheter e left join respondenter r using (runde)
order by e.runde_sort

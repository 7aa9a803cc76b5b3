-- one row per 2024 municipality: its collaborations, strands, and whether it matches the filters
with valgt as (
    select list(partnerskap_id) as ider
    from filtrerte_partnerskap($partnerskap::varchar[], $ordninger::varchar[], $fylker::varchar[],
                               $kommuner::varchar[], $fra_ar, $til_ar, $alle_perioder)
)
select
    k.kommunenummer, k.kommunenavn, k.kommunenavn_kort, k.fylkesnummer, k.fylkesnavn_kort,
    k.lat, k.lon,
    list_filter(k.partnerskap_ider, lambda x: list_contains(valgt.ider, x)) as partnerskap_ider,
    k.ordninger,
    (len($fylker::varchar[]) = 0 or list_contains($fylker::varchar[], k.fylkesnummer))
        and (len($kommuner::varchar[]) = 0 or list_contains($kommuner::varchar[], k.kommunenummer))
        and list_has_any(k.partnerskap_ider, valgt.ider) as i_utvalg
from mart_kommune_partnerskap k, valgt
order by k.kommunenummer

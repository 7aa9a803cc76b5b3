-- export "municipalities": one row per 2024 municipality with its collaborations
create view export_municipalities as
select
    kommunenummer,
    kommunenavn,
    fylkesnummer,
    fylkesnavn,
    lat,
    lon,
    antall_partnerskap,
    array_to_string(partnerskap_ider, ';') as partnerskap_ider,
    array_to_string(ordninger, ';') as ordninger
from mart_kommune_partnerskap
order by kommunenummer;

-- export "partnerships": one row per collaboration and municipality
create view export_partnerships as
select
    partnerskap_id,
    partnerskap_navn,
    start_ar,
    slutt_ar,
    forlenget_fra,
    forlenget_til,
    array_to_string(ordninger, ';') as ordninger,
    kommunenummer,
    kommunenavn,
    fylkesnummer,
    fylkesnavn,
    region,
    sepu_samarbeid,
    grunnlag
from mart_partnerskap_kommune
order by partnerskap_id, kommunenummer;

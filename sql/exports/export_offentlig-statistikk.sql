-- export "offentlig-statistikk": Udir's public figures, one row per area, school year and
-- indicator, with numerator, denominator, value and the suppression flag (real data, NLOD 2.0)
create view "export_offentlig-statistikk" as
select
    niva, niva_id, niva_navn, skolear, indikator, indikator_navn, enhet,
    teller, nevner, verdi, nedre, ovre, usikkerhet,
    undertrykt, status, antall_skjult, antall_mangler, grunnlag, merknad,
    kilde, lisens, syntetisk
from mart_offentlig
order by indikator, skolear,
    case niva when 'kommune' then 1 when 'partnerskap' then 2 when 'fylke' then 3 when 'land' then 4 else 5 end,
    niva_id;

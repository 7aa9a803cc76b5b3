-- every municipality's figure for one public indicator and school year (Offentlig statistikk)
select niva_id as kommunenummer, niva_navn, verdi, teller, nevner, usikkerhet, status, merknad
from mart_offentlig
where niva = 'kommune' and indikator = $indikator and skolear = $skolear
order by niva_id

-- one row per municipality with a loaded boundary (GeoJSON geometry as text), with the facts the
-- map's tooltip shows whatever the filters are: name, county and every collaboration it is in
select g.kommunenummer, k.kommunenavn, k.fylkesnavn_kort as fylkesnavn, k.partnerskap_tekst as samarbeid,
       g.geometri
from stg_kommune_grense g
left join mart_kommune_partnerskap k using (kommunenummer)
order by g.kommunenummer

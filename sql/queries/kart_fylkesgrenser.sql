-- one row per county with a loaded boundary (GeoJSON geometry as text)
select fylkesnummer, geometri from stg_fylke_grense order by fylkesnummer

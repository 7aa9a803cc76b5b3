-- one row per municipality with a loaded boundary (GeoJSON geometry as text)
select kommunenummer, geometri from stg_kommune_grense order by kommunenummer

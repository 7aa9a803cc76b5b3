-- facts about the build: threshold K, boundaries, and whether any synthetic data is present
select
    (select verdi from bygg_info where nokkel = 'min_svar')::integer as min_svar,
    (select verdi from bygg_info where nokkel = 'grenser') as grenser,
    (select coalesce(bool_or(syntetisk), false) from stg_enhet) as syntetisk,
    (select count(*) from stg_enhet) as antall_enheter,
    (select count(*) from stg_kommune_grense) as antall_grenser

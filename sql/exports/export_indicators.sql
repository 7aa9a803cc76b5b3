-- export "indicators": one row per published level (enhet, kommune, partnerskap, fylke, alle),
-- id, round, unit type, respondent group, indicator and breakdown, as the marts hold them:
-- hidden cells keep their row with every number empty
create view export_indicators as
select
    m.niva, m.niva_id, m.niva_navn,
    case when m.niva = 'enhet' then m.niva_id end as enhet_id,
    case when m.niva = 'enhet' then m.niva_navn end as enhet_navn,
    m.kommunenummer, k.kommunenavn_kort as kommunenavn, m.fylkesnummer,
    m.runde, m.enhetstype, m.respondentgruppe, m.indikator, m.gruppering, m.gruppe,
    m.antall_svar, m.snitt, m.snitt_standardavvik, m.skaar, m.standardavvik, m.ki_lav, m.ki_hoy,
    m.referanse, m.undertrykt, m.undertrykt_grunn, m.syntetisk
from mart_indikator m
left join stg_kommune k using (kommunenummer)
order by
    case m.niva when 'enhet' then 1 when 'kommune' then 2 when 'partnerskap' then 3 when 'fylke' then 4 else 5 end,
    m.niva_id, m.runde_sort, m.respondentgruppe, m.indikator, m.gruppering, m.gruppe;

-- export "indicators": one row per round, unit, respondent group and indicator
create view export_indicators as
select
    m.runde, m.niva_id as enhet_id, m.niva_navn as enhet_navn, m.enhetstype, m.kommunenummer,
    k.kommunenavn_kort as kommunenavn, m.respondentgruppe, m.indikator,
    m.antall_svar, m.snitt, m.skaar, m.standardavvik, m.ki_lav, m.ki_hoy,
    m.undertrykt, m.undertrykt_grunn, m.syntetisk
from mart_indikator m
join stg_kommune k using (kommunenummer)
where m.niva = 'enhet' and m.gruppering = 'alle'
order by m.runde_sort, m.niva_id, m.respondentgruppe, m.indikator;

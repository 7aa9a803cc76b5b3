-- export "mapping": one row per published level (kommune, partnerskap, fylke, alle), id, round,
-- role and competence area; hidden cells keep their row with every number empty
create view export_mapping as
select niva, niva_id, niva_navn, kommunenummer, fylkesnummer, runde, rolle, omrade, antall_svar,
       kompetanse, behov, gap, undertrykt, undertrykt_grunn, syntetisk
from mart_kartlegging
order by case niva when 'kommune' then 2 when 'partnerskap' then 3 when 'fylke' then 4 else 5 end,
         niva_id, runde_sort, rolle, omrade;

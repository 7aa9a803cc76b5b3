-- export "mapping": one row per level, id, round, role and competence area
create view export_mapping as
select niva, niva_id, niva_navn, runde, rolle, omrade, antall_svar, kompetanse, behov, gap,
       undertrykt, undertrykt_grunn, syntetisk
from mart_kartlegging
order by niva, niva_id, runde_sort, rolle, omrade;

-- whether the warehouse holds Udir's public statistics (the marts of `etl import udir`)
select count(*) > 0 as finnes
from information_schema.tables
where table_name = 'mart_offentlig'

-- options for the region / collaboration filter
select partnerskap_id, kortnavn from mart_partnerskap order by kortnavn

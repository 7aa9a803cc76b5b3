-- options for the grant-strand filter
select ordning, kortnavn from stg_ordning order by kortnavn

-- options for the round filter, oldest first
select runde from stg_runde order by runde_sort

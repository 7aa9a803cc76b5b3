-- rounds of the competence mapping, oldest first
select distinct m.runde, m.runde_sort from mart_kartlegging m order by m.runde_sort

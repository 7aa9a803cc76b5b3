-- options for the round filter, oldest first, with how many units took part (the default is the
-- round with the most units, so the first view is the fullest)
select r.runde, count(d.enhet_id) as antall_enheter
from stg_runde r
left join mart_enhet_runde d using (runde)
group by r.runde, r.runde_sort
order by r.runde_sort

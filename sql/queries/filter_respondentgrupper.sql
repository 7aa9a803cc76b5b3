-- options for the respondent-group filter: groups with results, in the instrument's order
select g.respondentgruppe, g.navn
from stg_respondentgruppe g
where g.respondentgruppe in (select distinct respondentgruppe from synlig_indikator)
order by case g.respondentgruppe when 'elev_5_10' then 0 else 1 end, g.navn

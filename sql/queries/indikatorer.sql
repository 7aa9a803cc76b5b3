-- one row per indicator measured for the chosen respondent group
select i.indikator, i.navn, i.beskrivelse, i.hoyere_er_bedre
from stg_indikator i
where i.indikator in (
    select distinct indikator from stg_sporsmal where respondentgruppe = $respondentgruppe
    union select distinct indikator from synlig_indikator where respondentgruppe = $respondentgruppe
)
order by i.navn

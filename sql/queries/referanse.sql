-- the reference each respondent group and indicator is scored against
select r.respondentgruppe, g.navn as respondentgruppe_navn, r.indikator, i.navn as indikator_navn,
       r.ref_snitt, r.ref_standardavvik, r.referanse
from mart_referanse r
join stg_respondentgruppe g using (respondentgruppe)
join stg_indikator i using (indikator)
order by g.navn, i.navn

-- the elements of an owner's plan (competence-package module E 1.6)
select nr, moment_nb, beskrivelse_nb, moment_nn, beskrivelse_nn from stg_eierplan_moment order by nr

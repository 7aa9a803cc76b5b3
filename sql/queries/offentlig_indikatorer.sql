-- the public indicators that have figures, in catalogue order (Offentlig statistikk)
select indikator, navn, tabell, type, enhet, desimaler, retning, beskrivelse, brudd_ar, brudd_tekst,
       skolear, summerbar
from mart_offentlig_indikator
where len(skolear) > 0
order by rekkefolge

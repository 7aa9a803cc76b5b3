-- Table macros the dashboard's queries share, so a filter means the same on every page.

-- the collaborations that match the global filters (empty lists mean "all");
-- collaborations without a stated period are kept only while the period filter is open
create or replace macro filtrerte_partnerskap(valgte, ordninger_valgt, fylker_valgt, fra_ar, til_ar, alle_perioder) as table
select partnerskap_id
from mart_partnerskap p
where (len(valgte) = 0 or list_contains(valgte, p.partnerskap_id))
  and (len(ordninger_valgt) = 0 or list_has_any(p.ordninger, ordninger_valgt))
  and (len(fylker_valgt) = 0 or list_has_any(p.fylkesnumre, fylker_valgt))
  and (
      (p.start_ar is null and p.slutt_ar is null and alle_perioder)
      or (coalesce(p.start_ar, 0) <= til_ar and coalesce(p.slutt_ar, 9999) >= fra_ar)
  );

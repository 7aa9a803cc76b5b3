-- Table macros the dashboard's queries share, so a filter means the same on every page.

-- the collaborations that match the global filters (empty lists mean "all"; a chosen
-- municipality keeps the collaborations it takes part in);
-- collaborations without a stated period are kept only while the period filter is open
create or replace macro filtrerte_partnerskap(valgte, ordninger_valgt, fylker_valgt, kommuner_valgt, fra_ar, til_ar, alle_perioder) as table
select partnerskap_id
from mart_partnerskap p
where (len(valgte) = 0 or list_contains(valgte, p.partnerskap_id))
  and (len(ordninger_valgt) = 0 or list_has_any(p.ordninger, ordninger_valgt))
  and (len(fylker_valgt) = 0 or list_has_any(p.fylkesnumre, fylker_valgt))
  and (len(kommuner_valgt) = 0 or list_has_any(p.kommunenumre, kommuner_valgt))
  and case
      when p.start_ar is null and p.slutt_ar is null then alle_perioder
      else coalesce(p.start_ar, 0) <= til_ar and coalesce(p.slutt_ar, 9999) >= fra_ar
  end;

-- the municipalities the global filters point at: members of the matching collaborations,
-- narrowed to the chosen counties and municipalities
create or replace macro filtrerte_kommuner(valgte, ordninger_valgt, fylker_valgt, kommuner_valgt, fra_ar, til_ar, alle_perioder) as table
select distinct m.kommunenummer, m.fylkesnummer
from mart_partnerskap_kommune m
where m.partnerskap_id in (
    select partnerskap_id
    from filtrerte_partnerskap(valgte, ordninger_valgt, fylker_valgt, kommuner_valgt, fra_ar, til_ar, alle_perioder)
)
  and (len(fylker_valgt) = 0 or list_contains(fylker_valgt, m.fylkesnummer))
  and (len(kommuner_valgt) = 0 or list_contains(kommuner_valgt, m.kommunenummer));

-- every place on every level the global filters point at, as (niva, niva_id): the matching
-- collaborations, the chosen municipalities, their counties and units, and 'alle'
create or replace macro filtrert_utvalg(valgte, ordninger_valgt, fylker_valgt, kommuner_valgt, fra_ar, til_ar, alle_perioder) as table
with kommuner as (
    select kommunenummer, fylkesnummer
    from filtrerte_kommuner(valgte, ordninger_valgt, fylker_valgt, kommuner_valgt, fra_ar, til_ar, alle_perioder)
)
select 'partnerskap' as niva, partnerskap_id as niva_id
from filtrerte_partnerskap(valgte, ordninger_valgt, fylker_valgt, kommuner_valgt, fra_ar, til_ar, alle_perioder)
union all select distinct 'fylke', fylkesnummer from kommuner
union all select 'kommune', kommunenummer from kommuner
union all select 'enhet', e.enhet_id from stg_enhet e join kommuner using (kommunenummer)
union all select 'alle', 'alle';

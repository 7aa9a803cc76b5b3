-- Who may see which unit: the scope of a viewer, enforced here in the public warehouse rather than
-- on the pages. The dashboard sets the DuckDB variable `omfang` on every connection it queries
-- through (dashboard/db.py): a list of 2024 municipality numbers whose units the viewer may see, or
-- ['*'] for every unit. Unset (NULL) or empty means no unit at all, so a query that forgets the
-- scope shows less, never more. Rows of every other level (municipality, collaboration, county,
-- country) are the same for everyone: suppression (K) is the same for every audience.
-- sql/queries/ reads unit-bearing marts only through these views (tests/test_tilgang.py checks).
create or replace macro i_omfang(kommune) as
    coalesce(list_contains(getvariable('omfang'), '*'), false)
    or coalesce(list_contains(getvariable('omfang'), kommune), false);

create or replace view synlig_indikator as
select * from mart_indikator where niva <> 'enhet' or i_omfang(kommunenummer);

create or replace view synlig_indikator_endring as
select * from mart_indikator_endring where niva <> 'enhet' or i_omfang(kommunenummer);

create or replace view synlig_deltakelse as
select * from mart_deltakelse where niva <> 'enhet' or i_omfang(kommunenummer);

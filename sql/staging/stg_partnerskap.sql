-- one row per source document
create table stg_kilde_dokument as
select dokument, tittel, utgiver, type, try_cast(dato as date) as dato, beskrivelse
from src_kilder
order by dokument;

-- one row per grant strand
create table stg_ordning as
select kode as ordning, kortnavn, navn, "for" as gjelder_for
from src_ordninger;

-- one row per element of an owner's plan (competence-package module E 1.6)
create table stg_eierplan_moment as
select nr::integer as nr, moment_nb, moment_nn, beskrivelse_nb, beskrivelse_nn
from src_eierplan
order by nr;

-- one row per collaboration
create table stg_partnerskap as
select * from src_partnerskap order by partnerskap_id;

-- one row per collaboration and municipality it names (2024 codes)
create table stg_partnerskap_kommune as
select * from src_partnerskap_kommune order by partnerskap_id, kommunenummer;

-- one row per named single unit (a school or kindergarten that is a collaboration's scope)
create table stg_partnerskap_enhet as
select * from src_partnerskap_enhet order by partnerskap_id, enhet_navn;

-- one row per collaboration and grant strand
create table stg_partnerskap_ordning as
select * from src_partnerskap_ordning order by partnerskap_id, ordning;

-- one row per collaboration, list field and position (partners, target groups, themes, goals)
create table stg_partnerskap_liste as
select * from src_partnerskap_liste order by partnerskap_id, felt, nr;

-- one row per collaboration and source document
create table stg_partnerskap_kilde as
select * from src_partnerskap_kilde order by partnerskap_id, dokument;

-- one row per data-quality note
create table stg_datakvalitet as
select * from src_datakvalitet order by partnerskap_id, nr;

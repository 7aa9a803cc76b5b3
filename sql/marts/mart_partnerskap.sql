-- one row per collaboration, with its lists gathered and its municipalities counted
create table mart_partnerskap as
with partnerskap as (select * from stg_partnerskap),
liste as (
    select partnerskap_id, felt, list(verdi order by nr) as verdier
    from stg_partnerskap_liste
    group by all
),
lister as (
    pivot liste on felt in ('uh_partnere', 'andre_partnere', 'malgrupper', 'temaer',
                            'kompetansepakker', 'mal', 'enhetstyper')
    using first(verdier) group by partnerskap_id
),
ordninger as (
    select p.partnerskap_id,
           list(o.ordning order by o.ordning) as ordninger,
           string_agg(s.kortnavn, ', ' order by o.ordning) as ordninger_tekst
    from stg_partnerskap_ordning o
    join stg_ordning s using (ordning)
    join partnerskap p using (partnerskap_id)
    group by all
),
kommuner as (
    select partnerskap_id,
           list(kommunenummer order by kommunenummer) as kommunenumre,
           list(distinct fylkesnummer order by fylkesnummer) as fylkesnumre,
           count(*) as antall_kommuner_oppfort
    from (
        select partnerskap_id, kommunenummer from stg_partnerskap_kommune
        union
        select partnerskap_id, kommunenummer from stg_partnerskap_enhet
    )
    join stg_kommune using (kommunenummer)
    group by all
),
enheter as (
    select partnerskap_id, list(enhet_navn order by enhet_navn) as enheter
    from stg_partnerskap_enhet group by all
),
kilder as (
    select partnerskap_id, list(dokument order by dokument) as kilder
    from stg_partnerskap_kilde group by all
),
merknader as (
    select partnerskap_id, list(merknad order by nr) as datakvalitet
    from stg_datakvalitet group by all
),
final as (
    select
        partnerskap.*,
        coalesce(
            partnerskap.periode_tekst,
            partnerskap.start_ar || '–' || partnerskap.slutt_ar || ' (utledet, se merknad)'
        ) as periode_visning,
        coalesce(ordninger.ordninger, []::varchar[]) as ordninger,
        ordninger.ordninger_tekst,
        coalesce(kommuner.kommunenumre, []::varchar[]) as kommunenumre,
        coalesce(kommuner.fylkesnumre, []::varchar[]) as fylkesnumre,
        coalesce(kommuner.antall_kommuner_oppfort, 0) as antall_kommuner_oppfort,
        coalesce(enheter.enheter, []::varchar[]) as enheter,
        coalesce(lister.enhetstyper, []::varchar[]) as enhetstyper,
        coalesce(lister.uh_partnere, []::varchar[]) as uh_partnere,
        coalesce(lister.andre_partnere, []::varchar[]) as andre_partnere,
        coalesce(lister.malgrupper, []::varchar[]) as malgrupper,
        coalesce(lister.temaer, []::varchar[]) as temaer,
        coalesce(lister.kompetansepakker, []::varchar[]) as kompetansepakker,
        coalesce(lister.mal, []::varchar[]) as mal,
        coalesce(kilder.kilder, []::varchar[]) as kilder,
        coalesce(merknader.datakvalitet, []::varchar[]) as datakvalitet
    from partnerskap
    left join ordninger using (partnerskap_id)
    left join kommuner using (partnerskap_id)
    left join enheter using (partnerskap_id)
    left join lister using (partnerskap_id)
    left join kilder using (partnerskap_id)
    left join merknader using (partnerskap_id)
)
select * from final order by partnerskap_id;

-- one row per collaboration and municipality (named members, and the municipality of a named unit)
create table mart_partnerskap_kommune as
with medlem as (
    select partnerskap_id, kommunenummer, 'kommune' as grunnlag from stg_partnerskap_kommune
    union
    select partnerskap_id, kommunenummer, 'enhet' as grunnlag from stg_partnerskap_enhet
    where kommunenummer not in (
        select kommunenummer from stg_partnerskap_kommune k
        where k.partnerskap_id = stg_partnerskap_enhet.partnerskap_id
    )
),
final as (
    select
        p.partnerskap_id,
        p.navn as partnerskap_navn,
        p.kortnavn as partnerskap_kortnavn,
        p.region,
        p.sepu_samarbeid,
        p.start_ar,
        p.slutt_ar,
        p.forlenget_fra,
        p.forlenget_til,
        p.ordninger,
        p.ordninger_tekst,
        m.kommunenummer,
        k.kommunenavn,
        k.kommunenavn_kort,
        k.fylkesnummer,
        k.fylkesnavn,
        m.grunnlag
    from medlem m
    join mart_partnerskap p using (partnerskap_id)
    join mart_kommune k using (kommunenummer)
)
select * from final order by partnerskap_id, kommunenummer;

-- one row per 2024 municipality: the collaborations and grant strands it takes part in
create table mart_kommune_partnerskap as
with medlem as (select * from mart_partnerskap_kommune),
strands as (
    select kommunenummer, list(distinct ordning order by ordning) as ordninger
    from medlem, unnest(medlem.ordninger) as t(ordning)
    group by all
),
per_kommune as (
    select
        kommunenummer,
        count(*) as antall_partnerskap,
        list(partnerskap_id order by partnerskap_id) as partnerskap_ider,
        string_agg(partnerskap_kortnavn, '; ' order by partnerskap_kortnavn) as partnerskap_tekst,
        bool_or(sepu_samarbeid) as sepu_samarbeid
    from medlem
    group by all
),
final as (
    select
        k.*,
        coalesce(p.antall_partnerskap, 0) as antall_partnerskap,
        coalesce(p.partnerskap_ider, []::varchar[]) as partnerskap_ider,
        p.partnerskap_tekst,
        coalesce(p.sepu_samarbeid, false) as sepu_samarbeid,
        coalesce(s.ordninger, []::varchar[]) as ordninger
    from mart_kommune k
    left join per_kommune p using (kommunenummer)
    left join strands s using (kommunenummer)
)
select * from final order by kommunenummer;

-- one row per source document, with the collaborations transcribed from it
create table mart_kilde_dokument as
select d.*, count(k.partnerskap_id) as antall_partnerskap
from stg_kilde_dokument d
left join stg_partnerskap_kilde k using (dokument)
group by all
order by dokument;

-- one row per data-quality note, with the collaboration's name
create table mart_datakvalitet as
select d.partnerskap_id, p.navn as partnerskap_navn, d.nr, d.merknad
from stg_datakvalitet d
join stg_partnerskap p using (partnerskap_id)
order by d.partnerskap_id, d.nr;

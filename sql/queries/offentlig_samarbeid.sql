-- one collaboration's municipalities, the collaboration, its counties and the country, every
-- school year, for one public indicator (Offentlig statistikk)
with medlem as (
    select kommunenummer, fylkesnummer
    from mart_partnerskap_kommune
    where partnerskap_id = $partnerskap
)
select
    m.niva, m.niva_id, m.niva_navn, m.skolear, m.ar, m.indikator, m.type, m.enhet,
    m.teller, m.nevner, m.verdi, m.nedre, m.ovre, m.usikkerhet, m.verdi_synlige, m.nevner_synlige,
    m.antall_omrader, m.antall_skjult, m.antall_mangler, m.skjulte, m.manglende, m.status, m.undertrykt, m.grunnlag,
    m.merknad, m.kilde, m.lisens, m.syntetisk
from mart_offentlig m
where m.indikator = $indikator
  and (
      (m.niva = 'kommune' and m.niva_id in (select kommunenummer from medlem))
      or (m.niva = 'partnerskap' and m.niva_id = $partnerskap)
      or (m.niva = 'fylke' and m.niva_id in (select fylkesnummer from medlem))
      or m.niva = 'land'
  )
order by m.ar,
    case m.niva when 'kommune' then 1 when 'partnerskap' then 2 when 'fylke' then 3 else 4 end,
    m.niva_navn

-- the source documents and how many collaborations were transcribed from each
select dokument, tittel, utgiver, type, dato, beskrivelse, antall_partnerskap
from mart_kilde_dokument order by dokument

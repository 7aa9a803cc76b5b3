-- the Udir response files behind the public figures, with provenance and notes
select fil, tabell, beskrivelse, skolear, opprinnelse, endepunkt, hentet, opphav, lisens,
       antall_verdier, antall_skjult, antall_mangler, merknader
from mart_offentlig_kilde

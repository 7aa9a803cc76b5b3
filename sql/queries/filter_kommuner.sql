-- options for the municipality filter: municipalities in at least one collaboration
select distinct kommunenummer, kommunenavn_kort
from mart_partnerskap_kommune
order by kommunenavn_kort

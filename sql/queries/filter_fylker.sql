-- options for the county filter: counties with at least one collaboration
select distinct fylkesnummer, fylkesnavn_kort
from mart_partnerskap_kommune join stg_fylke using (fylkesnummer)
order by fylkesnummer

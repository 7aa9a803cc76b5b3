-- Suppression, step 2 of 2 (run repeatedly until it changes nothing): where a visible parent has
-- exactly one suppressed child, that child could be recovered from the parent and its visible
-- siblings, so the smallest visible sibling is suppressed too; with no visible sibling left,
-- the parent is suppressed instead.
update tmp_celle
set undertrykt = true, grunn = 'sekundær'
where celle_id in (
    with grupper as (
        select s.gruppe_id, any_value(s.forelder_id) as forelder_id,
               count(*) filter (where c.undertrykt and c.n > 0) as skjulte
        from tmp_sosken s join tmp_celle c on c.celle_id = s.barn_id
        group by s.gruppe_id
    ),
    utsatt as (
        select g.* from grupper g join tmp_celle p on p.celle_id = g.forelder_id
        where g.skjulte = 1 and not p.undertrykt
    ),
    kandidat as (
        select s.gruppe_id, c.celle_id,
               row_number() over (partition by s.gruppe_id order by c.n, c.celle_id) as nr
        from tmp_sosken s
        join tmp_celle c on c.celle_id = s.barn_id
        where s.gruppe_id in (select gruppe_id from utsatt) and not c.undertrykt
    )
    select celle_id from kandidat where nr = 1
    union
    select forelder_id from utsatt where gruppe_id not in (select gruppe_id from kandidat)
);

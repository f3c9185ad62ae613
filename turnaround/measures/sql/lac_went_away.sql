-- id: lac_went_away
-- title: Children looked after who went away
-- definition: Of the children looked after at any time in the year, the share who were
--   away from their placement without permission at least once in the year (an incident starting in the year).
--   Short breaks (respite) are left out.
-- numerator: children looked after in the year with at least one away incident starting in it
-- denominator: children looked after at any time in the year
-- better: lower
-- unit: percent
-- sources: ssda903_missing.child, ssda903_missing.missing, ssda903_missing.mis_start,
--   ssda903_episodes_clean.child, ssda903_episodes_clean.decom, ssda903_episodes_clean.dec,
--   ssda903_episodes.year
-- benchmark: none
with years as (select distinct year from ssda903_episodes),
looked_after as (
    select distinct y.year, e.child
    from years as y
    join ssda903_episodes_clean as e
        on e.decom <= make_date(y.year, 3, 31)
        and (e.dec is null or e.dec >= make_date(y.year - 1, 4, 1))
    where coalesce(e.ls, '') not in ('V3', 'V4')
),
incidents as (
    select distinct child, mis_start from ssda903_missing
    where missing = 'A' and mis_start is not null
)
select
    l.year,
    l.child as subject_id,
    case when count(i.mis_start) > 0 then 1 else 0 end as numerator,
    1 as denominator,
    cast(count(i.mis_start) as varchar) || ' away incidents'
        || coalesce(': ' || string_agg(cast(i.mis_start as varchar), ', ' order by i.mis_start), '')
        as record
from looked_after as l
left join incidents as i
    on i.child = l.child
    and i.mis_start between make_date(l.year - 1, 4, 1) and make_date(l.year, 3, 31)
group by l.year, l.child

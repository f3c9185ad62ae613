-- id: lac_starts
-- title: Children who started to be looked after
-- definition: How many children started a period of care in the year. A child who came into
--   care twice in the year counts once. Short breaks (respite) are left out.
-- numerator: children with a period of care starting in the year
-- denominator: none: this is a count
-- better: neither
-- unit: count
-- sources: ssda903_episodes_clean.child, ssda903_episodes_clean.decom,
--   ssda903_episodes_clean.period_of_care, ssda903_episodes.year
-- benchmark: cla.children_count
with years as (select distinct year from ssda903_episodes),
periods as (
    select child, period_of_care, min(decom) as started
    from ssda903_episodes_clean
    where coalesce(ls, '') not in ('V3', 'V4')
    group by child, period_of_care
)
select
    y.year,
    p.child as subject_id,
    1 as numerator,
    0 as denominator,
    'came into care ' || string_agg(cast(p.started as varchar), ', ' order by p.started)
        as record
from years as y
join periods as p on p.started between make_date(y.year - 1, 4, 1) and make_date(y.year, 3, 31)
group by y.year, p.child

-- id: lac_ceases
-- title: Children who stopped being looked after
-- definition: How many children's periods of care ended in the year, whatever the reason
--   (home, adoption, special guardianship, turning 18). A child who left care twice in the
--   year counts once. Short breaks (respite) are left out.
-- numerator: children with a period of care ending in the year
-- denominator: none: this is a count
-- better: neither
-- unit: count
-- sources: ssda903_episodes_clean.child, ssda903_episodes_clean.dec,
--   ssda903_episodes_clean.rec, ssda903_episodes_clean.period_of_care, ssda903_episodes.year
-- benchmark: cla.children_count
with years as (select distinct year from ssda903_episodes),
episodes as (
    select child, period_of_care, decom, dec, rec
    from ssda903_episodes_clean
    where coalesce(ls, '') not in ('V3', 'V4')
),
last_episodes as (
    select child, period_of_care, max(decom) as last_start
    from episodes
    group by child, period_of_care
),
endings as (
    select e.child, e.dec as ended, e.rec
    from last_episodes as l
    join episodes as e
        on e.child = l.child and e.period_of_care = l.period_of_care and e.decom = l.last_start
    where e.dec is not null
)
select
    y.year,
    n.child as subject_id,
    1 as numerator,
    0 as denominator,
    'left care ' || string_agg(
        cast(n.ended as varchar) || ' (' || coalesce(n.rec, 'no reason') || ')', ', '
        order by n.ended
    ) as record
from years as y
join endings as n on n.ended between make_date(y.year - 1, 4, 1) and make_date(y.year, 3, 31)
group by y.year, n.child

-- id: lac_per_10k
-- title: Children looked after per 10,000 children
-- definition: How many children were looked after by the council on 31 March, for every 10,000
--   children living in the area. Children looked after only for short breaks (respite, legal
--   status V3 or V4) are left out, as the DfE does.
-- numerator: children looked after on 31 March
-- denominator: children aged 0 to 17 living in the area (ONS mid-year estimate)
-- better: neither
-- unit: per10k
-- sources: ssda903_episodes_clean.child, ssda903_episodes_clean.decom,
--   ssda903_episodes_clean.dec, ssda903_episodes_clean.ls, ssda903_episodes.year
-- benchmark: cla.rate_per_10000
with years as (select distinct year from ssda903_episodes),
episodes as (
    select child, decom, dec, ls, place
    from ssda903_episodes_clean
    where coalesce(ls, '') not in ('V3', 'V4')
)
select
    y.year,
    e.child as subject_id,
    1 as numerator,
    0 as denominator,
    'episode from ' || cast(max(e.decom) as varchar) || ', legal status '
        || coalesce(max(e.ls), '?') || ', placement ' || coalesce(max(e.place), '?') as record
from years as y
join episodes as e
    on e.decom <= make_date(y.year, 3, 31)
    and (e.dec is null or e.dec > make_date(y.year, 3, 31))
group by y.year, e.child

-- id: lac_missing_incidents
-- title: Missing incidents of children looked after
-- definition: How many times in the year children looked after were missing from their placement.
--   Each incident counts, so one child can count many times.
-- numerator: missing incidents starting in the year
-- denominator: none: this is a count
-- better: lower
-- unit: count
-- sources: ssda903_missing.child, ssda903_missing.missing, ssda903_missing.mis_start
-- benchmark: none
with incidents as (
    select distinct child, mis_start from ssda903_missing
    where missing = 'M' and mis_start is not null
),
years as (select distinct year from ssda903_missing)
select
    y.year,
    i.child as subject_id,
    count(*) as numerator,
    0 as denominator,
    string_agg(cast(i.mis_start as varchar), ', ' order by i.mis_start) as record
from years as y
join incidents as i on i.mis_start between make_date(y.year - 1, 4, 1) and make_date(y.year, 3, 31)
group by y.year, i.child

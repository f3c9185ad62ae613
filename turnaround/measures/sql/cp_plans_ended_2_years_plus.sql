-- id: cp_plans_ended_2_years_plus
-- title: Child protection plans lasting two years or more (ended in the year)
-- definition: Of the child protection plans that ended in the year, the share that had lasted
--   two years or more. Long plans can mean a child's situation is not changing.
-- numerator: plans ended in the year that lasted two years or more
-- denominator: child protection plans that ended in the year
-- better: lower
-- unit: percent
-- sources: cin_cp_plans.child_id, cin_cp_plans.start_date, cin_cp_plans.end_date
-- benchmark: none
with plans as (
    select distinct child_id, start_date, end_date
    from cin_cp_plans
    where start_date is not null and end_date is not null
),
years as (select distinct year from cin_cp_plans)
select
    y.year,
    p.child_id || ' ' || cast(p.start_date as varchar) as subject_id,
    case when p.end_date >= p.start_date + interval 2 year then 1 else 0 end as numerator,
    1 as denominator,
    'plan ' || cast(p.start_date as varchar) || ' to ' || cast(p.end_date as varchar)
        || ' (' || cast(p.end_date - p.start_date as varchar) || ' days)' as record
from years as y
join plans as p on p.end_date between make_date(y.year - 1, 4, 1) and make_date(y.year, 3, 31)

-- id: cp_plans_second_or_subsequent
-- title: Child protection plans that are a second or later plan
-- definition: Of the child protection plans that started in the year, the share for children
--   who had been on a plan before, at any time and in any council.
-- numerator: plans started in the year for a child with an earlier plan (recorded as a number
--   of previous plans, or an earlier plan in the store)
-- denominator: child protection plans that started in the year
-- better: lower
-- unit: percent
-- sources: cin_cp_plans.child_id, cin_cp_plans.start_date, cin_cp_plans.previous_plans
-- benchmark: d3.CPP_subsequent_percent
with plans as (
    select year, child_id, start_date, max(coalesce(previous_plans, 0)) as previous_plans
    from cin_cp_plans
    where start_date between make_date(year - 1, 4, 1) and make_date(year, 3, 31)
    group by year, child_id, start_date
),
all_plans as (
    select distinct child_id, start_date from cin_cp_plans where start_date is not null
),
earlier as (
    select p.year, p.child_id, p.start_date, p.previous_plans, max(a.start_date) as earlier_plan
    from plans as p
    left join all_plans as a on a.child_id = p.child_id and a.start_date < p.start_date
    group by p.year, p.child_id, p.start_date, p.previous_plans
)
select
    year,
    child_id || ' ' || cast(start_date as varchar) as subject_id,
    case when previous_plans > 0 or earlier_plan is not null then 1 else 0 end as numerator,
    1 as denominator,
    'plan started ' || cast(start_date as varchar) || '; previous plans recorded: '
        || cast(previous_plans as varchar)
        || coalesce('; earlier plan ' || cast(earlier_plan as varchar), '') as record
from earlier

-- id: cp_plans_open_2_years_plus
-- title: Child protection plans open two years or more on 31 March
-- definition: Of the children on a child protection plan on 31 March, the share whose plan had
--   by then lasted two years or more.
-- numerator: children on a plan on 31 March that started two or more years before
-- denominator: children on a child protection plan on 31 March
-- better: lower
-- unit: percent
-- sources: cin_cp_plans.child_id, cin_cp_plans.start_date, cin_cp_plans.end_date
-- benchmark: d5.2_years_or_more_percent
with open_plans as (
    select year, child_id, min(start_date) as start_date
    from cin_cp_plans
    where start_date <= make_date(year, 3, 31)
        and (end_date is null or end_date > make_date(year, 3, 31))
    group by year, child_id
)
select
    year,
    child_id as subject_id,
    case when start_date <= make_date(year, 3, 31) - interval 2 year then 1 else 0 end
        as numerator,
    1 as denominator,
    'plan since ' || cast(start_date as varchar) as record
from open_plans

-- id: cp_plans_per_10k
-- title: Child protection plans per 10,000 children
-- definition: How many children were the subject of a child protection plan on 31 March, for
--   every 10,000 children living in the area.
-- numerator: children with a child protection plan open on 31 March
-- denominator: children aged 0 to 17 living in the area (ONS mid-year estimate)
-- better: neither
-- unit: per10k
-- sources: cin_cp_plans.child_id, cin_cp_plans.start_date, cin_cp_plans.end_date
-- benchmark: d5.CPP_At31
select
    year,
    child_id as subject_id,
    1 as numerator,
    0 as denominator,
    'plan since ' || cast(min(start_date) as varchar) as record
from cin_cp_plans
where start_date <= make_date(year, 3, 31)
    and (end_date is null or end_date > make_date(year, 3, 31))
group by year, child_id

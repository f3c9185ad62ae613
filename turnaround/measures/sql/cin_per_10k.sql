-- id: cin_per_10k
-- title: Children in need per 10,000 children
-- definition: How many children were children in need on 31 March (their case was open to
--   children's social care that day, whatever the plan), for every 10,000 children living in
--   the area. This includes children on child protection plans and children looked after.
-- numerator: children with a children-in-need episode open on 31 March
-- denominator: children aged 0 to 17 living in the area (ONS mid-year estimate)
-- better: neither
-- unit: per10k
-- sources: cin_episodes.child_id, cin_episodes.referral_date, cin_episodes.closure_date
-- benchmark: b1.At31_episodes
select
    year,
    child_id as subject_id,
    1 as numerator,
    0 as denominator,
    'in need since ' || cast(min(referral_date) as varchar) as record
from cin_episodes
where referral_date <= make_date(year, 3, 31)
    and (closure_date is null or closure_date > make_date(year, 3, 31))
group by year, child_id

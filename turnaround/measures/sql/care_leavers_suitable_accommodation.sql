-- id: care_leavers_suitable_accommodation
-- title: Care leavers in suitable accommodation
-- definition: Of the care leavers the council had to follow up around their birthday in the year, the share whose accommodation was judged suitable.
--   The group is the care leavers in the return's OC3 table: young people who left care and
--   whose birthday fell in the year at the ages the DfE follows up (19 to 21, and from
--   2016 also 17 and 18).
-- numerator: care leavers whose accommodation is recorded as suitable (ACCOM code ending in 1)
-- denominator: care leavers followed up in the year
-- better: higher
-- unit: percent
-- sources: ssda903_oc3.child, ssda903_oc3.accom
-- benchmark: none
select
    year,
    child as subject_id,
    max(case when accom like '_1' then 1 else 0 end) as numerator,
    1 as denominator,
    'accom: ' || coalesce(max(accom), 'not recorded') as record
from ssda903_oc3
group by year, child

-- id: care_leavers_in_touch
-- title: Care leavers the council is in touch with
-- definition: Of the care leavers the council had to follow up around their birthday in the year, the share it was in touch with.
--   The group is the care leavers in the return's OC3 table: young people who left care and
--   whose birthday fell in the year at the ages the DfE follows up (19 to 21, and from
--   2016 also 17 and 18).
-- numerator: care leavers the council was in touch with (IN_TOUCH YES)
-- denominator: care leavers followed up in the year
-- better: higher
-- unit: percent
-- sources: ssda903_oc3.child, ssda903_oc3.in_touch
-- benchmark: none
select
    year,
    child as subject_id,
    max(case when in_touch = 'YES' then 1 else 0 end) as numerator,
    1 as denominator,
    'in_touch: ' || coalesce(max(in_touch), 'not recorded') as record
from ssda903_oc3
group by year, child

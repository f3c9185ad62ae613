-- id: care_leavers_in_eet
-- title: Care leavers in education, employment or training
-- definition: Of the care leavers the council had to follow up around their birthday in the year, the share in education, training or work, full or part time.
--   The group is the care leavers in the return's OC3 table: young people who left care and
--   whose birthday fell in the year at the ages the DfE follows up (19 to 21, and from
--   2016 also 17 and 18).
-- numerator: care leavers in higher or other education, training or employment (ACTIV F1, P1, F2, P2, F3, P3)
-- denominator: care leavers followed up in the year
-- better: higher
-- unit: percent
-- sources: ssda903_oc3.child, ssda903_oc3.activ
-- benchmark: none
select
    year,
    child as subject_id,
    max(case when activ in ('F1', 'P1', 'F2', 'P2', 'F3', 'P3') then 1 else 0 end) as numerator,
    1 as denominator,
    'activ: ' || coalesce(max(activ), 'not recorded') as record
from ssda903_oc3
group by year, child

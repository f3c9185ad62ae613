-- id: health_assessments_up_to_date
-- title: Health assessments up to date
-- definition: Of the children looked after for a year or more on 31 March, the share whose annual health assessment was up to date.
--   The group is the children in the return's OC2 table: those looked after continuously for
--   twelve months or more on 31 March.
-- numerator: children in the group whose health assessment was up to date
-- denominator: children looked after continuously for 12 months or more on 31 March
-- better: higher
-- unit: percent
-- sources: ssda903_oc2.child, ssda903_oc2.health_assessment
-- benchmark: none
select
    year,
    child as subject_id,
    max(case when health_assessment then 1 else 0 end) as numerator,
    1 as denominator,
    'health_assessment: ' || coalesce(cast(bool_or(health_assessment) as varchar), 'not recorded') as record
from ssda903_oc2
group by year, child

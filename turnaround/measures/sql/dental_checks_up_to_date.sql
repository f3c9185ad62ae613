-- id: dental_checks_up_to_date
-- title: Dental checks up to date
-- definition: Of the children looked after for a year or more on 31 March, the share who had had their teeth checked by a dentist in the year.
--   The group is the children in the return's OC2 table: those looked after continuously for
--   twelve months or more on 31 March.
-- numerator: children in the group whose dental check was up to date
-- denominator: children looked after continuously for 12 months or more on 31 March
-- better: higher
-- unit: percent
-- sources: ssda903_oc2.child, ssda903_oc2.teeth_check
-- benchmark: none
select
    year,
    child as subject_id,
    max(case when teeth_check then 1 else 0 end) as numerator,
    1 as denominator,
    'teeth_check: ' || coalesce(cast(bool_or(teeth_check) as varchar), 'not recorded') as record
from ssda903_oc2
group by year, child

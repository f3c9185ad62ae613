-- id: s47_per_10k
-- title: Section 47 enquiries per 10,000 children
-- definition: How many child protection (Section 47) enquiries started in the year, for every
--   10,000 children living in the area. Each enquiry counts.
-- numerator: Section 47 enquiries whose start date falls in the year
-- denominator: children aged 0 to 17 living in the area (ONS mid-year estimate)
-- better: neither
-- unit: per10k
-- sources: cin_s47.child_id, cin_s47.start_date
-- benchmark: none
with enquiries as (
    select distinct year, child_id, start_date
    from cin_s47
    where start_date between make_date(year - 1, 4, 1) and make_date(year, 3, 31)
)
select
    year,
    child_id || ' ' || cast(start_date as varchar) as subject_id,
    1 as numerator,
    0 as denominator,
    'Section 47 enquiry started ' || cast(start_date as varchar) as record
from enquiries

-- id: assessments_within_45_days
-- title: Assessments completed within 45 working days
-- definition: Of the assessments finished (authorised) in the year, the share finished within
--   45 working days of starting. Working days leave out weekends and English bank holidays;
--   an assessment started and finished on the same day took no working days.
-- numerator: assessments authorised in the year no more than 45 working days after they started
-- denominator: assessments authorised in the year
-- better: higher
-- unit: percent
-- sources: cin_assessments.child_id, cin_assessments.start_date,
--   cin_assessments.authorised_date
-- benchmark: c2.41-45_days
with assessments as (
    select distinct child_id, start_date, authorised_date
    from cin_assessments
    where start_date is not null and authorised_date is not null
),
years as (select distinct year from cin_assessments),
timed as (
    select
        y.year, a.child_id, a.start_date, a.authorised_date,
        finished.working_day_number - started.working_day_number as working_days
    from years as y
    join assessments as a
        on a.authorised_date between make_date(y.year - 1, 4, 1) and make_date(y.year, 3, 31)
    left join working_calendar as started on started.day = a.start_date
    left join working_calendar as finished on finished.day = a.authorised_date
)
select
    year,
    child_id || ' ' || cast(start_date as varchar) as subject_id,
    case when working_days <= 45 then 1 else 0 end as numerator,
    1 as denominator,
    'assessment ' || cast(start_date as varchar) || ' to ' || cast(authorised_date as varchar)
        || ': ' || coalesce(cast(working_days as varchar), '?') || ' working days' as record
from timed

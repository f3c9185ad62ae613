-- id: icpc_within_15_days
-- title: Initial child protection conferences within 15 working days
-- definition: Of the initial child protection conferences held in the year, the share held
--   within 15 working days of the start of the Section 47 enquiry that led to them. Working
--   days leave out weekends and English bank holidays.
-- numerator: conferences in the year held no more than 15 working days after the enquiry began
-- denominator: initial child protection conferences held in the year
-- better: higher
-- unit: percent
-- sources: cin_s47.child_id, cin_s47.start_date, cin_s47.icpc_date
-- benchmark: none
with conferences as (
    select distinct child_id, start_date, icpc_date
    from cin_s47
    where start_date is not null and icpc_date is not null
),
years as (select distinct year from cin_s47),
timed as (
    select
        y.year, c.child_id, c.start_date, c.icpc_date,
        held.working_day_number - started.working_day_number as working_days
    from years as y
    join conferences as c
        on c.icpc_date between make_date(y.year - 1, 4, 1) and make_date(y.year, 3, 31)
    left join working_calendar as started on started.day = c.start_date
    left join working_calendar as held on held.day = c.icpc_date
)
select
    year,
    child_id || ' ' || cast(icpc_date as varchar) as subject_id,
    case when working_days <= 15 then 1 else 0 end as numerator,
    1 as denominator,
    'enquiry ' || cast(start_date as varchar) || ', conference ' || cast(icpc_date as varchar)
        || ': ' || coalesce(cast(working_days as varchar), '?') || ' working days' as record
from timed

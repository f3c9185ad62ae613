-- id: workforce_caseload
-- title: Average caseload per case-holding social worker
-- definition: On 30 September in the year, the number of children's cases allocated to
--   case-holding social workers, divided by those workers' full-time equivalent: the average
--   caseload of a full-time worker. Cases waiting for a worker are not counted.
-- numerator: cases allocated to case-holding social workers on 30 September
-- denominator: full-time equivalent of case-holding social workers in post on 30 September
-- better: lower
-- unit: ratio
-- sources: workforce_staff.staff_id, workforce_staff.fte, workforce_staff.holds_cases,
--   workforce_staff.start_date, workforce_staff.leave_date, workforce_allocations.child_id,
--   workforce_allocations.staff_id, workforce_allocations.start_date,
--   workforce_allocations.end_date, loads.year, workforce_vacancies.at_date
-- benchmark: csww.caseload_fte
with years as (
    select distinct year from loads where kind in ('cin', 'ssda903') and year is not null
    union
    select distinct year(at_date) + case when month(at_date) >= 4 then 1 else 0 end
    from workforce_vacancies
),
holders as (
    select y.year, s.staff_id, s.fte
    from years as y
    join workforce_staff as s
        on s.start_date <= make_date(y.year - 1, 9, 30)
        and (s.leave_date is null or s.leave_date > make_date(y.year - 1, 9, 30))
    where s.holds_cases
),
cases as (
    select h.year, h.staff_id, count(distinct a.child_id) as cases
    from holders as h
    join workforce_allocations as a
        on a.staff_id = h.staff_id
        and a.start_date <= make_date(h.year - 1, 9, 30)
        and (a.end_date is null or a.end_date > make_date(h.year - 1, 9, 30))
    group by h.year, h.staff_id
)
select
    h.year,
    h.staff_id as subject_id,
    coalesce(c.cases, 0) as numerator,
    h.fte as denominator,
    cast(coalesce(c.cases, 0) as varchar) || ' cases, ' || cast(h.fte as varchar) || ' FTE'
        as record
from holders as h
left join cases as c on c.year = h.year and c.staff_id = h.staff_id

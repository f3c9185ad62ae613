-- id: workforce_agency_rate
-- title: Agency social worker rate
-- definition: Of the social work staff in post on 30 September in the year (counted in
--   full-time equivalents), the share who were agency workers rather than the council's own
--   employees. The DfE counts children's social workers, managers included, on that day.
-- numerator: full-time equivalent of agency social workers in post on 30 September
-- denominator: full-time equivalent of all social workers in post (agency and permanent) on
--   30 September
-- better: lower
-- unit: percent
-- sources: workforce_staff.staff_id, workforce_staff.role, workforce_staff.fte,
--   workforce_staff.agency, workforce_staff.start_date, workforce_staff.leave_date, loads.year,
--   workforce_vacancies.at_date
-- benchmark: csww.agency_rate_fte
with years as (
    select distinct year from loads where kind in ('cin', 'ssda903') and year is not null
    union
    select distinct year(at_date) + case when month(at_date) >= 4 then 1 else 0 end
    from workforce_vacancies
),
in_post as (
    select y.year, s.staff_id, s.role, s.fte, s.agency
    from years as y
    join workforce_staff as s
        on s.start_date <= make_date(y.year - 1, 9, 30)
        and (s.leave_date is null or s.leave_date > make_date(y.year - 1, 9, 30))
    where s.role in (
        'social_worker', 'senior_practitioner', 'team_manager', 'service_manager',
        'head_of_service'
    )
)
select
    year,
    staff_id as subject_id,
    case when agency then fte else 0 end as numerator,
    fte as denominator,
    role || ', ' || cast(fte as varchar) || ' FTE, '
        || case when agency then 'agency' else 'permanent' end as record
from in_post

-- id: workforce_vacancy_rate
-- title: Social worker vacancy rate
-- definition: Of the social work posts the council has funded (its establishment, in
--   full-time equivalents), the share with no permanent worker in them, whether or not an
--   agency worker is covering. Taken from the latest vacancy snapshot in the year.
-- numerator: vacant full-time equivalent posts
-- denominator: full-time equivalent posts in the establishment
-- better: lower
-- unit: percent
-- sources: workforce_vacancies.team_id, workforce_vacancies.role,
--   workforce_vacancies.establishment_fte, workforce_vacancies.vacant_fte,
--   workforce_vacancies.at_date
-- benchmark: csww.vacancy_rate_fte
with snapshots as (
    select
        *,
        year(at_date) + case when month(at_date) >= 4 then 1 else 0 end as year
    from workforce_vacancies
),
latest as (
    select year, max(at_date) as at_date from snapshots group by year
)
select
    s.year,
    s.team_id || ' ' || s.role as subject_id,
    s.vacant_fte as numerator,
    s.establishment_fte as denominator,
    'on ' || cast(s.at_date as varchar) || ': ' || cast(s.vacant_fte as varchar) || ' of '
        || cast(s.establishment_fte as varchar) || ' FTE vacant, '
        || cast(s.agency_cover_fte as varchar) || ' covered by agency' as record
from snapshots as s
join latest as l on l.year = s.year and l.at_date = s.at_date
where s.role in (
    'social_worker', 'senior_practitioner', 'team_manager', 'service_manager', 'head_of_service'
)

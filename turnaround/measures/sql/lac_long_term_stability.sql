-- id: lac_long_term_stability
-- title: Long-term placement stability
-- definition: Of the children under 16 on 31 March who had been looked after continuously for
--   two and a half years or more, the share who had lived with the same carers for at least
--   two years (a change of placement type with the same carers, RNE T or U, is not a move).
--   A child now placed for adoption counts if the adoptive placement and the placement
--   before it together last two years. Short breaks (respite) are left out.
-- numerator: children in the group in the same placement (or adoptive placement plus the one
--   before) for two years or more on 31 March
-- denominator: children under 16 on 31 March looked after continuously for 2.5 years or more
-- better: higher
-- unit: percent
-- sources: ssda903_episodes_clean.child, ssda903_episodes_clean.decom,
--   ssda903_episodes_clean.dec, ssda903_episodes_clean.place,
--   ssda903_episodes_clean.rne, ssda903_episodes_clean.period_of_care,
--   ssda903_header.dob, ssda903_episodes.year
-- benchmark: la_cla_placement_stability.Living with the same carer for at least 2 years
with years as (select distinct year from ssda903_episodes),
episodes as (
    select child, decom, dec, place, rne in ('S', 'P', 'B') as new_carers, period_of_care
    from ssda903_episodes_clean
    where coalesce(ls, '') not in ('V3', 'V4')
),
births as (select child, max(dob) as dob from ssda903_header group by child),
current_episode as (
    select y.year, e.child, e.period_of_care, e.place
    from years as y
    join episodes as e
        on e.decom <= make_date(y.year, 3, 31)
        and (e.dec is null or e.dec > make_date(y.year, 3, 31))
),
history as (
    select
        c.year, c.child, c.place, b.dob,
        min(e.decom) as care_started,
        max(e.decom) filter (where e.new_carers) as placement_started
    from current_episode as c
    join episodes as e
        on e.child = c.child and e.period_of_care = c.period_of_care
        and e.decom <= make_date(c.year, 3, 31)
    left join births as b on b.child = c.child
    group by c.year, c.child, c.place, b.dob
),
with_previous as (
    select
        h.*,
        (
            select max(e.decom) from episodes as e
            where e.child = h.child and e.new_carers and e.decom < h.placement_started
                and e.decom >= h.care_started
        ) as previous_placement_started
    from history as h
),
cohort as (
    select * from with_previous
    where dob > make_date(year, 3, 31) - interval 16 year
        and care_started <= make_date(year, 3, 31) - interval 30 month
)
select
    year,
    child as subject_id,
    case
        when placement_started <= make_date(year, 3, 31) - interval 2 year then 1
        when place in ('A1', 'A2', 'A3', 'A4', 'A5', 'A6')
            and previous_placement_started <= make_date(year, 3, 31) - interval 2 year then 1
        else 0
    end as numerator,
    1 as denominator,
    'in care since ' || cast(care_started as varchar) || '; placement ' || coalesce(place, '?')
        || ' since ' || coalesce(cast(placement_started as varchar), '?')
        || coalesce('; previous placement from ' || cast(previous_placement_started as varchar), '')
        as record
from cohort

-- id: lac_3_plus_placements
-- title: Children looked after with three or more placements in the year
-- definition: Of the children looked after on 31 March, the share who lived in three or more
--   placements during the year. The placement a child was in on 1 April counts, and so does
--   every move after it; a change of legal status with the same carers is not a move.
--   Short breaks (respite) are left out.
-- numerator: children looked after on 31 March with three or more placements in the year
-- denominator: children looked after on 31 March
-- better: lower
-- unit: percent
-- sources: ssda903_episodes_clean.child, ssda903_episodes_clean.decom,
--   ssda903_episodes_clean.dec, ssda903_episodes_clean.placement_change, ssda903_episodes.year
-- benchmark: la_cla_placement_stability.With 3 or more placements during the year
with years as (select distinct year from ssda903_episodes),
episodes as (
    select child, decom, dec, placement_change
    from ssda903_episodes_clean
    where coalesce(ls, '') not in ('V3', 'V4')
),
at_31_march as (
    select distinct y.year, e.child
    from years as y
    join episodes as e
        on e.decom <= make_date(y.year, 3, 31)
        and (e.dec is null or e.dec > make_date(y.year, 3, 31))
),
placements as (
    select
        a.year, a.child,
        count(*) filter (
            where e.decom < make_date(a.year - 1, 4, 1)
            and (e.dec is null or e.dec > make_date(a.year - 1, 4, 1))
        ) as on_1_april,
        count(*) filter (
            where e.placement_change
            and e.decom between make_date(a.year - 1, 4, 1) and make_date(a.year, 3, 31)
        ) as moves,
        string_agg(cast(e.decom as varchar), ', ' order by e.decom) filter (
            where e.placement_change
            and e.decom between make_date(a.year - 1, 4, 1) and make_date(a.year, 3, 31)
        ) as move_dates
    from at_31_march as a
    join episodes as e on e.child = a.child
    group by a.year, a.child
)
select
    year,
    child as subject_id,
    case when least(on_1_april, 1) + moves >= 3 then 1 else 0 end as numerator,
    1 as denominator,
    'placements in the year: ' || cast(least(on_1_april, 1) + moves as varchar) || ' ('
        || case when on_1_april > 0 then 'one on 1 April' else 'none on 1 April' end
        || coalesce('; new placements ' || move_dates, '') || ')' as record
from placements

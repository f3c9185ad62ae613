-- id: lac_placed_outside_and_far
-- title: Children looked after placed outside the council's area and more than 20 miles from home
-- definition: Of the children looked after on 31 March, the share placed both outside the council's own area and more than 20 miles from the home they came from: the furthest away.
--   Distance is measured between the centres of the home and placement postcode districts.
--   Children whose home or placement postcode is missing or not in the district table are
--   listed but left out of both sides. Short breaks (respite) are left out.
-- numerator: children looked after on 31 March placed outside the area and more than 20 miles away
-- denominator: children looked after on 31 March whose home and placement districts are known
-- better: lower
-- unit: percent
-- sources: ssda903_episodes_clean.child, ssda903_episodes_clean.home_post,
--   ssda903_episodes_clean.pl_post, ssda903_episodes_clean.decom, ssda903_episodes_clean.dec,
--   ssda903_episodes.year
-- benchmark: none
with years as (select distinct year from ssda903_episodes),
current_placement as (
    select
        y.year, e.child,
        max(split_part(upper(trim(e.home_post)), ' ', 1)) as home_district,
        max(split_part(upper(trim(e.pl_post)), ' ', 1)) as placement_district
    from years as y
    join ssda903_episodes_clean as e
        on e.decom <= make_date(y.year, 3, 31)
        and (e.dec is null or e.dec > make_date(y.year, 3, 31))
    where coalesce(e.ls, '') not in ('V3', 'V4')
    group by y.year, e.child
),
placed as (
    select
        c.*, m.miles, d.la_code as placement_la,
        coalesce(d.la_code <> council.la_code, false) as outside
    from current_placement as c
    left join district_miles as m
        on m.from_district = c.home_district and m.to_district = c.placement_district
    left join postcode_districts as d on d.district = c.placement_district
    cross join measure_council as council
)
select
    p.year,
    p.child as subject_id,
    case when p.miles is not null and (p.miles > 20 and p.outside) then 1 else 0 end as numerator,
    case when p.miles is null then 0 else 1 end as denominator,
    case when p.miles is null then 'left out, district not known: ' else '' end
        || 'home ' || coalesce(p.home_district, '?') || ', placed in '
        || coalesce(p.placement_district, '?') || ' (council ' || coalesce(p.placement_la, '?')
        || '), ' || coalesce(cast(round(p.miles, 1) as varchar), '?') || ' miles' as record
from placed as p

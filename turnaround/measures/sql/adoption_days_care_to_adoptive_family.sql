-- id: adoption_days_care_to_adoptive_family
-- title: Average days from entering care to moving in with the adoptive family
-- definition: For the children adopted in the year, the average number of days between coming
--   into care and moving in with the family who adopted them (the DfE's adoption scorecard
--   measure A10). Moving in is the day the child started living with the carers they were
--   with when first placed for adoption (the last new carers, RNE S, P or B, before it), so
--   when foster carers adopt it is the day the child moved in with them;
--   where no placement for adoption is recorded, the start of the child's last placement.
--   A child whose coming into care is not in the returns loaded (the first episode seen is
--   not a new period of care, RNE S) is listed but left out of the average.
-- numerator: the sum, over children adopted in the year, of days from entering care to moving
--   in with the adoptive family
-- denominator: children adopted in the year (period of care ended with reason E11 or E12)
-- better: lower
-- unit: days
-- sources: ssda903_episodes_clean.child, ssda903_episodes_clean.decom,
--   ssda903_episodes_clean.dec, ssda903_episodes_clean.rec, ssda903_episodes_clean.place,
--   ssda903_episodes_clean.period_of_care,
--   ssda903_episodes_clean.rne, ssda903_episodes.year
-- benchmark: none
with years as (select distinct year from ssda903_episodes),
adopted as (
    select child, period_of_care, dec as adopted_on
    from ssda903_episodes_clean
    where rec in ('E11', 'E12') and dec is not null
),
journeys as (
    select
        a.child, a.adopted_on,
        min(e.decom) as entered_care,
        bool_or(e.rne = 'S') as start_known,
        min(e.decom) filter (where e.place in ('A1', 'A2', 'A3', 'A4', 'A5', 'A6'))
            as placed_for_adoption
    from adopted as a
    join ssda903_episodes_clean as e
        on e.child = a.child and e.period_of_care = a.period_of_care
    group by a.child, a.adopted_on
),
moves as (
    select
        j.*,
        max(e.decom) as moved_in
    from journeys as j
    join ssda903_episodes_clean as e
        on e.child = j.child and e.rne in ('S', 'P', 'B')
        and e.decom between j.entered_care and coalesce(j.placed_for_adoption, j.adopted_on)
    group by all
)
select
    y.year,
    m.child as subject_id,
    case when m.start_known then m.moved_in - m.entered_care else 0 end as numerator,
    case when m.start_known then 1 else 0 end as denominator,
    case when m.start_known then '' else 'left out, start of care not loaded: ' end
        || 'entered care ' || cast(m.entered_care as varchar) || '; moved in with adoptive family '
        || cast(m.moved_in as varchar)
        || case when m.placed_for_adoption is null then ' (no placement for adoption recorded)'
            else '' end
        || '; adopted ' || cast(m.adopted_on as varchar) as record
from years as y
join moves as m on m.adopted_on between make_date(y.year - 1, 4, 1) and make_date(y.year, 3, 31)

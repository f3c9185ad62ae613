-- id: referrals_per_10k
-- title: Referrals per 10,000 children
-- definition: How many referrals to children's social care started in the year, for every
--   10,000 children living in the area. Every referral counts, so a child referred twice in
--   the year counts twice.
-- numerator: referrals whose referral date falls in the year (1 April to 31 March)
-- denominator: children aged 0 to 17 living in the area (ONS mid-year estimate)
-- better: neither
-- unit: per10k
-- sources: cin_episodes.child_id, cin_episodes.referral_date
-- benchmark: c1.referral_count
with referrals as (
    select distinct year, child_id, referral_date
    from cin_episodes
    where referral_date between make_date(year - 1, 4, 1) and make_date(year, 3, 31)
)
select
    year,
    child_id || ' ' || cast(referral_date as varchar) as subject_id,
    1 as numerator,
    0 as denominator,
    'referral on ' || cast(referral_date as varchar) as record
from referrals

-- id: rereferrals_12m
-- title: Re-referrals within 12 months
-- definition: Of the referrals that started in the year, the share that came within 12 months
--   of an earlier referral of the same child. A high rate can mean cases were closed too soon;
--   a very low one can mean the front door is turning children away.
-- numerator: referrals in the year made within 12 months of the child's previous referral
-- denominator: referrals whose referral date falls in the year
-- better: neither
-- unit: percent
-- sources: cin_episodes.child_id, cin_episodes.referral_date
-- benchmark: c1.rereferral_percent
with all_referrals as (
    select distinct child_id, referral_date from cin_episodes where referral_date is not null
),
referrals as (
    select distinct year, child_id, referral_date
    from cin_episodes
    where referral_date between make_date(year - 1, 4, 1) and make_date(year, 3, 31)
),
previous as (
    select r.year, r.child_id, r.referral_date, max(p.referral_date) as previous_referral
    from referrals as r
    left join all_referrals as p
        on p.child_id = r.child_id
        and p.referral_date < r.referral_date
        and p.referral_date >= r.referral_date - interval 12 month
    group by r.year, r.child_id, r.referral_date
)
select
    year,
    child_id || ' ' || cast(referral_date as varchar) as subject_id,
    case when previous_referral is null then 0 else 1 end as numerator,
    1 as denominator,
    'referral on ' || cast(referral_date as varchar)
        || coalesce('; previous referral ' || cast(previous_referral as varchar), '')
        as record
from previous

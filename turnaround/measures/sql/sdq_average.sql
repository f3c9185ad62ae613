-- id: sdq_average
-- title: Average Strengths and Difficulties Questionnaire score
-- definition: The average SDQ score of the children looked after for a year or more on
--   31 March who had one (usually those aged 4 or 5 to 16). The score runs from 0 to 40;
--   higher means more emotional and behavioural difficulty, and 17 or more is a cause for
--   concern.
-- numerator: the sum of the children's SDQ scores
-- denominator: children looked after for 12 months or more on 31 March with an SDQ score
-- better: lower
-- unit: ratio
-- sources: ssda903_oc2.child, ssda903_oc2.sdq_score
-- benchmark: none
select
    year,
    child as subject_id,
    max(sdq_score) as numerator,
    1 as denominator,
    'SDQ score ' || cast(max(sdq_score) as varchar) as record
from ssda903_oc2
where sdq_score is not null
group by year, child

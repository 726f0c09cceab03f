-- pattern_extension_by_judge — per court, case type and judge: the cases, and those with an approved extension.
-- One row per (court_id, case_type, judge_id) over the trial and enforcement cases filed by $as_of that have a
-- judge: n = cases whose extension count is known, extended = cases with at least one approved deadline
-- extension (cases.extensions > 0), unknown = cases whose count is empty (left out of n, never read as 0).
-- Params: $as_of. Read by: detectors/patterns/extension_approval_concentration.py.
SELECT c.court_id, c.case_type, c.judge_id,
       count(c.extensions) AS n,
       count(*) FILTER (WHERE c.extensions > 0) AS extended,
       count(*) - count(c.extensions) AS unknown
FROM cases c
WHERE c.judge_id IS NOT NULL AND c.filed_on <= $as_of
  AND c.case_kind IN ('criminal', 'civil', 'administrative', 'enforcement')
GROUP BY c.court_id, c.case_type, c.judge_id
ORDER BY c.court_id, c.case_type, c.judge_id

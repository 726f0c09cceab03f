-- brief_termination_by_court_month — enforcement cases closed, and how many of them by 终本, per court and month.
-- One row per court and calendar month with at least one enforcement case (执 / 执恢, the 执行实施 cases
-- a 终本 share is taken over) closed between $start and $end: court_id, month (first day), closed_cases,
-- terminated_this_round (close_method = terminated_this_round), terminated_share.
-- Basis of the measure: 法〔2016〕373号 (终结本次执行程序); the share is a workload figure, not a warning.
-- Params: $start, $end (DATE), $court_ids (VARCHAR[]), $all_courts (BOOLEAN: every court, listed or not). Read by: courtwatch/reporting/figures.py (termination_share_*).
SELECT c.court_id,
       date_trunc('month', c.closed_on)::DATE AS month,
       count(*) AS closed_cases,
       count(*) FILTER (WHERE c.close_method = 'terminated_this_round') AS terminated_this_round,
       count(*) FILTER (WHERE c.close_method = 'terminated_this_round') / count(*) AS terminated_share
FROM cases c
WHERE c.case_kind = 'enforcement' AND c.case_type IN ('执', '执恢')
  AND c.closed_on BETWEEN $start AND $end
  AND ($all_courts::BOOLEAN OR list_contains($court_ids::VARCHAR[], c.court_id))
GROUP BY ALL
ORDER BY c.court_id, month

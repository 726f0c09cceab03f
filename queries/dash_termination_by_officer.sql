-- dash_termination_by_officer — each enforcement officer's crude 终本 share, for the funnel plot.
-- One row per officer (cases.judge_id) and court: closed = enforcement cases closed in the period with a
-- known close method, terminated = those closed by 终结本次执行程序 (terminated_this_round).
-- Crude counts, not case-mix adjusted (the termination-rate detector adjusts; its evidence says by how much).
-- Params: $start, $end (closing dates, inclusive). Read by: dashboard/data.py (termination_funnel).
SELECT c.judge_id, c.court_id, count(*) AS closed,
       count(*) FILTER (WHERE c.close_method = 'terminated_this_round') AS terminated
FROM cases c
WHERE c.case_kind = 'enforcement' AND c.judge_id IS NOT NULL AND c.close_method IS NOT NULL
  AND c.closed_on BETWEEN $start::DATE AND $end::DATE
GROUP BY c.judge_id, c.court_id
ORDER BY c.judge_id, c.court_id

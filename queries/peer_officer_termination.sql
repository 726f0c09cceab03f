-- peer_officer_termination — every enforcement officer's crude 终本 share across the whole database, with only
-- the caller's own officers identified: the funnel plot's limits then rest on the province's officers even for
-- a user who sees one court.
-- One row per officer (cases.judge_id) and court: judge_id and court_id when the court is in $scope_courts,
-- else NULL (an anonymous officer of another court); in_scope; closed = enforcement cases closed in the period
-- with a known close method; terminated = those closed by 终结本次执行程序 (terminated_this_round).
-- Crude counts, as dash_termination_by_officer.sql. Params: $start, $end, $scope_courts (VARCHAR[]).
-- Read by: dashboard/data_people.py (termination_funnel) through dashboard/data.py (peer_load).
SELECT CASE WHEN c.court_id IN (SELECT unnest($scope_courts::VARCHAR[])) THEN c.judge_id END AS judge_id,
       CASE WHEN c.court_id IN (SELECT unnest($scope_courts::VARCHAR[])) THEN c.court_id END AS court_id,
       c.court_id IN (SELECT unnest($scope_courts::VARCHAR[])) AS in_scope,
       count(*) AS closed,
       count(*) FILTER (WHERE c.close_method = 'terminated_this_round') AS terminated
FROM cases c
WHERE c.case_kind = 'enforcement' AND c.judge_id IS NOT NULL AND c.close_method IS NOT NULL
  AND c.closed_on BETWEEN $start::DATE AND $end::DATE
GROUP BY c.judge_id, c.court_id
ORDER BY in_scope DESC, closed DESC, terminated DESC

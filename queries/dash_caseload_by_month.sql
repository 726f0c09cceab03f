-- dash_caseload_by_month — cases filed and closed per month and case kind (plain case data, no warnings).
-- One row per (month, case_kind): month (first day), filed, closed.
-- Params: $start, $end (dates, inclusive), $court_ids (list of court_ids; NULL = every court),
--         $judge_id (NULL = every judge). Read by: dashboard/data.py (caseload) for the overview and profiles.
WITH scoped AS (
    SELECT case_kind, filed_on, closed_on FROM cases
    WHERE ($court_ids::VARCHAR[] IS NULL OR list_contains($court_ids::VARCHAR[], court_id))
      AND ($judge_id::VARCHAR IS NULL OR judge_id = $judge_id::VARCHAR)
),
happened AS (
    SELECT date_trunc('month', filed_on)::DATE AS month, case_kind, 1 AS filed, 0 AS closed
    FROM scoped WHERE filed_on BETWEEN $start::DATE AND $end::DATE
    UNION ALL
    SELECT date_trunc('month', closed_on)::DATE, case_kind, 0, 1
    FROM scoped WHERE closed_on BETWEEN $start::DATE AND $end::DATE
)
SELECT month, coalesce(case_kind, 'other') AS case_kind, sum(filed)::BIGINT AS filed, sum(closed)::BIGINT AS closed
FROM happened
GROUP BY ALL
ORDER BY month, case_kind

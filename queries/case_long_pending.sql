-- case_long_pending — 长期未结: cases still pending more than $months months after filing, as of $as_of.
-- One row per case not closed by $as_of whose filing date is more than $months months before it (natural
-- days since filing, as the courts' 长期未结 statistics count them: extensions and suspensions do not
-- stop this clock). violated: TRUE; NULL when the filing date of a pending case is unknown (skipped).
-- Figures: days pending; the recorded extensions, deducted days (E6) and suspensions, and whether the
-- case is suspended now (a suspension with no suspension_end after it) — the lawful reasons a case can
-- stay open that long, which the reviewer weighs.
-- Params: $as_of, $months. Read by: detectors/rules/case_long_pending.py.
WITH pending AS (
    SELECT c.case_id, c.judge_id, c.court_id, c.case_type, c.procedure, c.filed_on, c.extensions, c.deducted_days
    FROM cases c
    WHERE (c.closed_on IS NULL OR c.closed_on > $as_of)
      AND (c.filed_on IS NULL OR c.filed_on + to_months($months) < $as_of)
),
suspensions AS (
    SELECT s.case_id, s.occurred_at,
           min(e.occurred_at) AS ended_at
    FROM events s
    LEFT JOIN events e ON e.case_id = s.case_id AND e.event = 'suspension_end' AND e.occurred_at >= s.occurred_at
    WHERE s.event = 'suspension' AND s.occurred_at IS NOT NULL AND CAST(s.occurred_at AS DATE) <= $as_of
      AND s.case_id IN (SELECT case_id FROM pending)
    GROUP BY s.case_id, s.occurred_at
),
suspended AS (
    SELECT case_id, count(*) AS suspensions,
           bool_or(ended_at IS NULL OR CAST(ended_at AS DATE) > $as_of) AS suspended_now
    FROM suspensions GROUP BY case_id
)
SELECT p.case_id AS subject_id, p.case_id, p.judge_id, p.court_id, p.case_type, p.procedure, p.filed_on,
       date_diff('day', p.filed_on, $as_of) AS days_pending, $months AS threshold_months, p.extensions, p.deducted_days,
       coalesce(s.suspensions, 0) AS suspensions, coalesce(s.suspended_now, FALSE) AS suspended_now,
       CASE WHEN p.filed_on IS NULL THEN NULL ELSE TRUE END AS violated,
       least(0.79, 0.25 + 0.3 * CAST(date_diff('day', p.filed_on, $as_of) AS DOUBLE) / 365) AS score
FROM pending p LEFT JOIN suspended s ON s.case_id = p.case_id
ORDER BY p.case_id

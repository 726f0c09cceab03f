-- zb_no_inquiry_after_termination (Spark SQL) — 终本 cases left more than six months without a property inquiry after termination.
-- One row per 终本 case where some gap between termination, successive
-- post_termination_inquiry events and the as-of date (within the
-- :duty_years-year duty) exceeds :max_months months. Cases terminated fewer
-- than :max_months months before :as_of cannot be late yet and are not listed.
-- Same question as queries/zb_no_inquiry_after_termination.sql, in Spark's
-- words: add_months for DuckDB's date + to_months()/to_years() (both clamp to
-- the month's last day), datediff(DAY, a, b) for date_diff('day', a, b), and a
-- DOUBLE literal in the score (a decimal 730.0 would truncate the quotient).
-- Basis: 法〔2016〕373号 art. 9. Params: :as_of, :max_months, :duty_years.
-- Read by: courtwatch/pipeline/spark_engine.py → detectors/rules/zb_no_inquiry_after_termination.py.
WITH terminated AS (
    SELECT case_id, judge_id, court_id, closed_on,
           least(CAST(:as_of AS DATE), add_months(closed_on, 12 * :duty_years)) AS duty_until
    FROM cases
    WHERE case_kind = 'enforcement' AND close_method = 'terminated_this_round'
      AND closed_on IS NOT NULL AND add_months(closed_on, :max_months) < CAST(:as_of AS DATE)
),
points AS (
    SELECT case_id, closed_on AS on_date FROM terminated
    UNION ALL
    SELECT t.case_id, CAST(ev.occurred_at AS DATE)
    FROM events ev JOIN terminated t USING (case_id)
    WHERE ev.event = 'post_termination_inquiry'
      AND CAST(ev.occurred_at AS DATE) >= t.closed_on AND CAST(ev.occurred_at AS DATE) <= t.duty_until
    UNION ALL
    SELECT case_id, duty_until FROM terminated
),
gaps AS (
    SELECT case_id, on_date AS gap_from,
           lead(on_date) OVER (PARTITION BY case_id ORDER BY on_date) AS gap_to
    FROM points
),
ranked AS (
    -- the longest gap, the earliest of equally long ones (as in the DuckDB query)
    SELECT *, row_number() OVER (PARTITION BY case_id
                                 ORDER BY datediff(DAY, gap_from, gap_to) DESC, gap_from) AS longest_rank
    FROM gaps WHERE gap_to IS NOT NULL
),
worst AS (
    SELECT case_id,
           max(datediff(DAY, gap_from, gap_to)) AS longest_gap_days,
           max(gap_from) FILTER (WHERE longest_rank = 1) AS longest_gap_from,
           max(gap_to) FILTER (WHERE longest_rank = 1) AS longest_gap_to,
           count(*) - 1 AS inquiries_after_termination,
           bool_or(gap_to > add_months(gap_from, :max_months)) AS violated
    FROM ranked
    GROUP BY case_id
)
SELECT t.case_id AS subject_id, t.case_id, t.judge_id, t.court_id, t.closed_on,
       w.longest_gap_days, w.longest_gap_from, w.longest_gap_to,
       w.inquiries_after_termination,
       w.violated,
       least(1.0D, 0.5D + w.longest_gap_days / 730.0D) AS score
FROM terminated t JOIN worst w USING (case_id)
WHERE w.violated
ORDER BY t.case_id

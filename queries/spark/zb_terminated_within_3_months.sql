-- zb_terminated_within_3_months (Spark SQL) — 终本 cases terminated within three months of filing.
-- One row per 终本 (terminated_this_round) enforcement case that is not known to
-- comply: violated = TRUE when closed_on ≤ filed_on + :min_months months,
-- NULL when a date is unknown (the detector counts those as skipped).
-- Same question as queries/zb_terminated_within_3_months.sql; Spark has no
-- to_months() interval constructor, so add_months (which, like DuckDB's
-- date + INTERVAL, clamps 31 Jan + 1 month to the month's last day).
-- Params: :min_months. Read by: courtwatch/pipeline/spark_engine.py → detectors/rules/zb_terminated_within_3_months.py.
SELECT c.case_id AS subject_id, c.case_id, c.judge_id, c.court_id,
       c.filed_on, c.closed_on,
       datediff(DAY, c.filed_on, c.closed_on) AS days_to_termination,
       c.closed_on <= add_months(c.filed_on, :min_months) AS violated,
       1.0 AS score
FROM cases c
WHERE c.case_kind = 'enforcement'
  AND c.close_method = 'terminated_this_round'
  AND (c.closed_on <= add_months(c.filed_on, :min_months)) IS NOT FALSE
ORDER BY c.case_id

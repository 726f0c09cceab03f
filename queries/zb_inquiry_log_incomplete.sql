-- zb_inquiry_log_incomplete — courts whose post-termination inquiry log is evidently incomplete (a data-quality note).
-- One row per court with at least $log_min_cases 终本 cases whose six-monthly inquiry duty (法〔2016〕373号
-- 第九条) has run more than $max_months months, and at least $log_incomplete_share of them with no
-- post_termination_inquiry logged at all: inquiries made in batches (总对总) and not written to each case,
-- rather than a court that queries nothing. zb_no_inquiry_after_termination abstains on the court's cases
-- instead of warning on every one; the definition is the same (tests/test_law_audit.py).
-- Params: $as_of, $max_months, $duty_years, $log_min_cases, $log_incomplete_share.
-- Read by: detectors/rules/zb_inquiry_log_incomplete.py. Twin: queries/spark/zb_inquiry_log_incomplete.sql.
WITH
-- include: termination_inquiries
SELECT court_id AS subject_id, CAST(NULL AS VARCHAR) AS case_id, CAST(NULL AS VARCHAR) AS judge_id, court_id,
       due_cases, unlogged_cases, TRUE AS violated, 0.5 AS score
FROM log_incomplete
WHERE incomplete
ORDER BY court_id

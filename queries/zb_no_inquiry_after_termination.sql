-- zb_no_inquiry_after_termination — 终本 cases whose six-monthly property inquiry (or its report to the applicant) is missing.
-- One row per 终本 case not known to comply, violated = TRUE when
--   gap_late: some gap between termination, successive post_termination_inquiry events and the end of
--     the duty exceeds $max_months months — the duty lasts $duty_years years, ends at $as_of, and ends
--     on the day a `resumption` event moves it to the resumed case (执恢); or
--   never_told: inquiries were made but the applicant was never told a result (no inquiry_result_notified
--     event, contract extension E5) — checked only in a court whose log records such notices at all;
-- NULL for every case of a court whose inquiry log is evidently incomplete (at least $log_min_cases cases
-- due an inquiry, and $log_incomplete_share of them with none logged: batch 总对总 inquiries not written to
-- the case) — zb_inquiry_log_incomplete says so once for the court, with the same definition.
-- Cases terminated fewer than $max_months months before $as_of cannot be late yet and are not listed.
-- Basis: 法〔2016〕373号 第九条第二款 (每六个月查询一次，并将查询结果告知申请执行人; five years).
-- Params: $as_of, $max_months, $duty_years, $log_min_cases, $log_incomplete_share.
-- Read by: detectors/rules/zb_no_inquiry_after_termination.py. Twin: queries/spark/zb_no_inquiry_after_termination.sql.
WITH
-- include: termination_inquiries
,
notified AS (  -- every result notice with its case's court: one join serves both uses below
    SELECT c.case_id AS case_key, c.court_id, ev.occurred_at::DATE >= c.closed_on AS after_termination
    FROM events ev JOIN cases c ON c.case_id = ev.case_id
    WHERE ev.event = 'inquiry_result_notified'
),
told AS (
    SELECT case_key, count(*) AS notifications
    FROM notified
    WHERE after_termination
    GROUP BY case_key
),
notifying_courts AS (
    SELECT DISTINCT court_id FROM notified
),
judged AS (
    SELECT t.*, w.longest_gap_days, w.longest_gap_from, w.longest_gap_to, w.inquiries_after_termination,
           coalesce(k.notifications, 0) AS notifications, w.gap_late,
           n.court_id IS NOT NULL AND w.inquiries_after_termination > 0 AND coalesce(k.notifications, 0) = 0 AS never_told,
           coalesce(l.incomplete, FALSE) AS log_incomplete
    FROM terminated t
    JOIN worst w ON w.case_key = t.case_key
    LEFT JOIN told k ON k.case_key = t.case_key
    LEFT JOIN notifying_courts n ON n.court_id = t.court_id
    LEFT JOIN log_incomplete l ON l.court_id = t.court_id
)
SELECT case_id AS subject_id, case_id, judge_id, court_id, closed_on, resumed_on, duty_until,
       longest_gap_days, longest_gap_from, longest_gap_to, inquiries_after_termination, notifications,
       gap_late, never_told,
       CASE WHEN log_incomplete THEN NULL WHEN gap_late OR never_told THEN TRUE ELSE FALSE END AS violated,
       least(1.0, 0.5 + longest_gap_days / 730.0) AS score
FROM judged
WHERE log_incomplete OR gap_late OR never_told
ORDER BY case_id

-- zb_no_inquiry_after_termination (Spark SQL) — 终本 cases whose six-monthly property inquiry (or its report to the applicant) is missing.
-- Same rows as queries/zb_no_inquiry_after_termination.sql, in Spark's words: add_months for DuckDB's date + to_months()/to_years()
-- (both clamp to the month's last day), datediff(DAY, a, b) for date_diff, CAST for ::, DOUBLE literals.
-- One row per 终本 case not known to comply, violated = TRUE when
--   gap_late: some gap between termination, successive post_termination_inquiry events and the end of
--     the duty exceeds :max_months months — the duty lasts :duty_years years, ends at :as_of, and ends
--     on the day a `resumption` event moves it to the resumed case (执恢); or
--   never_told: inquiries were made but the applicant was never told a result (no inquiry_result_notified
--     event, contract extension E5) — checked only in a court whose log records such notices at all;
-- NULL for every case of a court whose inquiry log is evidently incomplete (at least :log_min_cases cases
-- due an inquiry, and :log_incomplete_share of them with none logged: batch 总对总 inquiries not written to
-- the case) — zb_inquiry_log_incomplete says so once for the court, with the same definition.
-- Cases terminated fewer than :max_months months before :as_of cannot be late yet and are not listed.
-- Basis: 法〔2016〕373号 第九条第二款 (每六个月查询一次，并将查询结果告知申请执行人; five years).
-- Params: :as_of, :max_months, :duty_years, :log_min_cases, :log_incomplete_share.
-- Read by: courtwatch/pipeline/spark_engine.py → detectors/rules/zb_no_inquiry_after_termination.py.
WITH
-- include: termination_inquiries
,
told AS (
    SELECT t.case_id, count(*) AS notifications
    FROM events ev JOIN terminated t ON t.case_id = ev.case_id
    WHERE ev.event = 'inquiry_result_notified' AND CAST(ev.occurred_at AS DATE) >= t.closed_on
    GROUP BY t.case_id
),
notifying_courts AS (
    SELECT DISTINCT c.court_id FROM events ev JOIN cases c ON c.case_id = ev.case_id
    WHERE ev.event = 'inquiry_result_notified'
),
judged AS (
    SELECT t.*, w.longest_gap_days, w.longest_gap_from, w.longest_gap_to, w.inquiries_after_termination,
           coalesce(k.notifications, 0) AS notifications, w.gap_late,
           n.court_id IS NOT NULL AND w.inquiries_after_termination > 0 AND coalesce(k.notifications, 0) = 0 AS never_told,
           coalesce(l.incomplete, FALSE) AS log_incomplete
    FROM terminated t
    JOIN worst w ON w.case_id = t.case_id
    LEFT JOIN told k ON k.case_id = t.case_id
    LEFT JOIN notifying_courts n ON n.court_id = t.court_id
    LEFT JOIN log_incomplete l ON l.court_id = t.court_id
)
SELECT case_id AS subject_id, case_id, judge_id, court_id, closed_on, resumed_on, duty_until,
       longest_gap_days, longest_gap_from, longest_gap_to, inquiries_after_termination, notifications,
       gap_late, never_told,
       CASE WHEN log_incomplete THEN NULL WHEN gap_late OR never_told THEN TRUE ELSE FALSE END AS violated,
       least(1.0D, 0.5D + longest_gap_days / 730.0D) AS score
FROM judged
WHERE log_incomplete OR gap_late OR never_told
ORDER BY case_id

-- zb_online_inquiry_stale — 终本 cases whose last online inquiry was long before termination (a heuristic).
-- One row per 终本 case with an online inquiry (网络执行查控) recorded on or before closed_on and not known
-- to have one within $window_months months before it: violated = TRUE when the latest recorded inquiry
-- on or before closed_on (enforcement.last_online_inquiry_on, online_inquiry events) is earlier than
-- closed_on − $window_months months; NULL when closed_on is unknown, or a count says there were inquiries
-- but no date is known. A case with no inquiry at all is zb_no_online_inquiry (a written rule), not here.
-- A heuristic: 法〔2016〕373号 第三条 requires the online inquiry among the investigations before 终本 but
-- names no period; the window (config [rules] zb_online_inquiry_window_months, six months — the interval
-- 第九条 sets for inquiries after termination) is how current an investigation must be to count.
-- Params: $window_months. Read by: detectors/rules/zb_online_inquiry_stale.py. Twin: queries/spark/zb_online_inquiry_stale.sql.
WITH zb AS (
    SELECT c.case_id, c.judge_id, c.court_id, c.filed_on, c.closed_on, e.online_inquiries, e.last_online_inquiry_on
    FROM cases c
    LEFT JOIN enforcement e ON e.case_id = c.case_id
    WHERE c.case_kind = 'enforcement' AND c.close_method = 'terminated_this_round'
),
logged AS (
    -- looked up only for the cases the enforcement record does not already show current (an inquiry
    -- within the window, on or before termination): the log cannot make those stale
    SELECT z.case_id, max(ev.occurred_at::DATE) AS last_logged_on
    FROM events ev JOIN zb z ON z.case_id = ev.case_id
    WHERE ev.event = 'online_inquiry' AND ev.occurred_at::DATE <= z.closed_on
      AND NOT coalesce(z.last_online_inquiry_on <= z.closed_on
                       AND z.last_online_inquiry_on >= z.closed_on - to_months($window_months), FALSE)
    GROUP BY z.case_id
),
judged AS (
    SELECT z.*, l.last_logged_on,
           greatest(CASE WHEN z.last_online_inquiry_on <= z.closed_on THEN z.last_online_inquiry_on END,
                    l.last_logged_on) AS last_inquiry_on
    FROM zb z LEFT JOIN logged l ON l.case_id = z.case_id
)
SELECT case_id AS subject_id, case_id, judge_id, court_id, filed_on, closed_on, online_inquiries, last_inquiry_on,
       date_diff('day', last_inquiry_on, closed_on) AS days_before_termination,
       CASE WHEN closed_on IS NULL THEN NULL
            WHEN last_inquiry_on IS NULL THEN CASE WHEN online_inquiries > 0 THEN NULL ELSE FALSE END
            ELSE last_inquiry_on < closed_on - to_months($window_months) END AS violated,
       0.6 AS score
FROM judged
WHERE (CASE WHEN closed_on IS NULL THEN NULL
            WHEN last_inquiry_on IS NULL THEN CASE WHEN online_inquiries > 0 THEN NULL ELSE FALSE END
            ELSE last_inquiry_on < closed_on - to_months($window_months) END) IS NOT FALSE
ORDER BY case_id

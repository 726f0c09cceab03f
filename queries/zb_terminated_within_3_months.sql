-- zb_terminated_within_3_months — 终本 cases terminated within three months of filing.
-- One row per 终本 (terminated_this_round) enforcement case that is not known to
-- comply: violated = TRUE when closed_on ≤ filed_on + $min_months months,
-- NULL when a date is unknown (the detector counts those as skipped).
-- Basis: 法〔2016〕373号 art. 1(4), "自立案之日起已超过三个月".
-- Params: $min_months. Read by: detectors/rules/zb_terminated_within_3_months.py.
SELECT c.case_id AS subject_id, c.case_id, c.judge_id, c.court_id,
       c.filed_on, c.closed_on,
       date_diff('day', c.filed_on, c.closed_on) AS days_to_termination,
       c.closed_on <= c.filed_on + to_months($min_months) AS violated,
       1.0 AS score
FROM cases c
WHERE c.case_kind = 'enforcement'
  AND c.close_method = 'terminated_this_round'
  AND (c.closed_on <= c.filed_on + to_months($min_months)) IS NOT FALSE
ORDER BY c.case_id

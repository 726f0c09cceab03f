-- zb_no_notice_or_report_order — 终本 cases with no recorded execution notice or property-report order before termination.
-- One row per 终本 case not known to comply: violated = TRUE when notice_on or
-- report_order_on is absent from the record or dated after closed_on; NULL when
-- the case has no enforcement record at all (skipped).
-- Basis: 法〔2016〕373号 art. 1(1). Params: none. Read by: detectors/rules/zb_no_notice_or_report_order.py.
SELECT c.case_id AS subject_id, c.case_id, c.judge_id, c.court_id,
       c.filed_on, c.closed_on, e.notice_on, e.report_order_on,
       CASE WHEN e.case_id IS NULL OR c.closed_on IS NULL THEN NULL
            ELSE e.notice_on IS NULL OR e.report_order_on IS NULL
                 OR e.notice_on > c.closed_on OR e.report_order_on > c.closed_on END AS violated,
       1.0 AS score
FROM cases c
LEFT JOIN enforcement e USING (case_id)
WHERE c.case_kind = 'enforcement' AND c.close_method = 'terminated_this_round'
  AND (CASE WHEN e.case_id IS NULL OR c.closed_on IS NULL THEN NULL
            ELSE e.notice_on IS NULL OR e.report_order_on IS NULL
                 OR e.notice_on > c.closed_on OR e.report_order_on > c.closed_on END) IS NOT FALSE
ORDER BY c.case_id

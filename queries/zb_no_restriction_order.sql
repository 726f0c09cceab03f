-- zb_no_restriction_order — 终本 cases with no consumption-restriction order before termination.
-- One row per 终本 case not known to comply: violated = TRUE when
-- restriction_order_on is absent or after closed_on; NULL without an enforcement record.
-- Basis: 法〔2016〕373号 art. 1(2). Params: none. Read by: detectors/rules/zb_no_restriction_order.py.
SELECT c.case_id AS subject_id, c.case_id, c.judge_id, c.court_id,
       c.filed_on, c.closed_on, e.restriction_order_on, e.dishonest_listed_on,
       CASE WHEN e.case_id IS NULL OR c.closed_on IS NULL THEN NULL
            ELSE e.restriction_order_on IS NULL OR e.restriction_order_on > c.closed_on END AS violated,
       1.0 AS score
FROM cases c
LEFT JOIN enforcement e USING (case_id)
WHERE c.case_kind = 'enforcement' AND c.close_method = 'terminated_this_round'
  AND (CASE WHEN e.case_id IS NULL OR c.closed_on IS NULL THEN NULL
            ELSE e.restriction_order_on IS NULL OR e.restriction_order_on > c.closed_on END) IS NOT FALSE
ORDER BY c.case_id

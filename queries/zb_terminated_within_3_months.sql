-- zb_terminated_within_3_months — 终本 cases terminated before three months had passed since filing.
-- One row per 终本 (terminated_this_round) enforcement case not known to comply: violated = TRUE when
-- closed_on ≤ filed_on + $min_months months (法〔2016〕373号 第一条第（四）项 requires 自立案之日起已超过三个月:
-- three months exactly is not more) and enforcement.termination_basis (contract extension E3) is `standard`;
-- FALSE for the grounds the three-month condition does not bind (法发〔2014〕26号 第十六条: instalment
-- settlement, the applicant's written consent where no property was found, a claimant in special hardship
-- given relief); NULL when a date or the ground is unknown (the detector counts those as skipped).
-- The clock runs from this case's own filing: a case transferred in or 指定执行 is filed anew at the receiving
-- court (the transferring court closes with 终结执行), so its three months restart there.
-- Params: $min_months. Read by: detectors/rules/zb_terminated_within_3_months.py. Twin: queries/spark/zb_terminated_within_3_months.sql.
SELECT c.case_id AS subject_id, c.case_id, c.judge_id, c.court_id,
       c.filed_on, c.closed_on, e.termination_basis,
       date_diff('day', c.filed_on, c.closed_on) AS days_to_termination,
       CASE WHEN c.filed_on IS NULL OR c.closed_on IS NULL THEN NULL
            WHEN c.closed_on > c.filed_on + to_months($min_months) THEN FALSE
            WHEN e.termination_basis IS NULL THEN NULL
            ELSE e.termination_basis = 'standard' END AS violated,
       1.0 AS score
FROM cases c
LEFT JOIN enforcement e ON e.case_id = c.case_id
WHERE c.case_kind = 'enforcement'
  AND c.close_method = 'terminated_this_round'
  AND (CASE WHEN c.filed_on IS NULL OR c.closed_on IS NULL THEN NULL
            WHEN c.closed_on > c.filed_on + to_months($min_months) THEN FALSE
            WHEN e.termination_basis IS NULL THEN NULL
            ELSE e.termination_basis = 'standard' END) IS NOT FALSE
ORDER BY c.case_id

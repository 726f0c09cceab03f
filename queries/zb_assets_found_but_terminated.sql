-- zb_assets_found_but_terminated — 终本 cases terminated although property of substantial value was found.
-- One row per 终本 case not known to comply: violated = TRUE when assets_found_value
-- ≥ $min_share × outstanding claim (claim − recovered, never below 0) and ≥ $min_yuan;
-- NULL when the value or the claim is unknown (greatest() skips NULL, so the
-- unknown claim is tested explicitly).
-- Basis: 法〔2016〕373号 art. 1(3) (only property that cannot be disposed of may remain).
-- Params: $min_share, $min_yuan. Read by: detectors/rules.py.
SELECT c.case_id AS subject_id, c.case_id, c.judge_id, c.court_id,
       c.closed_on, c.claim_amount, e.recovered_amount, e.assets_found_value,
       (CASE WHEN c.claim_amount IS NOT NULL THEN greatest(c.claim_amount - coalesce(e.recovered_amount, 0), 0) END) AS outstanding,
       e.assets_found_value >= $min_share * (CASE WHEN c.claim_amount IS NOT NULL THEN greatest(c.claim_amount - coalesce(e.recovered_amount, 0), 0) END)
           AND e.assets_found_value >= $min_yuan AS violated,
       least(1.0, 0.6 + 0.4 * e.assets_found_value
             / nullif((CASE WHEN c.claim_amount IS NOT NULL THEN greatest(c.claim_amount - coalesce(e.recovered_amount, 0), 0) END), 0)) AS score
FROM cases c
LEFT JOIN enforcement e USING (case_id)
WHERE c.case_kind = 'enforcement' AND c.close_method = 'terminated_this_round'
  AND (e.assets_found_value >= $min_share * (CASE WHEN c.claim_amount IS NOT NULL THEN greatest(c.claim_amount - coalesce(e.recovered_amount, 0), 0) END)
       AND e.assets_found_value >= $min_yuan) IS NOT FALSE
ORDER BY c.case_id

-- zb_assets_found_but_terminated (Spark SQL) — 终本 cases terminated although property of substantial value was found.
-- One row per 终本 case not known to comply: violated = TRUE when assets_found_value
-- ≥ :min_share × outstanding claim (claim − recovered, never below 0) and
-- ≥ :min_yuan; NULL when the value or the claim is unknown (greatest() skips NULL
-- in both dialects, so the unknown claim is tested explicitly).
-- Differs from queries/zb_assets_found_but_terminated.sql only in parameter
-- markers and in 0.4D/0.6D: Spark's decimal literals would make the score a
-- DECIMAL with its own rounding, DuckDB computes it in DOUBLE.
-- Params: :min_share, :min_yuan. Read by: courtwatch/spark_engine.py → detectors/rules.py.
SELECT c.case_id AS subject_id, c.case_id, c.judge_id, c.court_id,
       c.closed_on, c.claim_amount, e.recovered_amount, e.assets_found_value,
       (CASE WHEN c.claim_amount IS NOT NULL THEN greatest(c.claim_amount - coalesce(e.recovered_amount, 0), 0) END) AS outstanding,
       e.assets_found_value >= :min_share * (CASE WHEN c.claim_amount IS NOT NULL THEN greatest(c.claim_amount - coalesce(e.recovered_amount, 0), 0) END)
           AND e.assets_found_value >= :min_yuan AS violated,
       least(1.0D, 0.6D + 0.4D * e.assets_found_value
             / nullif((CASE WHEN c.claim_amount IS NOT NULL THEN greatest(c.claim_amount - coalesce(e.recovered_amount, 0), 0) END), 0)) AS score
FROM cases c
LEFT JOIN enforcement e USING (case_id)
WHERE c.case_kind = 'enforcement' AND c.close_method = 'terminated_this_round'
  AND (e.assets_found_value >= :min_share * (CASE WHEN c.claim_amount IS NOT NULL THEN greatest(c.claim_amount - coalesce(e.recovered_amount, 0), 0) END)
       AND e.assets_found_value >= :min_yuan) IS NOT FALSE
ORDER BY c.case_id

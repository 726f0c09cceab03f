-- zb_assets_found_but_terminated — 终本 cases terminated although property of substantial value was found.
-- One row per 终本 case not known to comply: violated = TRUE when the found value
--   (a) is ≥ $min_share × outstanding claim and ≥ $min_yuan (substantial in itself), or
--   (b) covers ≥ $cover_share × outstanding and is ≥ $cover_min_yuan — a large part of a
--       small claim counts whatever its amount (small claimants are the vulnerable ones);
--       the floor keeps a find of a few dozen yuan from flagging;
-- outstanding = claim − recovered, never below 0. NULL when the value or the claim is
-- unknown and a branch could still hold (greatest() skips NULL, so the unknown claim is
-- tested explicitly); FALSE (not returned) when the find is below both floors.
-- A heuristic, not a breach by itself: art. 1(3) allows termination when found property
-- cannot be disposed of (art. 4 lists the cases); FALSE where enforcement.assets_undisposable (contract
-- extension E4) says so, and a heuristic where it is unknown (every v1 export).
-- Basis: 法〔2016〕373号 art. 1(3). Params: $min_share, $min_yuan, $cover_share, $cover_min_yuan.
-- Read by: detectors/rules/zb_assets_found_but_terminated.py. Twin: queries/spark/zb_assets_found_but_terminated.sql.
WITH zb AS (
    SELECT c.case_id, c.judge_id, c.court_id, c.closed_on, c.claim_amount,
           e.recovered_amount, e.assets_found_value, e.assets_undisposable,
           (CASE WHEN c.claim_amount IS NOT NULL THEN greatest(c.claim_amount - coalesce(e.recovered_amount, 0), 0) END) AS outstanding
    FROM cases c
    LEFT JOIN enforcement e USING (case_id)
    WHERE c.case_kind = 'enforcement' AND c.close_method = 'terminated_this_round'
), tested AS (
    SELECT *,
           -- the export says the found property cannot be disposed of (法〔2016〕373号 第四条; E4): art. 1(3) allows 终本
           CASE WHEN assets_undisposable THEN FALSE ELSE
               (assets_found_value >= $min_share * outstanding AND assets_found_value >= $min_yuan)
               OR (assets_found_value >= $cover_share * outstanding AND assets_found_value >= $cover_min_yuan) END AS violated
    FROM zb
)
SELECT case_id AS subject_id, case_id, judge_id, court_id,
       closed_on, claim_amount, recovered_amount, assets_found_value, assets_undisposable, outstanding, violated,
       least(1.0, 0.6 + 0.4 * assets_found_value / nullif(outstanding, 0)) AS score
FROM tested
WHERE violated IS NOT FALSE
ORDER BY case_id

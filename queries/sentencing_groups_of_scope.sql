-- sentencing_groups_of_scope — the peer groups an incremental run's new or changed sentences fall in: one row
-- per peer_group of sentencing_features_staged (sentencing_features_stage.sql) holding a case of the
-- registered frame scope_cases (case_id). Params: none.
-- Read by: detectors/sentencing/fit.py (_score_against_kept: only these groups are scored).
SELECT DISTINCT peer_group
FROM sentencing_features_staged
WHERE case_id IN (SELECT case_id FROM scope_cases)
ORDER BY peer_group

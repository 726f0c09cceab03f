-- sentencing_groups_of_scope — the peer groups an incremental run's new or changed sentences fall in: one row
-- per peer_group (as sentencing_features_stage.sql names them: the charge, or '数罪并罚' for several) of a
-- custodial or unknown-kind sentence in a criminal case closed by $as_of among the registered frame
-- scope_cases (case_id). Params: $as_of, $separator.
-- Read by: detectors/sentencing/fit.py (_score_against_kept: only these groups are staged and scored).
SELECT DISTINCT CASE WHEN contains(d.charge, $separator) THEN '数罪并罚' ELSE d.charge END AS peer_group
FROM defendants d
JOIN cases c USING (case_id)
WHERE d.case_id IN (SELECT case_id FROM scope_cases)
  AND c.case_kind = 'criminal'
  AND c.closed_on <= $as_of
  AND (d.sentence_kind IN ('detention', 'fixed_term') OR d.sentence_kind IS NULL)
ORDER BY peer_group

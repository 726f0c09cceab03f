-- incremental_reference — the reference period of an incremental run: one row per case_id that
-- is unchanged since the last full run (same fingerprint as then). The case-level models are
-- fitted on these cases only, so between two full runs they are the same models.
-- Reads the temp table current_fingerprints. Params: none. Read by: courtwatch/pipeline/runs.py.
SELECT now.case_id
FROM current_fingerprints now
JOIN reference_fingerprints ref USING (case_id)
WHERE ref.fingerprint = now.fingerprint
ORDER BY now.case_id

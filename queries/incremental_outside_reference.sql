-- incremental_outside_reference — the loaded cases outside the reference period of an incremental run: one
-- row per case_id that is new or changed since the last full run (no fingerprint recorded by it, or another
-- one). Every other loaded case is unchanged since then, the reference period the case-level models rest
-- on; this side of it is the small one (a night's or a month's new and changed cases, against millions
-- unchanged), so it is the one a run holds in memory. Reads the temp table current_fingerprints.
-- Params: none. Read by: courtwatch/pipeline/runs.py.
SELECT now.case_id
FROM current_fingerprints now
LEFT JOIN reference_fingerprints ref USING (case_id)
WHERE ref.case_id IS NULL OR ref.fingerprint <> now.fingerprint
ORDER BY now.case_id

-- incremental_scope — the cases an incremental run (`courtwatch detect --since`) scores: one row
-- per case_id that is new since the last run (no fingerprint recorded), changed since it (its
-- fingerprint differs), or filed on or after $since, with the day it was closed (NULL: pending), which
-- tells whether a case-by-case model has anything to score. Every other case keeps the flags it has.
-- Reads the temp table current_fingerprints (case_fingerprints.sql). Params: $since.
-- Read by: courtwatch/pipeline/runs.py.
SELECT now.case_id, c.closed_on
FROM current_fingerprints now
LEFT JOIN case_fingerprints seen USING (case_id)
LEFT JOIN cases c USING (case_id)
WHERE seen.case_id IS NULL
   OR seen.fingerprint <> now.fingerprint
   OR c.filed_on >= $since
ORDER BY now.case_id

-- sentencing_review_carry — an incremental run carries the review list of the run it builds on.
-- The list ranks every sentence of a court and year against the whole peer cell, so, like the
-- judge- and court-level models, it moves only with a full run; rows of cases deleted since
-- (a withdrawn record) are dropped. Inserts one row per carried sentence.
-- Params: $run_id (the new run), $previous (the run carried from); reads the temp table
-- current_fingerprints of the detect connection. Read by: courtwatch/pipeline/runs.py (incremental runs).
INSERT INTO sentencing_review BY NAME
SELECT * REPLACE ($run_id::VARCHAR AS run_id)
FROM sentencing_review
WHERE run_id = $previous::VARCHAR
  AND case_id IN (SELECT case_id FROM current_fingerprints)

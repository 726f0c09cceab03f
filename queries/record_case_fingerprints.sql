-- record_case_fingerprints — stores the fingerprints of this run (from the temp table
-- current_fingerprints) for the next incremental run; the caller empties the table first.
-- Params: $run_id. Read by: courtwatch/runs.py.
INSERT INTO case_fingerprints
SELECT case_id, fingerprint, $run_id FROM current_fingerprints

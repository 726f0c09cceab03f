-- record_case_fingerprints — replaces the stored fingerprints with this run's (from the temp table
-- current_fingerprints), for the next incremental run. Params: $run_id. Read by: courtwatch/pipeline/runs.py.
CREATE OR REPLACE TABLE case_fingerprints AS
SELECT case_id, fingerprint, $run_id::VARCHAR AS run_id FROM current_fingerprints

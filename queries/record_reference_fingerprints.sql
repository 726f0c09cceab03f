-- record_reference_fingerprints — after a full run: its fingerprints (temp table current_fingerprints)
-- become the reference period of the incremental runs that follow. Params: $run_id.
-- Read by: courtwatch/pipeline/runs.py.
CREATE OR REPLACE TABLE reference_fingerprints AS
SELECT case_id, fingerprint, $run_id::VARCHAR AS run_id FROM current_fingerprints

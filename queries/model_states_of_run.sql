-- model_states_of_run — one row per part of one model's state kept by a full run (model_states):
-- part, arrays (.npz bytes), meta (JSON text). Params: $run_id, $model.
-- Read by: detectors/base.py (DetectContext.stored_states, incremental runs).
SELECT part, arrays, meta::VARCHAR AS meta
FROM model_states
WHERE run_id = $run_id::VARCHAR AND model = $model::VARCHAR
ORDER BY part

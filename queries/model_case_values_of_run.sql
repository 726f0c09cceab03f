-- model_case_values_of_run — one row per per-case figure one model kept in a full run
-- (model_case_values): part, case_id, value. Params: $run_id, $model.
-- Read by: detectors/base.py (DetectContext.stored_case_values, incremental runs).
SELECT part, case_id, value
FROM model_case_values
WHERE run_id = $run_id::VARCHAR AND model = $model::VARCHAR

-- model_case_values_of_run — the per-case figures one model kept in a full run (model_case_values), of the
-- cases outside the registered frame scope_cases (case_id: an incremental run's new or changed cases, whose
-- kept figures are stale) and of the parts not in $except_parts: one row per figure, its value, and its part and
-- case_id when $with_case_ids (else NULL: a run that needs only the figures does not convert a million texts).
-- Params: $run_id, $model, $except_parts, $with_case_ids.
-- Read by: detectors/base.py (DetectContext.stored_case_values, incremental runs).
SELECT CASE WHEN $with_case_ids THEN part END AS part, CASE WHEN $with_case_ids THEN case_id END AS case_id, value
FROM model_case_values
WHERE run_id = $run_id::VARCHAR AND model = $model::VARCHAR
  AND NOT list_contains($except_parts::VARCHAR[], part)
  AND case_id NOT IN (SELECT case_id FROM scope_cases)

-- flags_of_run — the flags of one run in export order (shared interfaces.md), strongest first.
-- One row per flag. Params: $run_id, $category (NULL = all categories).
-- Read by: courtwatch/pipeline/runs.py (`courtwatch flags`), the dashboard.
SELECT flag_id, run_id, category, detector, subject_type, subject_id, case_id, judge_id, court_id,
       score, level, explanation, evidence::VARCHAR AS evidence
FROM flags
WHERE run_id = $run_id AND ($category::VARCHAR IS NULL OR category = $category::VARCHAR)
ORDER BY score DESC, category, detector, subject_id

-- dash_flag — one flag by its stable id, from the newest run that raised it (the detail page).
-- One row at most: the columns of dash_flags plus is_latest_run (FALSE when the newest run no longer
-- raises it: the record is shown from the run that did) and run_as_of.
-- Params: $flag_id. Read by: dashboard/data.py (flag).
WITH latest AS (SELECT run_id FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1)
SELECT f.flag_id, f.run_id, f.category, f.detector, f.subject_type, f.subject_id, f.case_id, f.judge_id,
       f.court_id, f.score, f.level, f.explanation, f.evidence::VARCHAR AS evidence,
       co.name AS court_name,
       CASE WHEN j.name IS NULL OR j.name = '' THEN NULL ELSE left(j.name, 1) || '**' END AS judge_name_masked,
       c.case_kind, c.cause, c.filed_on, c.closed_on,
       coalesce(c.closed_on, c.filed_on, r.as_of) AS flag_date,
       CASE WHEN f.subject_type = 'judge_lawyer' THEN split_part(f.subject_id, '|', 2) END AS lawyer_id,
       f.run_id = (SELECT run_id FROM latest) AS is_latest_run,
       r.as_of AS run_as_of
FROM flags f
JOIN runs r ON r.run_id = f.run_id
LEFT JOIN cases c ON c.case_id = f.case_id
LEFT JOIN courts co ON co.court_id = f.court_id
LEFT JOIN judges j ON j.judge_id = f.judge_id
WHERE f.flag_id = $flag_id
ORDER BY r.started_at DESC, r.run_id DESC
LIMIT 1

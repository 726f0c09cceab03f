-- dash_flags — the flags of one run with what the dashboard filters and groups them by.
-- One row per flag: the export columns (shared interfaces.md) except the evidence JSON (the detail page
-- reads it with dash_flag), plus explanation_en (from the evidence),
--   court_name, judge_name_masked (first character + '**'; judges.name never leaves unmasked),
--   case_kind, cause, filed_on, closed_on of the flagged case,
--   flag_date: the date a flag is counted under in trends and period filters = the flagged case's
--              closing date, else its filing date; flags without a case (about a judge, a court or a
--              judge–lawyer pair) take the run's as-of date,
--   lawyer_id: the lawyer of a judge_lawyer flag (subject_id 'judge_id|lawyer_id'), else NULL.
-- Params: $run_id. Read by: dashboard/data.py (run_flags) for the overview, flags list and profiles.
SELECT f.flag_id, f.run_id, f.category, f.detector, f.subject_type, f.subject_id, f.case_id, f.judge_id,
       f.court_id, f.score, f.level, f.explanation,
       coalesce(json_extract_string(f.evidence, '$.explanation_en'), f.explanation) AS explanation_en,
       co.name AS court_name,
       CASE WHEN j.name IS NULL OR j.name = '' THEN NULL ELSE left(j.name, 1) || '**' END AS judge_name_masked,
       c.case_kind, c.cause, c.filed_on, c.closed_on,
       coalesce(c.closed_on, c.filed_on, r.as_of) AS flag_date,
       CASE WHEN f.subject_type = 'judge_lawyer' THEN split_part(f.subject_id, '|', 2) END AS lawyer_id
FROM flags f
JOIN runs r ON r.run_id = f.run_id
LEFT JOIN cases c ON c.case_id = f.case_id
LEFT JOIN courts co ON co.court_id = f.court_id
LEFT JOIN judges j ON j.judge_id = f.judge_id
WHERE f.run_id = $run_id
ORDER BY f.score DESC, f.category, f.detector, f.subject_id

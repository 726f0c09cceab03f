-- dash_judges — judges and officers for the profile picker, names masked.
-- One row per judge: judge_id, court_id, court_name, role, name_masked (first character + '**';
-- judges.name is personal data and never leaves this query unmasked), cases (cases held, all time).
-- Params: none. Read by: dashboard/data.py (judges).
SELECT j.judge_id, j.court_id, co.name AS court_name, j.role,
       CASE WHEN j.name IS NULL OR j.name = '' THEN NULL ELSE left(j.name, 1) || '**' END AS name_masked,
       (SELECT count(*) FROM cases c WHERE c.judge_id = j.judge_id) AS cases
FROM judges j LEFT JOIN courts co ON co.court_id = j.court_id
ORDER BY j.court_id, j.judge_id

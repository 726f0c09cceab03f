-- dash_related_flags — other flags of a run on the same case, the same judge or the same lawyer as one flag.
-- One row per (flag, relation): flag_id, category, detector, subject_type, subject_id, case_id, judge_id,
-- court_id, score, level, explanation, relation ('case' | 'judge' | 'lawyer'). A lawyer relates through a
-- judge_lawyer flag naming the lawyer, or a flagged case the lawyer represented a party in.
-- Params: $run_id, $flag_id (left out), $case_id, $judge_id, $lawyer_id (each NULL = no such relation).
-- Read by: dashboard/data.py (related_flags) for the flag detail page.
WITH f AS (SELECT * FROM flags WHERE run_id = $run_id AND flag_id <> $flag_id),
lawyer_cases AS (
    SELECT DISTINCT case_id FROM representations WHERE lawyer_id = $lawyer_id::VARCHAR
)
SELECT flag_id, category, detector, subject_type, subject_id, case_id, judge_id, court_id, score, level,
       explanation, 'case' AS relation
FROM f WHERE $case_id::VARCHAR IS NOT NULL AND case_id = $case_id::VARCHAR
UNION ALL
SELECT flag_id, category, detector, subject_type, subject_id, case_id, judge_id, court_id, score, level,
       explanation, 'judge'
FROM f WHERE $judge_id::VARCHAR IS NOT NULL AND judge_id = $judge_id::VARCHAR
UNION ALL
SELECT flag_id, category, detector, subject_type, subject_id, case_id, judge_id, court_id, score, level,
       explanation, 'lawyer'
FROM f WHERE $lawyer_id::VARCHAR IS NOT NULL
  AND ((subject_type = 'judge_lawyer' AND split_part(subject_id, '|', 2) = $lawyer_id::VARCHAR)
       OR case_id IN (SELECT case_id FROM lawyer_cases))
ORDER BY relation, score DESC, flag_id
LIMIT 500

-- flags_carried — the flags an incremental run starts from: those of run $run_id whose case is still loaded
-- (a case deleted since, a withdrawn record, takes its flags with it) or that concern no case (judge-, court-
-- and pair-level flags). One row per flag, in flags_of_run.sql's order. Reads the temp table
-- current_fingerprints (case_fingerprints.sql: one row per loaded case). Params: $run_id.
-- Read by: courtwatch/pipeline/runs.py.
SELECT flag_id, run_id, category, detector, subject_type, subject_id, case_id, judge_id, court_id,
       score, level, explanation, evidence::VARCHAR AS evidence
FROM flags
WHERE run_id = $run_id AND (case_id IS NULL OR case_id IN (SELECT case_id FROM current_fingerprints))
ORDER BY score DESC, category, detector, subject_id

-- brief_flags — the flags of one run inside a briefing's scope, with what periods and tables need.
-- One row per flag: the export columns (shared interfaces.md) but the evidence, which no briefing prints
-- (it was read and converted to text for every flag of the scope, only to be dropped), plus
--   explanation_en  (evidence.explanation_en where the detector wrote one),
--   case_kind, cause, filed_on, closed_on of the flagged case,
--   flag_date: the date a case-bearing flag is counted under = the case's closing date, else its filing
--              date (docs/briefings.md, "Which flags belong to a period"); NULL for flags without a case,
--   standing: TRUE for flags about a judge, a court or a judge–lawyer pair (or without a case): listed as
--             standing warnings as of the run, never counted in a period,
--   charge of a flagged defendant.
-- Scope: the flag's court (else its case's court) is one of $court_ids; $all_courts (whole-database briefings)
-- keeps every flag, also those whose court is unknown or not in the courts table. judges.name is never read.
-- Params: $run_id, $court_ids (VARCHAR[]), $all_courts (BOOLEAN). Read by: courtwatch/reporting/figures.py.
SELECT f.flag_id, f.run_id, f.category, f.detector, f.subject_type, f.subject_id, f.case_id, f.judge_id,
       coalesce(f.court_id, c.court_id) AS court_id, f.score, f.level, f.explanation,
       f.evidence ->> 'explanation_en' AS explanation_en,
       c.case_kind, c.cause, c.filed_on, c.closed_on,
       CASE WHEN c.case_id IS NOT NULL THEN coalesce(c.closed_on, c.filed_on) END AS flag_date,
       (f.subject_type IN ('judge', 'court', 'judge_lawyer') OR c.case_id IS NULL) AS standing,
       d.charge
FROM flags f
LEFT JOIN cases c ON c.case_id = f.case_id
LEFT JOIN defendants d ON f.subject_type = 'defendant' AND d.defendant_id = f.subject_id
WHERE f.run_id = $run_id
  AND ($all_courts::BOOLEAN OR list_contains($court_ids::VARCHAR[], coalesce(f.court_id, c.court_id)))
ORDER BY f.score DESC, f.category, f.detector, f.subject_id

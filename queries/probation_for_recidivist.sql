-- probation_for_recidivist — defendants given probation although recidivists.
-- One row per defendant not known to comply: violated = TRUE when recidivist
-- and probation; NULL when either is unknown (skipped).
-- Basis: 刑法 §74 (累犯不适用缓刑). Params: none. Read by: detectors/rules/probation_for_recidivist.py.
SELECT d.defendant_id AS subject_id, d.case_id, c.judge_id, c.court_id,
       d.charge, d.sentence_kind, d.term_months, d.probation, d.probation_months, d.recidivist,
       d.recidivist AND d.probation AS violated,
       1.0 AS score
FROM defendants d JOIN cases c USING (case_id)
WHERE (d.recidivist AND d.probation) IS NOT FALSE
ORDER BY d.defendant_id

-- sentencing_plea_recommendations — guilty-plea (认罪认罚) defendants and the prosecutor's recommendation.
-- One row per defendant in a criminal case closed by $as_of with a custodial
-- sentence (拘役 / 有期徒刑) who is not known to lack a guilty plea
-- (guilty_plea TRUE or NULL). Columns: ids, charge, multi_charge,
-- guilty_plea (NULL = not recorded: skipped), sentence_kind, term_months,
-- probation, recommended_months (NULL = no recommendation recorded: not tested).
-- Basis: 刑事诉讼法 §201 (courts should generally adopt the recommendation).
-- Only the cases listed in $case_ids (NULL: every case; an incremental run scoring its new cases against
-- a full run's spreads). Never reads gender, ethnicity or local_resident.
-- Params: $as_of, $separator, $case_ids (list or NULL). Read by: detectors/sentencing/plea_recommendation_deviation.py.
SELECT d.defendant_id, d.case_id, c.judge_id, c.court_id, d.charge,
       contains(d.charge, $separator) AS multi_charge,
       d.guilty_plea, d.sentence_kind, d.term_months, d.probation, d.recommended_months
FROM defendants d
JOIN cases c USING (case_id)
WHERE c.case_kind = 'criminal'
  AND c.closed_on <= $as_of
  AND d.sentence_kind IN ('detention', 'fixed_term')
  AND d.guilty_plea IS NOT FALSE
  AND ($case_ids::VARCHAR[] IS NULL OR d.case_id IN (SELECT unnest($case_ids::VARCHAR[])))
ORDER BY d.defendant_id

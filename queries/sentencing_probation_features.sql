-- sentencing_probation_features — the sentences among which 刑法 §72 leaves probation (缓刑) open, as recorded.
-- One row per defendant of the staged table sentencing_features_staged (queries/sentencing_features_stage.sql:
-- ids, charge(s), peer_group, the eleven circumstances, sentence_kind, term_months, the statutory tier)
-- sentenced to 拘役 or 有期徒刑, with: the 决定执行刑 where recorded (combined_term_months, contract E2; §72
-- reads the term to be served), whether probation was granted (NULL = not recorded), the judgment year
-- and the court's level (basic / intermediate / …). Eligibility itself (拘役, or 有期徒刑 of at most three
-- years, and not a recidivist, §74) is decided by the detector, which counts the rows it cannot decide.
-- Never reads gender, ethnicity or local_resident (audit-only columns).
-- Params: none. Read by: detectors/sentencing/probation.py (inside fit.staged_features), in defendant_id order.
SELECT s.defendant_id, s.case_id, s.judge_id, s.court_id, s.charge, s.peer_group, s.tier,
       s.surrender, s.confession, s.guilty_plea, s.meritorious, s.recidivist, s.prior_record,
       s.minor, s.accessory, s.attempted, s.restitution, s.forgiven,
       s.sentence_kind, s.term_months, d.combined_term_months, d.probation,
       year(s.closed_on) AS judgment_year, ct.level AS court_level
FROM sentencing_features_staged s
JOIN defendants d USING (defendant_id)
LEFT JOIN courts ct ON ct.court_id = s.court_id
-- d.sentence_kind is s.sentence_kind (the staged row is the defendant's): filtered on both sides, DuckDB builds the
-- join's hash table on the defendants' four columns instead of the staged rows' twenty-one (scale 100:
-- 1.19 -> 0.79 s CPU, best of five; the same rows)
WHERE s.sentence_kind IN ('detention', 'fixed_term') AND d.sentence_kind IN ('detention', 'fixed_term')
ORDER BY s.defendant_id

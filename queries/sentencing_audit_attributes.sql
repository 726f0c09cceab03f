-- sentencing_audit_attributes — the protected attributes of custodial-sentence defendants, for the disparity audit ONLY.
-- One row per defendant in a criminal case closed by $as_of with a 拘役 /
-- 有期徒刑 sentence. Columns: defendant_id, court_id, female (gender = 'F'),
-- minority (ethnicity other than 汉族), non_local (NOT local_resident);
-- NULL where the attribute is unknown.
-- The import contract allows these columns for disparity audits only, never
-- as a detector input: no other query may select them (tests/test_fairness.py).
-- Params: $as_of. Read by: detectors/sentencing/sentencing_disparity_audit.py only.
SELECT d.defendant_id, c.court_id,
       CASE d.gender WHEN 'F' THEN TRUE WHEN 'M' THEN FALSE END AS female,
       CASE WHEN nullif(trim(d.ethnicity), '') IS NULL THEN NULL ELSE trim(d.ethnicity) <> '汉族' END AS minority,
       NOT d.local_resident AS non_local
FROM defendants d
JOIN cases c USING (case_id)
WHERE c.case_kind = 'criminal'
  AND c.closed_on <= $as_of
  AND d.sentence_kind IN ('detention', 'fixed_term')
ORDER BY d.defendant_id

-- sentencing_penalty_kind_features — single-charge sentences whose statutory tier allows both 拘役 and 有期徒刑.
-- One row per defendant on one charge (no $separator in the charge) in a criminal case closed by $as_of whose
-- sentence is 免予刑事处罚, 单处罚金, 管制, 拘役 or 有期徒刑, and whose tier — selected by the frame's severity
-- measure from law_frames, the court's province's frame set as in sentencing_features_stage.sql — has no
-- minimum term (min_months = 0) and is not 拘役-only (危险驾驶): the frames where the penalty kind is a choice.
-- A sentence whose measure is unknown has no tier and is left out (the detector counts those it reads).
-- Columns: ids, charge, tier, severity (the frame's measure: amount, grams, blood alcohol, or the injury
-- level's order; 0 for a charge with one frame), the eleven circumstances (NULL = not recorded), sentence_kind,
-- term_months (shown, not modelled: the term is chosen with the kind), the judgment year, the court's level.
-- Never reads gender, ethnicity or local_resident (audit-only columns).
-- law_frames and law_drug_equivalents are registered by the detector (detectors/law.py + config); a drug
-- quantity recorded with its type (E7) is read on the heroin scale, as in sentencing_features_stage.sql. Params: $as_of, $separator,
-- $default_frames, $national. Read by: detectors/sentencing/penalty_kind.py.
WITH frame_sets AS (SELECT DISTINCT province FROM law_frames),
sentenced AS (
    SELECT d.defendant_id, d.case_id, c.judge_id, c.court_id, d.charge,
           CASE WHEN ct.province IN (SELECT province FROM frame_sets) THEN ct.province
                WHEN nullif(trim(ct.province), '') IS NULL THEN $default_frames
                ELSE $national END AS frame_province,
           d.amount_involved, d.injury_level,
           CASE WHEN d.drug_type IS NULL THEN d.drug_grams ELSE d.drug_grams * e.to_heroin END AS drug_grams,
           d.blood_alcohol,
           d.surrender, d.confession, d.guilty_plea, d.meritorious, d.recidivist, d.prior_record,
           d.minor, d.accessory, d.attempted, d.restitution, d.forgiven,
           d.sentence_kind, d.term_months, year(c.closed_on) AS judgment_year, ct.level AS court_level
    FROM defendants d
    JOIN cases c USING (case_id)
    LEFT JOIN courts ct ON ct.court_id = c.court_id
    LEFT JOIN law_drug_equivalents e ON e.drug_type = d.drug_type
    WHERE c.case_kind = 'criminal'
      AND c.closed_on <= $as_of
      AND NOT contains(d.charge, $separator)
      AND d.sentence_kind IN ('exempt', 'fine_only', 'control', 'detention', 'fixed_term')
),
measured AS (
    SELECT s.defendant_id, s.case_id, s.judge_id, s.court_id, s.charge,
           s.surrender, s.confession, s.guilty_plea, s.meritorious, s.recidivist, s.prior_record,
           s.minor, s.accessory, s.attempted, s.restitution, s.forgiven,
           s.sentence_kind, s.term_months, s.judgment_year, s.court_level,
           CASE f.measure
               WHEN 'amount_involved' THEN s.amount_involved
               WHEN 'drug_grams' THEN s.drug_grams
               WHEN 'blood_alcohol' THEN s.blood_alcohol
               WHEN 'injury_level' THEN CASE s.injury_level WHEN 'none' THEN 0 WHEN 'minor_2' THEN 1
                   WHEN 'minor_1' THEN 2 WHEN 'serious_2' THEN 3 WHEN 'serious_1' THEN 4 WHEN 'death' THEN 5 END
               ELSE 0 END AS severity,
           f.lower, f.upper, f.tier, f.min_months, f.detention_only
    FROM sentenced s
    JOIN law_frames f ON f.charge = s.charge AND f.province = s.frame_province
),
tiered AS (
    SELECT * EXCLUDE (lower, upper)
    FROM measured
    WHERE severity >= lower AND severity < upper
)
SELECT * EXCLUDE (min_months, detention_only)
FROM tiered
WHERE min_months = 0 AND NOT detention_only
ORDER BY defendant_id

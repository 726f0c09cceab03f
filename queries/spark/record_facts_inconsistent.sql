-- record_facts_inconsistent (Spark SQL) — recorded severity and fixed term that cannot both be right.
-- Same rows as queries/record_facts_inconsistent.sql (see there for the rule); differs only in
-- parameter markers, the join on case_id and an explicit GROUP BY.
-- law_drug_equivalents (E7) and law_frames (one frame set per configured province plus the national lowest, :national) is
-- registered by courtwatch/pipeline/spark_engine.py from detectors/law.py + config.
-- Telecom fraud (:telecom_cause in cases.cause, rlike) is held to the :telecom_frames set.
-- Params: :separator, :default_frames, :national, :telecom_frames, :telecom_cause. Read by: courtwatch/pipeline/spark_engine.py → detectors/rules/record_facts_inconsistent.py.
WITH frame_sets AS (SELECT DISTINCT province FROM law_frames),
single AS (
    SELECT d.*, c.judge_id, c.court_id,
           -- E7: a quantity recorded with its drug type is read on the heroin/methamphetamine scale of the frames
           -- (law_drug_equivalents, 法释〔2016〕8号 arts. 1–2); a type without a scale leaves it unknown (NULL)
           CASE WHEN d.drug_type IS NULL THEN d.drug_grams ELSE d.drug_grams * e.to_heroin END AS drug_equivalent_grams,
           CASE WHEN d.charge = '诈骗罪' AND coalesce(c.cause rlike :telecom_cause, FALSE) THEN :telecom_frames
                WHEN ct.province IN (SELECT province FROM frame_sets) THEN ct.province
                WHEN nullif(trim(ct.province), '') IS NULL THEN :default_frames
                ELSE :national END AS frame_province
    FROM defendants d
    JOIN cases c ON c.case_id = d.case_id
    LEFT JOIN courts ct ON ct.court_id = c.court_id
    LEFT JOIN law_drug_equivalents e ON e.drug_type = d.drug_type
    WHERE d.sentence_kind = 'fixed_term' AND NOT contains(d.charge, :separator)
),
measured AS (
    SELECT s.*, f.article, f.measure, f.tier, f.lower, f.upper, f.max_months, f.standard,
           -- the bottom frame applies to any conviction of the charge (e.g. 多次盗窃、入户盗窃 whatever the amount)
           f.tier = min(f.tier) OVER (PARTITION BY s.defendant_id) AS bottom, f.reach_lower,
           CASE f.measure
               WHEN 'amount_involved' THEN s.amount_involved
               WHEN 'drug_grams' THEN s.drug_equivalent_grams
               WHEN 'blood_alcohol' THEN s.blood_alcohol
               WHEN 'injury_level' THEN CASE s.injury_level WHEN 'none' THEN 0 WHEN 'minor_2' THEN 1
                   WHEN 'minor_1' THEN 2 WHEN 'serious_2' THEN 3 WHEN 'serious_1' THEN 4 WHEN 'death' THEN 5 END
               END AS severity
    FROM single s
    JOIN law_frames f ON f.charge = s.charge AND f.province = s.frame_province
    WHERE f.measure IS NOT NULL
),
judged AS (
    SELECT subject_id, case_id, judge_id, court_id, charge, article, measure,
           amount_involved, injury_level, drug_grams, drug_type, drug_equivalent_grams, blood_alcohol, sentence_kind, term_months,
           combined_term_months, frame_province, standard, severity,
           max(CASE WHEN severity >= lower AND severity < upper THEN tier END) AS tier,
           max(CASE WHEN severity >= lower AND severity < upper THEN max_months END) AS tier_max_months,
           max(CASE WHEN bottom OR severity >= reach_lower THEN max_months END) AS reach_max_months,
           min(CASE WHEN bottom THEN max_months END) AS bottom_max_months,
           max(max_months) AS max_months,
           min(CASE WHEN max_months >= term_months THEN tier END) AS term_tier
    FROM (SELECT *, defendant_id AS subject_id FROM measured)
    GROUP BY subject_id, case_id, judge_id, court_id, charge, article, measure,
             amount_involved, injury_level, drug_grams, drug_type, drug_equivalent_grams, blood_alcohol, sentence_kind, term_months,
             combined_term_months, frame_province, standard, severity
),
verdict AS (
    SELECT j.*, f.lower AS needed_lower, f.reach_lower AS needed_reach,
           CASE WHEN j.term_months IS NULL THEN NULL
                WHEN j.term_months <= j.bottom_max_months OR j.term_months > j.max_months THEN FALSE
                WHEN j.severity IS NULL OR j.combined_term_months IS NULL THEN NULL
                ELSE j.term_months > j.reach_max_months END AS violated
    FROM judged j
    LEFT JOIN measured f ON f.defendant_id = j.subject_id AND f.tier = j.term_tier
)
SELECT subject_id, case_id, judge_id, court_id, charge, article, measure,
       amount_involved, injury_level, drug_grams, drug_type, drug_equivalent_grams, blood_alcohol, sentence_kind, term_months, combined_term_months,
       tier, tier_max_months, reach_max_months, term_tier, needed_lower, needed_reach, max_months,
       frame_province AS standard_province, standard,
       violated,
       least(0.9D, 0.5D + 0.4D * (term_months - reach_max_months) / greatest(reach_max_months, 12)) AS score
FROM verdict
WHERE violated IS NOT FALSE
ORDER BY subject_id

-- term_above_statutory_max (Spark SQL) — fixed-term sentences that no statutory frame of the charge allows.
-- One row per single-charge 有期徒刑 defendant whose charge is in law_frames and who is
-- not known to comply: violated = TRUE when the term exceeds the highest maximum of ANY frame of the
-- charge (reason 'above_max'), or the charge's statute has 拘役 only (reason 'wrong_kind', 危险驾驶罪);
-- NULL when the term, or combined_term_months (contract extension E2: the term may be a 决定执行刑
-- including another judgment's sentence), is unknown. Multi-charge defendants (数罪并罚) are never held
-- to one charge's frame. Same rows as queries/term_above_statutory_max.sql (see there for the rule).
-- Nation-wide, the amount thresholds differ by province: law_frames has a province column
-- (one frame set per configured [law.provinces.*], the national lowest :national, and the telecom-fraud
-- set :telecom_frames for a 诈骗罪 whose cause matches :telecom_cause) and a defendant is held to the set
-- of its court's province (:default_frames when none is recorded).
-- Spark has no DISTINCT ON: row_number() keeps the frame the recorded severity selects, else the lowest;
-- rlike for regexp_matches.
-- law_frames and law_drug_equivalents (E7) are registered by courtwatch/pipeline/spark_engine.py from detectors/law.py + config.
-- Params: :separator, :default_frames, :national, :telecom_frames, :telecom_cause.
-- Read by: courtwatch/pipeline/spark_engine.py → detectors/rules/term_above_statutory_max.py.
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
    SELECT s.*, f.article, f.tier AS frame_tier, f.max_months AS frame_max_months, f.lower, f.upper, f.standard,
           max(f.max_months) OVER (PARTITION BY s.defendant_id) AS charge_max_months,
           bool_and(f.detention_only) OVER (PARTITION BY s.defendant_id) AS detention_only,
           CASE f.measure
               WHEN 'amount_involved' THEN s.amount_involved
               WHEN 'drug_grams' THEN s.drug_equivalent_grams
               WHEN 'blood_alcohol' THEN s.blood_alcohol
               WHEN 'injury_level' THEN CASE s.injury_level WHEN 'none' THEN 0 WHEN 'minor_2' THEN 1
                   WHEN 'minor_1' THEN 2 WHEN 'serious_2' THEN 3 WHEN 'serious_1' THEN 4 WHEN 'death' THEN 5 END
               ELSE 0 END AS severity
    FROM single s
    JOIN law_frames f ON f.charge = s.charge AND f.province = s.frame_province
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY defendant_id ORDER BY selects DESC, frame_tier) AS frame_rank
    FROM (SELECT *, coalesce(severity >= lower AND severity < upper, FALSE) AS selects FROM measured)
),
judged AS (
    SELECT *,
           CASE WHEN detention_only THEN 'wrong_kind' ELSE 'above_max' END AS reason,
           CASE WHEN NOT detention_only AND term_months IS NOT NULL AND term_months <= charge_max_months THEN FALSE
                WHEN combined_term_months IS NULL THEN NULL
                WHEN detention_only THEN TRUE
                ELSE term_months > charge_max_months END AS judged_violated
    FROM ranked
    WHERE frame_rank = 1
)
SELECT defendant_id AS subject_id, case_id, judge_id, court_id, charge, article,
       CASE WHEN selects THEN frame_tier END AS tier,
       amount_involved, injury_level, drug_grams, drug_type, drug_equivalent_grams, blood_alcohol,
       sentence_kind, term_months, combined_term_months, charge_max_months AS max_months,
       CASE WHEN selects THEN frame_max_months END AS tier_max_months,
       frame_province AS standard_province, standard, reason,
       judged_violated AS violated,
       CASE WHEN detention_only THEN 1.0D
            ELSE least(1.0D, 0.6D + (term_months - charge_max_months) / greatest(charge_max_months, 12)) END AS score
FROM judged
WHERE judged_violated IS NOT FALSE
ORDER BY defendant_id

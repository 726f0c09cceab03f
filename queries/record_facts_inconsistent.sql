-- record_facts_inconsistent — recorded severity and fixed term that cannot both be right.
-- One row per single-charge 有期徒刑 defendant whose charge has a severity measure in
-- law_frames and who is not known to be consistent: violated = TRUE when term_months is
-- above reach_max_months — the highest maximum of the frames the recorded severity can
-- reach, counting circumstances the export cannot show (law_frames.reach_lower: 其他严重情节,
-- 特别残忍手段, 首要分子 …) — yet within max_months, the highest frame of the charge (above
-- that it is term_above_statutory_max, a legal warning). Then either the recorded amount /
-- injury / quantity or the term is wrong: a data-quality warning, never an unlawful sentence.
-- NULL when the severity or the term is unknown and the term could be inconsistent, or when
-- combined_term_months (contract extension E2) is unknown: term_months may then be a 决定执行刑 that
-- includes another judgment's sentence (刑法 §§70, 71, 77), and facts and term can both be right.
-- term_tier is the lowest frame that allows the term; needed_lower / needed_reach the
-- severity that frame needs (by the measure alone / with unexported circumstances).
-- Frame set: as in term_above_statutory_max.sql (telecom fraud: $telecom_frames where cases.cause matches
-- $telecom_cause; else the court's province, $default_frames, $national).
-- Multi-charge defendants (数罪并罚) are never held to one charge's frame.
-- law_frames and law_drug_equivalents (E7) are registered by the detector from detectors/law.py + config (Config.law_frames).
-- Params: $separator, $default_frames, $national, $telecom_frames, $telecom_cause.
-- Read by: detectors/rules/record_facts_inconsistent.py. Twin: queries/spark/record_facts_inconsistent.sql.
WITH frame_sets AS (SELECT DISTINCT province FROM law_frames),
single AS (
    SELECT d.*, c.judge_id, c.court_id,
           -- E7: a quantity recorded with its drug type is read on the heroin/methamphetamine scale of the frames
           -- (law_drug_equivalents, 法释〔2016〕8号 arts. 1–2); a type without a scale leaves it unknown (NULL)
           CASE WHEN d.drug_type IS NULL THEN d.drug_grams ELSE d.drug_grams * e.to_heroin END AS drug_equivalent_grams,
           CASE WHEN d.charge = '诈骗罪' AND coalesce(regexp_matches(c.cause, $telecom_cause), FALSE) THEN $telecom_frames
                WHEN ct.province IN (SELECT province FROM frame_sets) THEN ct.province
                WHEN nullif(trim(ct.province), '') IS NULL THEN $default_frames
                ELSE $national END AS frame_province
    FROM defendants d
    JOIN cases c USING (case_id)
    LEFT JOIN courts ct ON ct.court_id = c.court_id
    LEFT JOIN law_drug_equivalents e ON e.drug_type = d.drug_type
    WHERE d.sentence_kind = 'fixed_term' AND NOT contains(d.charge, $separator)
),
-- each charge's frames with a measure under each frame set: the highest maximum, and the bottom frame's maximum
limits AS (
    SELECT f.charge, f.province, max(f.max_months) AS charge_max_months,
           min(f.max_months) FILTER (WHERE f.tier = b.bottom_tier) AS bottom_max_months
    FROM law_frames f
    JOIN (SELECT charge, province, min(tier) AS bottom_tier FROM law_frames WHERE measure IS NOT NULL
          GROUP BY charge, province) b ON b.charge = f.charge AND b.province = f.province
    WHERE f.measure IS NOT NULL
    GROUP BY f.charge, f.province
),
-- only a term within the charge's frames but above its bottom frame goes on to the frame selection (on a
-- province's ~600,000 fixed terms the per-defendant window and grouping below then run for a few thousand
-- rows): exactly the rows `verdict` does not clear as FALSE (a NULL condition there is not taken either)
candidates AS (
    SELECT s.*
    FROM single s
    JOIN limits l ON l.charge = s.charge AND l.province = s.frame_province
    WHERE NOT coalesce(s.term_months <= l.bottom_max_months OR s.term_months > l.charge_max_months, FALSE)
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
    FROM candidates s
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
    GROUP BY ALL
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
       least(0.9, 0.5 + 0.4 * (term_months - reach_max_months) / greatest(reach_max_months, 12)) AS score
FROM verdict
WHERE violated IS NOT FALSE
ORDER BY subject_id

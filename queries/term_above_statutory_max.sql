-- term_above_statutory_max — fixed-term sentences that no statutory frame of the charge allows.
-- One row per single-charge 有期徒刑 defendant whose charge is in law_frames and who is
-- not known to comply: violated = TRUE when
--   reason 'above_max':  term_months exceeds max_months, the highest maximum of ANY frame of the
--                        charge (so no lawful reading of the recorded facts — another amount, injury
--                        or quantity, or a circumstance the export cannot show — allows the term), or
--   reason 'wrong_kind': the charge's statute has 拘役 only (law_frames.detention_only: 危险驾驶罪,
--                        刑法 §133-1), so any 有期徒刑 is the wrong penalty kind, whatever its length;
-- NULL when the term is unknown, or when combined_term_months (contract extension E2) is unknown:
-- then term_months may be a 决定执行刑 that includes another judgment's sentence (刑法 §§70, 71, 77),
-- which can lawfully exceed this charge's frame, and the rule abstains. A term above the frame the
-- recorded severity selects but within a higher frame is a data-quality warning instead
-- (record_facts_inconsistent.sql). Multi-charge defendants (数罪并罚) are never held to one charge's
-- frame (combined_sentence_over_cap.sql holds them to §69).
-- Frame set: $telecom_frames for a 诈骗罪 whose cases.cause matches $telecom_cause (法发〔2016〕32号);
-- else the court's province when law_frames has it, $default_frames for a court with no recorded
-- province, else $national (the lowest lawful national thresholds); `standard` says which, and tier /
-- tier_max_months give the frame the recorded severity selects under it (NULL when the severity is
-- unknown or below every frame).
-- law_frames and law_drug_equivalents (E7) are registered by the detector from detectors/law.py + config (Config.law_frames).
-- Params: $separator, $default_frames, $national, $telecom_frames, $telecom_cause.
-- Read by: detectors/rules/term_above_statutory_max.py. Twin: queries/spark/term_above_statutory_max.sql.
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
-- each charge's limits under each frame set: the highest maximum of any frame, and whether every frame is 拘役 only
limits AS (
    SELECT charge, province, max(max_months) AS charge_max_months, bool_and(detention_only) AS detention_only
    FROM law_frames
    GROUP BY charge, province
),
-- only a term a frame may not allow goes on to the frame selection: on a province's ~600,000 fixed terms the
-- join with every frame and the per-defendant ordering below then run for a few thousand rows
candidates AS (
    SELECT s.*, l.charge_max_months, l.detention_only
    FROM single s
    JOIN limits l ON l.charge = s.charge AND l.province = s.frame_province
    -- exactly the rows `judged` below does not clear as FALSE (a NULL condition there is not taken either)
    WHERE NOT coalesce(NOT l.detention_only AND s.term_months IS NOT NULL AND s.term_months <= l.charge_max_months, FALSE)
),
measured AS (
    SELECT s.*, f.article, f.tier AS frame_tier, f.max_months AS frame_max_months, f.lower, f.upper, f.standard,
           CASE f.measure
               WHEN 'amount_involved' THEN s.amount_involved
               WHEN 'drug_grams' THEN s.drug_equivalent_grams
               WHEN 'blood_alcohol' THEN s.blood_alcohol
               WHEN 'injury_level' THEN CASE s.injury_level WHEN 'none' THEN 0 WHEN 'minor_2' THEN 1
                   WHEN 'minor_1' THEN 2 WHEN 'serious_2' THEN 3 WHEN 'serious_1' THEN 4 WHEN 'death' THEN 5 END
               ELSE 0 END AS severity
    FROM candidates s
    JOIN law_frames f ON f.charge = s.charge AND f.province = s.frame_province
),
one AS (
    -- one row per defendant: the frame the recorded severity selects, else the lowest frame (tier shown as NULL)
    SELECT DISTINCT ON (defendant_id) *, coalesce(severity >= lower AND severity < upper, FALSE) AS selects
    FROM measured
    ORDER BY defendant_id, selects DESC, frame_tier
),
judged AS (
    SELECT *,
           CASE WHEN detention_only THEN 'wrong_kind' ELSE 'above_max' END AS reason,
           CASE WHEN NOT detention_only AND term_months IS NOT NULL AND term_months <= charge_max_months THEN FALSE
                WHEN combined_term_months IS NULL THEN NULL
                WHEN detention_only THEN TRUE
                ELSE term_months > charge_max_months END AS judged_violated
    FROM one
)
SELECT defendant_id AS subject_id, case_id, judge_id, court_id, charge, article,
       CASE WHEN selects THEN frame_tier END AS tier,
       amount_involved, injury_level, drug_grams, drug_type, drug_equivalent_grams, blood_alcohol,
       sentence_kind, term_months, combined_term_months, charge_max_months AS max_months,
       CASE WHEN selects THEN frame_max_months END AS tier_max_months,
       frame_province AS standard_province, standard, reason,
       judged_violated AS violated,
       CASE WHEN detention_only THEN 1.0
            ELSE least(1.0, 0.6 + (term_months - charge_max_months) / greatest(charge_max_months, 12)) END AS score
FROM judged
WHERE judged_violated IS NOT FALSE
ORDER BY defendant_id

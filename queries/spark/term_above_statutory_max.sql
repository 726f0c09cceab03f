-- term_above_statutory_max (Spark SQL) — fixed-term sentences above the maximum of the charge's statutory frame.
-- One row per single-charge 有期徒刑 defendant whose charge is in law_frames and
-- who is not known to comply: violated = TRUE when term_months exceeds the
-- frame's max_months; NULL when the severity measure that picks the frame is
-- unknown. Multi-charge defendants (数罪并罚) are never held to one charge's frame.
-- Nation-wide, the amount thresholds differ by province: law_frames here has a
-- province column (one frame table per province, from its [law.provinces.*]
-- config) and a defendant is held to the frames of its court's province. The
-- DuckDB query runs on one province's database with that province's frames.
-- Spark has no DISTINCT ON: row_number() keeps one row per unknown-severity
-- defendant (which frame it keeps does not matter: that row is only counted as skipped).
-- law_frames is registered by courtwatch/spark_engine.py from courtwatch/law.py + config.
-- Params: :separator. Read by: courtwatch/spark_engine.py → detectors/rules.py.
WITH measured AS (
    SELECT d.*, c.judge_id, c.court_id, f.article, f.measure, f.tier, f.min_months, f.max_months, f.lower, f.upper,
           CASE f.measure
               WHEN 'amount_involved' THEN d.amount_involved
               WHEN 'drug_grams' THEN d.drug_grams
               WHEN 'blood_alcohol' THEN d.blood_alcohol
               WHEN 'injury_level' THEN CASE d.injury_level WHEN 'none' THEN 0 WHEN 'minor_2' THEN 1
                   WHEN 'minor_1' THEN 2 WHEN 'serious_2' THEN 3 WHEN 'serious_1' THEN 4 WHEN 'death' THEN 5 END
               ELSE 0 END AS severity
    FROM defendants d
    JOIN cases c USING (case_id)
    JOIN courts ct ON ct.court_id = c.court_id
    JOIN law_frames f ON f.charge = d.charge AND f.province = ct.province
    WHERE d.sentence_kind = 'fixed_term' AND NOT contains(d.charge, :separator)
),
framed AS (
    -- the frame whose range holds the severity; unknown severity keeps one row with no frame
    SELECT * FROM (
        SELECT *, row_number() OVER (PARTITION BY defendant_id, severity IS NULL ORDER BY tier) AS frame_rank
        FROM measured
    )
    WHERE (severity >= lower AND severity < upper) OR (severity IS NULL AND frame_rank = 1)
)
SELECT defendant_id AS subject_id, case_id, judge_id, court_id, charge, article, tier,
       amount_involved, injury_level, drug_grams, blood_alcohol,
       sentence_kind, term_months, max_months,
       CASE WHEN severity IS NULL THEN NULL ELSE term_months > max_months END AS violated,
       CASE WHEN severity IS NULL THEN NULL
            ELSE least(1.0D, 0.6D + (term_months - max_months) / greatest(max_months, 12)) END AS score
FROM framed
WHERE (CASE WHEN severity IS NULL THEN NULL ELSE term_months > max_months END) IS NOT FALSE
ORDER BY defendant_id

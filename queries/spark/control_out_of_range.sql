-- control_out_of_range (Spark SQL) — 管制 outside its statutory length (刑法 §38, §69).
-- Same rows as queries/control_out_of_range.sql; differs in parameter markers, the join and DOUBLE literals.
-- One row per 管制 defendant not known to comply: violated = TRUE when the term is under :min_months
-- (three) or over :max_combined (three years: §69 caps even a combined 管制), or, for a single charge,
-- over :max_single (two years) while combined_term_months (E2) is known, so the term is the 宣告刑;
-- NULL when the term is unknown, or a single charge's 24–36 months come with E2 unknown (the term may be
-- a 决定执行刑 combining an earlier judgment's 管制, §§69–71).
-- Params: :min_months, :max_single, :max_combined, :separator. Read by: courtwatch/pipeline/spark_engine.py → detectors/rules/control_out_of_range.py.
SELECT subject_id, case_id, judge_id, court_id, charge, sentence_kind, term_months, combined_term_months,
       multi_charge, violated, 1.0D AS score
FROM (
    SELECT d.defendant_id AS subject_id, d.case_id, c.judge_id, c.court_id,
           d.charge, d.sentence_kind, d.term_months, d.combined_term_months,
           contains(d.charge, :separator) AS multi_charge,
           CASE WHEN d.term_months IS NULL THEN NULL
                WHEN d.term_months < :min_months OR d.term_months > :max_combined THEN TRUE
                WHEN d.term_months <= :max_single OR contains(d.charge, :separator) THEN FALSE
                WHEN d.combined_term_months IS NULL THEN NULL
                ELSE TRUE END AS violated
    FROM defendants d JOIN cases c ON c.case_id = d.case_id
    WHERE d.sentence_kind = 'control'
) judged
WHERE violated IS NOT FALSE
ORDER BY subject_id

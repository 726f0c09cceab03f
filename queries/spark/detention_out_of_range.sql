-- detention_out_of_range (Spark SQL) — 拘役 (criminal detention) outside its statutory length.
-- One row per detention sentence not known to comply: violated = TRUE when the term is under
-- :min_months or over :max_combined months, or, for a single charge with combined_term_months
-- (E2) known, over :max_single months; NULL when the term is unknown, or a single charge's 6–12
-- months come with E2 unknown (the term may be a 决定执行刑 combining an earlier judgment's 拘役).
-- Same rows as queries/detention_out_of_range.sql; differs only in parameter markers and the join.
-- Basis: 刑法 §42 (1–6 months), §69 (combined at most one year).
-- Params: :min_months, :max_single, :max_combined, :separator. Read by: courtwatch/pipeline/spark_engine.py → detectors/rules/detention_out_of_range.py.
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
    WHERE d.sentence_kind = 'detention'
) judged
WHERE violated IS NOT FALSE
ORDER BY subject_id

-- fixed_term_below_6_months (Spark SQL) — 有期徒刑 shorter than six months (刑法 §45).
-- Same rows as queries/fixed_term_below_6_months.sql; differs in parameter markers, the join and DOUBLE literals.
-- One row per 有期徒刑 defendant not known to comply: violated = TRUE when term_months is under
-- :min_months; NULL when the term is unknown. No combination can make it lawful: a 决定执行刑 is never
-- below the highest term it combines (§69), and every 有期徒刑 is at least six months.
-- Params: :min_months. Read by: courtwatch/pipeline/spark_engine.py → detectors/rules/fixed_term_below_6_months.py.
SELECT d.defendant_id AS subject_id, d.case_id, c.judge_id, c.court_id, d.charge, d.sentence_kind, d.term_months,
       d.term_months < :min_months AS violated,
       1.0D AS score
FROM defendants d JOIN cases c ON c.case_id = d.case_id
WHERE d.sentence_kind = 'fixed_term' AND (d.term_months < :min_months) IS NOT FALSE
ORDER BY subject_id

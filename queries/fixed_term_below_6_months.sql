-- fixed_term_below_6_months — 有期徒刑 shorter than six months (刑法 §45).
-- One row per 有期徒刑 defendant not known to comply: violated = TRUE when term_months is under
-- $min_months; NULL when the term is unknown. No combination can make it lawful: a 决定执行刑 is never
-- below the highest term it combines (§69), and every 有期徒刑 is at least six months.
-- Params: $min_months. Read by: detectors/rules/fixed_term_below_6_months.py. Twin: queries/spark/fixed_term_below_6_months.sql.
SELECT d.defendant_id AS subject_id, d.case_id, c.judge_id, c.court_id, d.charge, d.sentence_kind, d.term_months,
       d.term_months < $min_months AS violated,
       1.0 AS score
FROM defendants d JOIN cases c USING (case_id)
WHERE d.sentence_kind = 'fixed_term' AND (d.term_months < $min_months) IS NOT FALSE
ORDER BY subject_id

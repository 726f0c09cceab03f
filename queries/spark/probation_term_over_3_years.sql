-- probation_term_over_3_years (Spark SQL) — probation given with a sentence that does not allow it.
-- One row per defendant with probation not known to comply: violated = TRUE when
-- the sentence is neither 拘役 nor 有期徒刑 of at most :max_term months; NULL
-- when the kind or term is unknown. The term is the 决定执行刑 where combined_term_months (E2)
-- is known (probation suspends what is to be served: a combination above three years allows none).
-- Differs from queries/probation_term_over_3_years.sql in parameter markers
-- and DOUBLE literals in the score (DuckDB computes it in DOUBLE).
-- Basis: 刑法 §72. Params: :max_term. Read by: courtwatch/pipeline/spark_engine.py → detectors/rules/probation_term_over_3_years.py.
SELECT d.defendant_id AS subject_id, d.case_id, c.judge_id, c.court_id,
       d.charge, d.sentence_kind, d.term_months, d.combined_term_months, d.probation, d.probation_months,
       d.probation AND (d.sentence_kind NOT IN ('detention', 'fixed_term') OR greatest(d.term_months, d.combined_term_months) > :max_term) AS violated,
       least(1.0D, 0.7D + coalesce(greatest(d.term_months, d.combined_term_months) - :max_term, 12.0D) / 40.0D) AS score
FROM defendants d JOIN cases c USING (case_id)
WHERE (d.probation AND (d.sentence_kind NOT IN ('detention', 'fixed_term') OR greatest(d.term_months, d.combined_term_months) > :max_term)) IS NOT FALSE
ORDER BY d.defendant_id

-- probation_period_out_of_range — a probation period (缓刑考验期) outside 刑法 §73.
-- One row per defendant given probation on 拘役 or 有期徒刑 not known to comply: violated = TRUE when
--   the period is shorter than the term (reason below_term; the term is the 决定执行刑 where
--   combined_term_months (E2) is known — a combination never shortens it, so a period below the recorded
--   term is below the served one too), or
--   有期徒刑: under $fixed_min months (one year; fixed_term_below_min), or
--   拘役: under $detention_min months (two; detention_below_min), or over $detention_max (one year;
--   detention_above_max) where the sentence to be served is known to be 拘役 — several charges of this row
--   (拘役 combined stays 拘役) or combined_term_months = term_months; else NULL (combined with an earlier
--   有期徒刑, §69 makes it 有期徒刑 and its period may reach five years).
-- A period over five years cannot load (the contract caps probation_months at 60). NULL when the period
-- or the term is unknown. Basis: 刑法 §73 (拘役 原判刑期以上一年以下、不能少于二个月; 有期徒刑 原判刑期以上五年以下、
-- 不能少于一年). Probation on another kind or an over-three-year term is probation_term_over_3_years.
-- Params: $fixed_min, $detention_min, $detention_max, $separator.
-- Read by: detectors/rules/probation_period_out_of_range.py. Twin: queries/spark/probation_period_out_of_range.sql.
WITH p AS (
    SELECT d.defendant_id, d.case_id, c.judge_id, c.court_id, d.charge, d.sentence_kind, d.term_months,
           d.combined_term_months, d.probation_months,
           greatest(d.term_months, d.combined_term_months) AS served_months,
           contains(d.charge, $separator) AS multi_charge
    FROM defendants d JOIN cases c USING (case_id)
    WHERE d.probation AND d.sentence_kind IN ('detention', 'fixed_term')
),
judged AS (
    SELECT *,
           CASE WHEN probation_months IS NULL OR term_months IS NULL THEN NULL
                WHEN probation_months < served_months THEN 'below_term'
                WHEN sentence_kind = 'fixed_term' AND probation_months < $fixed_min THEN 'fixed_term_below_min'
                WHEN sentence_kind = 'detention' AND probation_months < $detention_min THEN 'detention_below_min'
                WHEN sentence_kind = 'detention' AND probation_months > $detention_max THEN 'detention_above_max'
           END AS reason
    FROM p
)
SELECT defendant_id AS subject_id, case_id, judge_id, court_id, charge, sentence_kind, term_months,
       combined_term_months, probation_months, reason,
       CASE WHEN probation_months IS NULL OR term_months IS NULL THEN NULL
            WHEN reason IS NULL THEN FALSE
            WHEN reason <> 'detention_above_max' THEN TRUE
            WHEN multi_charge OR combined_term_months = term_months THEN TRUE
            END AS violated,
       1.0 AS score
FROM judged
WHERE (CASE WHEN probation_months IS NULL OR term_months IS NULL THEN NULL
            WHEN reason IS NULL THEN FALSE
            WHEN reason <> 'detention_above_max' THEN TRUE
            WHEN multi_charge OR combined_term_months = term_months THEN TRUE END) IS NOT FALSE
ORDER BY subject_id

-- combined_sentence_over_cap — a combined sentence (数罪并罚) outside 刑法 §69.
-- One row per defendant not known to comply, violated = TRUE when
--   reason two_charges_over_20_years: a row of exactly two charges (joined by $separator) with 有期徒刑 over
--     $cap_months (twenty years): no single 有期徒刑 exceeds fifteen years (§45), so two of them total
--     under thirty-five, and §69 then caps the combination at twenty years; or
--   reason below_declared: a 拘役 or 有期徒刑 whose combined_term_months (E2, the 决定执行刑) is below
--     term_months (the 宣告刑): §69 decides the combined term 在数刑中最高刑期以上 (§§70, 71 apply §69).
-- Rows of three or more charges can lawfully reach twenty-five years (a total of thirty-five or more)
-- and a longer term cannot load (contract: at most 300 months); 拘役 over a year and 管制 over three
-- years are detention_out_of_range and control_out_of_range. NULL when the term is unknown.
-- Params: $separator, $cap_months. Read by: detectors/rules/combined_sentence_over_cap.py. Twin: queries/spark/combined_sentence_over_cap.sql.
WITH judged AS (
    SELECT d.defendant_id AS subject_id, d.case_id, c.judge_id, c.court_id, d.charge, d.sentence_kind,
           d.term_months, d.combined_term_months,
           len(string_split(d.charge, $separator)) AS charges,
           CASE WHEN d.sentence_kind = 'fixed_term' AND len(string_split(d.charge, $separator)) = 2 AND d.term_months > $cap_months
                    THEN 'two_charges_over_20_years'
                WHEN d.combined_term_months < d.term_months THEN 'below_declared' END AS reason
    FROM defendants d JOIN cases c USING (case_id)
    WHERE d.sentence_kind IN ('detention', 'fixed_term')
)
SELECT subject_id, case_id, judge_id, court_id, charge, sentence_kind, term_months, combined_term_months,
       charges, reason,
       CASE WHEN reason IS NOT NULL THEN TRUE WHEN term_months IS NULL THEN NULL ELSE FALSE END AS violated,
       1.0 AS score
FROM judged
WHERE reason IS NOT NULL OR term_months IS NULL
ORDER BY subject_id

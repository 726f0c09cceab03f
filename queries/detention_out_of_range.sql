-- detention_out_of_range — 拘役 (criminal detention) outside its statutory length.
-- One row per detention sentence not known to comply: violated = TRUE when the
-- term is under $min_months or over $max_single months ($max_combined for
-- several charges, 数罪并罚); NULL when the term is unknown.
-- Basis: 刑法 §42 (1–6 months), §69 (combined at most one year).
-- Params: $min_months, $max_single, $max_combined, $separator. Read by: detectors/rules/detention_out_of_range.py.
SELECT d.defendant_id AS subject_id, d.case_id, c.judge_id, c.court_id,
       d.charge, d.sentence_kind, d.term_months,
       contains(d.charge, $separator) AS multi_charge,
       d.term_months < $min_months
           OR d.term_months > CASE WHEN contains(d.charge, $separator) THEN $max_combined ELSE $max_single END AS violated,
       1.0 AS score
FROM defendants d JOIN cases c USING (case_id)
WHERE d.sentence_kind = 'detention'
  AND (d.term_months < $min_months
       OR d.term_months > CASE WHEN contains(d.charge, $separator) THEN $max_combined ELSE $max_single END) IS NOT FALSE
ORDER BY d.defendant_id

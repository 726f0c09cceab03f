-- stages/fine_sentences (Spark SQL) — common table expressions shared by missing_mandatory_fine and fine_records_incomplete, not a query:
-- the single-charge sentences a mandatory fine applies to, with the frame set of their amount, whether 没收财产 could
-- stand in the fine's place (judged), and each court's fine-record counts and whether its export evidently does
-- not record fines (incomplete).
-- A query reads them by a line `-- include: fine_sentences` after its WITH (courtwatch/queries/__init__.py), so
-- the rule and its data-quality note use one definition. Params: those of the two queries (:name).
-- Read by: queries/spark/missing_mandatory_fine.sql, queries/spark/fine_records_incomplete.sql. Twin: queries/stages/fine_sentences.sql.
frame_sets AS (SELECT DISTINCT province FROM law_frames),
sentenced AS (
    SELECT d.defendant_id, d.case_id, c.judge_id, c.court_id, coalesce(ct.province, '') AS province,
           d.charge, d.sentence_kind, d.term_months,
           d.amount_involved, d.fine_yuan, r.article, r.alternative, r.alternative_from_months,
           CASE WHEN d.charge = '诈骗罪' AND coalesce(c.cause rlike :telecom_cause, FALSE) THEN :telecom_frames
                WHEN ct.province IN (SELECT province FROM frame_sets) THEN ct.province
                WHEN nullif(trim(ct.province), '') IS NULL THEN :default_frames
                ELSE :national END AS frame_province
    FROM defendants d
    JOIN cases c ON c.case_id = d.case_id
    JOIN fine_rules r ON r.charge = d.charge
    LEFT JOIN courts ct ON ct.court_id = c.court_id
    WHERE d.sentence_kind IN ('control', 'detention', 'fixed_term') AND NOT contains(d.charge, :separator)
),
top_frames AS (  -- the amount from which the top frame (并处罚金或者没收财产) can apply, per frame set and charge
    SELECT province, charge, max_by(reach_lower, tier) AS top_reach
    FROM law_frames
    GROUP BY province, charge
),
judged AS (
    SELECT s.*, t.top_reach,
           CASE s.alternative
               WHEN 'tier3_amount' THEN coalesce(CASE WHEN s.amount_involved IS NOT NULL THEN s.amount_involved >= t.top_reach
                                                      ELSE s.term_months >= s.alternative_from_months END, TRUE)
               WHEN 'drug_para2' THEN coalesce(s.term_months >= s.alternative_from_months, TRUE)
               ELSE FALSE END AS confiscation_possible
    FROM sentenced s
    LEFT JOIN top_frames t ON t.province = s.frame_province AND t.charge = s.charge
),
court_records AS (  -- per court: such sentences with a known fine, and those recorded without one
    SELECT court_id, province,
           count(*) FILTER (WHERE fine_yuan IS NOT NULL AND NOT confiscation_possible) AS sentences,
           count(*) FILTER (WHERE fine_yuan = 0 AND NOT confiscation_possible) AS zero_fines
    FROM judged
    GROUP BY court_id, province
),
province_records AS (  -- the same over the province's export: a small court inherits its export's habit
    SELECT province, CAST(sum(sentences) AS BIGINT) AS sentences, CAST(sum(zero_fines) AS BIGINT) AS zero_fines
    FROM court_records
    GROUP BY province
),
incomplete AS (
    SELECT c.court_id, c.sentences, c.zero_fines, p.sentences AS province_sentences, p.zero_fines AS province_zero_fines,
           p.zero_fines >= :min_zeros AND p.zero_fines >= :incomplete_share * p.sentences AS province_incomplete,
           (c.zero_fines >= :min_zeros AND c.zero_fines >= :incomplete_share * c.sentences)
           OR (p.zero_fines >= :min_zeros AND p.zero_fines >= :incomplete_share * p.sentences) AS records_incomplete
    FROM court_records c
    JOIN province_records p ON p.province = c.province
)

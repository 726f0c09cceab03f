-- dash_sentencing_by_charge_court — sentencing warnings per charge and court, for the overview heat map.
-- One row per (charge, court) with a sentenced defendant whose case closed in the period:
--   defendants   defendants with a recorded sentence kind,
--   flagged      of them, those with at least one sentencing flag in the run,
--   median_ratio the median, over flagged defendants whose evidence holds it, of the sentence's ratio to
--                what the legal factors predict (evidence.ratio_to_expected; NULL without such flags).
-- Multi-charge defendants (charges joined by $separator) form one row per court, charge '数罪并罚'.
-- Params: $run_id, $start, $end, $separator. Read by: dashboard/data.py (sentencing_heatmap).
WITH d AS (
    SELECT d.defendant_id, c.court_id,
           CASE WHEN contains(d.charge, $separator) THEN '数罪并罚' ELSE d.charge END AS charge
    FROM defendants d JOIN cases c USING (case_id)
    WHERE c.closed_on BETWEEN $start::DATE AND $end::DATE AND d.sentence_kind IS NOT NULL
),
fl AS (
    SELECT subject_id AS defendant_id,
           max(TRY_CAST(json_extract_string(evidence, '$.ratio_to_expected') AS DOUBLE)) AS ratio
    FROM flags
    WHERE run_id = $run_id AND category = 'sentencing' AND subject_type = 'defendant'
    GROUP BY subject_id
)
SELECT d.charge, d.court_id, count(*) AS defendants, count(fl.defendant_id) AS flagged,
       median(fl.ratio) AS median_ratio
FROM d LEFT JOIN fl USING (defendant_id)
GROUP BY d.charge, d.court_id
ORDER BY d.charge, d.court_id

-- sentencing_review_of_run — one run's sentencing review list as the dashboard shows it.
-- One row per listed sentence, in court, period and rank order: the sentencing_review columns plus
-- court_name, charge and sentence_kind of the defendant, and judge_name_masked (first character
-- + '**'; judges.name never leaves unmasked). similar_cases is JSON text; through a scoped
-- connection it arrives with the identifiers of other courts' cases removed (courtwatch/storage/store.py).
-- An incremental run shows the list of the full run it builds on (runs.review_run; review_run_of.sql), less
-- the sentences of cases deleted since (a withdrawn record takes its rows with it).
-- Params: $run_id. Read by: dashboard/data.py (review_list); tests/test_sentencing_review.py.
SELECT r.run_id, r.defendant_id, r.case_id, r.court_id, r.judge_id, r.period, r.rank_in_court_period,
       r.p_calibrated, r.z, r.ratio_to_expected, r.expected_months, r.term_months, r.peer_group, r.peer_n,
       r.peer_median_months, r.peer_q25_months, r.peer_q75_months, r.peer_spread_log, r.factors,
       r.similar_cases::VARCHAR AS similar_cases,
       co.name AS court_name, d.charge, d.sentence_kind,
       CASE WHEN j.name IS NULL OR j.name = '' THEN NULL ELSE left(j.name, 1) || '**' END AS judge_name_masked
FROM sentencing_review r
LEFT JOIN courts co ON co.court_id = r.court_id
LEFT JOIN defendants d ON d.defendant_id = r.defendant_id
LEFT JOIN judges j ON j.judge_id = r.judge_id
WHERE r.run_id = (SELECT coalesce(review_run, run_id) FROM runs WHERE run_id = $run_id::VARCHAR)
  AND r.case_id IN (SELECT case_id FROM cases)
ORDER BY r.court_id, r.period, r.rank_in_court_period

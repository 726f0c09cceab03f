-- zb_missing_respondent_not_searched — 终本 cases whose respondent was missing and not searched for.
-- One row per 终本 case not known to comply: violated = TRUE when
-- respondent_missing and search_done_on is absent or after closed_on; NULL when
-- whether the respondent was missing is unknown.
-- Basis: 法〔2016〕373号 art. 1(5). Params: none. Read by: detectors/rules/zb_missing_respondent_not_searched.py.
SELECT c.case_id AS subject_id, c.case_id, c.judge_id, c.court_id,
       c.filed_on, c.closed_on, e.respondent_missing, e.search_done_on,
       e.respondent_missing AND (e.search_done_on IS NULL OR e.search_done_on > c.closed_on) AS violated,
       1.0 AS score
FROM cases c
LEFT JOIN enforcement e USING (case_id)
WHERE c.case_kind = 'enforcement' AND c.close_method = 'terminated_this_round'
  AND (e.respondent_missing AND (e.search_done_on IS NULL OR e.search_done_on > c.closed_on)) IS NOT FALSE
ORDER BY c.case_id

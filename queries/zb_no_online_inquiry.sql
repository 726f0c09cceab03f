-- zb_no_online_inquiry — 终本 cases with no online property inquiry (网络执行查控) before termination.
-- One row per 终本 case not known to comply: violated = TRUE when the record shows
-- no inquiry (count 0 or empty, no last-inquiry date, no online_inquiry event
-- on or before closed_on); NULL without an enforcement record.
-- Basis: 法〔2016〕373号 art. 1(3). Params: none. Read by: detectors/rules/zb_no_online_inquiry.py.
WITH logged AS (
    -- counted only for 终本 cases, the only ones the query returns (not for every case with events)
    SELECT case_id, count(*) AS logged_inquiries
    FROM events ev JOIN cases c USING (case_id)
    WHERE ev.event = 'online_inquiry' AND ev.occurred_at::DATE <= c.closed_on
      AND c.case_kind = 'enforcement' AND c.close_method = 'terminated_this_round'
    GROUP BY case_id
)
SELECT c.case_id AS subject_id, c.case_id, c.judge_id, c.court_id,
       c.filed_on, c.closed_on, e.online_inquiries, e.last_online_inquiry_on,
       coalesce(l.logged_inquiries, 0) AS logged_inquiries,
       CASE WHEN e.case_id IS NULL OR c.closed_on IS NULL THEN NULL
            ELSE coalesce(e.online_inquiries, 0) = 0
                 AND (e.last_online_inquiry_on IS NULL OR e.last_online_inquiry_on > c.closed_on)
                 AND l.logged_inquiries IS NULL END AS violated,
       1.0 AS score
FROM cases c
LEFT JOIN enforcement e USING (case_id)
LEFT JOIN logged l USING (case_id)
WHERE c.case_kind = 'enforcement' AND c.close_method = 'terminated_this_round'
  AND (CASE WHEN e.case_id IS NULL OR c.closed_on IS NULL THEN NULL
            ELSE coalesce(e.online_inquiries, 0) = 0
                 AND (e.last_online_inquiry_on IS NULL OR e.last_online_inquiry_on > c.closed_on)
                 AND l.logged_inquiries IS NULL END) IS NOT FALSE
ORDER BY c.case_id

-- zb_no_online_inquiry — 终本 cases with no online property inquiry (网络执行查控) before termination.
-- One row per 终本 case not known to comply: violated = TRUE when the record shows
-- no inquiry (count 0 or empty, no last-inquiry date, no online_inquiry event
-- on or before closed_on); NULL without an enforcement record.
-- Basis: 法〔2016〕373号 art. 1(3). Params: none. Read by: detectors/rules/zb_no_online_inquiry.py.
WITH zb AS (
    SELECT c.case_id, c.judge_id, c.court_id, c.filed_on, c.closed_on, e.online_inquiries, e.last_online_inquiry_on,
           -- NULL without an enforcement record or a closing date; FALSE when the record shows an inquiry
           CASE WHEN e.case_id IS NULL OR c.closed_on IS NULL THEN NULL
                ELSE coalesce(e.online_inquiries, 0) = 0
                     AND (e.last_online_inquiry_on IS NULL OR e.last_online_inquiry_on > c.closed_on) END AS none_recorded
    FROM cases c
    LEFT JOIN enforcement e USING (case_id)
    WHERE c.case_kind = 'enforcement' AND c.close_method = 'terminated_this_round'
),
logged AS (
    -- counted only for the cases the query returns: a case whose record shows an inquiry complies whatever
    -- the log holds
    SELECT z.case_id, count(*) AS logged_inquiries
    FROM events ev JOIN zb z ON z.case_id = ev.case_id
    WHERE ev.event = 'online_inquiry' AND ev.occurred_at::DATE <= z.closed_on AND z.none_recorded IS NOT FALSE
    GROUP BY z.case_id
)
SELECT z.case_id AS subject_id, z.case_id, z.judge_id, z.court_id,
       z.filed_on, z.closed_on, z.online_inquiries, z.last_online_inquiry_on,
       coalesce(l.logged_inquiries, 0) AS logged_inquiries,
       CASE WHEN z.none_recorded IS NULL THEN NULL ELSE z.none_recorded AND l.logged_inquiries IS NULL END AS violated,
       1.0 AS score
FROM zb z
LEFT JOIN logged l USING (case_id)
WHERE z.none_recorded IS NULL OR (z.none_recorded AND l.logged_inquiries IS NULL)
ORDER BY z.case_id

-- dash_case_timeline — what happened in one case, in time order: filing and closing from the cases table,
-- the dated steps of an enforcement case (notice, orders, inquiries, applicant informed, search), and every
-- row of the events log.
-- One row per happening: occurred_at (timestamp), event (a code: filed, closed, notice_on, …, or the events.event
-- code), source ('case' | 'enforcement' | 'events'), actor_id (staff pseudonym), amount (yuan), note.
-- Params: $case_id. Read by: dashboard/data.py (case_timeline) for the flag detail page.
WITH c AS (SELECT * FROM cases WHERE case_id = $case_id),
e AS (SELECT * FROM enforcement WHERE case_id = $case_id)
SELECT filed_on::TIMESTAMP AS occurred_at, 'filed' AS event, 'case' AS source, judge_id AS actor_id,
       claim_amount AS amount, cause AS note FROM c WHERE filed_on IS NOT NULL
UNION ALL
SELECT closed_on::TIMESTAMP, 'closed', 'case', judge_id, NULL, close_method FROM c WHERE closed_on IS NOT NULL
UNION ALL
SELECT d.day::TIMESTAMP, d.event, 'enforcement', NULL, d.amount, NULL
FROM e, LATERAL (VALUES
    (e.notice_on, 'notice_on', NULL::DOUBLE),
    (e.report_order_on, 'report_order_on', NULL),
    (e.restriction_order_on, 'restriction_order_on', NULL),
    (e.dishonest_listed_on, 'dishonest_listed_on', NULL),
    (e.last_online_inquiry_on, 'last_online_inquiry_on', NULL),
    (e.onsite_investigation_on, 'onsite_investigation_on', e.assets_found_value),
    (e.applicant_informed_on, 'applicant_informed_on', NULL),
    (e.search_done_on, 'search_done_on', NULL)
) AS d(day, event, amount)
WHERE d.day IS NOT NULL
UNION ALL
SELECT occurred_at, event, 'events', actor_id, amount, note FROM events WHERE case_id = $case_id
ORDER BY occurred_at, source, event

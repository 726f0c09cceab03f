-- interference_followed_by_change — a recorded inquiry or interference (过问案件登记) followed by a change in the case's handling.
-- One row per case with an interference_record event and, after it, a sign the handling changed:
--   reassignments_after: a `reassignment` (变更承办人) on or after the first record;
--   designated: the case was assigned by designation (cases.assignment = 'designated', 指定分案), not at random
--     (the export does not date the assignment, so it is a co-occurrence, not an order);
--   late_edits_after: a post_close_edit more than $grace_days days after closing, on or after the first record.
-- violated = TRUE for these; a case whose records are followed by none of them is not listed: recording is
-- what the 2015 rules require (领导干部干预司法活动、插手具体案件处理的记录、通报和责任追究规定；司法机关内部人员
-- 过问案件的记录和责任追究规定), and the risk is what may follow an interference, or its not being recorded
-- (interference_records_absent.sql). A heuristic: each sign has innocent explanations.
-- Params: $grace_days. Read by: detectors/rules/interference_followed_by_change.py. Twin: queries/spark/interference_followed_by_change.sql.
WITH records AS (
    SELECT case_id, count(*) AS records, min(occurred_at) AS first_recorded_at
    FROM events
    WHERE event = 'interference_record' AND occurred_at IS NOT NULL
    GROUP BY case_id
),
recorded AS (  -- the recorded cases with what the rule reads of them: cases read once, not once per use
    SELECT r.case_id, r.records, r.first_recorded_at, c.judge_id, c.court_id, c.assignment, c.closed_on
    FROM records r JOIN cases c ON c.case_id = r.case_id
),
followed AS (  -- only the two kinds of event counted: not every event of the recorded cases
    SELECT r.case_id,
           count(*) FILTER (WHERE e.event = 'reassignment' AND e.occurred_at >= r.first_recorded_at) AS reassignments_after,
           count(*) FILTER (WHERE e.event = 'post_close_edit' AND e.occurred_at >= r.first_recorded_at
                            AND e.occurred_at::DATE > r.closed_on + $grace_days) AS late_edits_after
    FROM recorded r
    JOIN events e ON e.case_id = r.case_id
    WHERE e.event IN ('reassignment', 'post_close_edit')
    GROUP BY r.case_id
)
SELECT r.case_id AS subject_id, r.case_id, r.judge_id, r.court_id, r.records, r.first_recorded_at, r.assignment,
       coalesce(f.reassignments_after, 0) AS reassignments_after, coalesce(f.late_edits_after, 0) AS late_edits_after,
       coalesce(r.assignment = 'designated', FALSE) AS designated,
       TRUE AS violated,
       least(1.0, 0.5 + 0.1 * r.records) AS score
FROM recorded r
LEFT JOIN followed f ON f.case_id = r.case_id
WHERE coalesce(f.reassignments_after, 0) > 0 OR coalesce(f.late_edits_after, 0) > 0 OR r.assignment = 'designated'
ORDER BY r.case_id

-- pattern_extension_by_approver — who approved the extensions of whose cases.
-- One row per (court_id, case_kind, approver_id, judge_id): approvals = `extension` events by $as_of on that
-- judge's cases of that court and kind approved by that staff member (events.approver_id, contract
-- extension E6). approver_id is NULL for the extensions whose approver the export does not record (counted,
-- never attributed to anyone).
-- Params: $as_of. Read by: detectors/patterns/extension_approval_concentration.py.
SELECT c.court_id, c.case_kind, ev.approver_id, c.judge_id, count(*) AS approvals
FROM events ev JOIN cases c ON c.case_id = ev.case_id
WHERE ev.event = 'extension' AND c.judge_id IS NOT NULL
  AND (ev.occurred_at IS NULL OR CAST(ev.occurred_at AS DATE) <= $as_of)
GROUP BY c.court_id, c.case_kind, ev.approver_id, c.judge_id
ORDER BY c.court_id, c.case_kind, ev.approver_id NULLS LAST, c.judge_id

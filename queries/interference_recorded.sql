-- interference_recorded — cases with a recorded inquiry or interference by officials or court insiders (过问案件登记).
-- One row per case with at least one interference_record event: the record
-- itself is what the rules require to be reviewed.
-- Basis: 领导干部干预司法活动、插手具体案件处理的记录、通报和责任追究规定 (中办发〔2015〕23号);
-- 司法机关内部人员过问案件的记录和责任追究规定 (2015). Params: none. Read by: detectors/rules/interference_recorded.py.
SELECT c.case_id AS subject_id, c.case_id, c.judge_id, c.court_id,
       count(*) AS records,
       min(ev.occurred_at) AS first_recorded_at,
       max(ev.occurred_at) AS last_recorded_at,
       TRUE AS violated,
       least(1.0, 0.7 + 0.1 * count(*)) AS score
FROM events ev JOIN cases c USING (case_id)
WHERE ev.event = 'interference_record'
GROUP BY c.case_id, c.judge_id, c.court_id
ORDER BY c.case_id

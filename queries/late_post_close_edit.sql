-- late_post_close_edit — closed cases edited long after closing.
-- One row per case with a post_close_edit event more than $grace_days days
-- after closed_on (an edit within the grace period is a clerical correction).
-- Figures: number of late edits, the latest one, days after closing.
-- Basis: 最高人民法院 审判流程信息公开/案件质量评查 practice: a closed record is final,
-- and late edits are an integrity risk to be checked. Params: $grace_days.
-- Read by: detectors/rules/late_post_close_edit.py.
SELECT c.case_id AS subject_id, c.case_id, c.judge_id, c.court_id, c.closed_on,
       count(*) AS late_edits,
       max(ev.occurred_at) AS latest_edit_at,
       max(date_diff('day', c.closed_on, ev.occurred_at::DATE)) AS days_after_closing,
       string_agg(DISTINCT ev.actor_id, ',' ORDER BY ev.actor_id) AS editors,  -- ordered: same text every run and engine
       TRUE AS violated,
       least(1.0, 0.5 + max(date_diff('day', c.closed_on, ev.occurred_at::DATE)) / 730.0) AS score
FROM events ev JOIN cases c USING (case_id)
WHERE ev.event = 'post_close_edit' AND c.closed_on IS NOT NULL
  AND ev.occurred_at::DATE > c.closed_on + to_days($grace_days)
GROUP BY c.case_id, c.judge_id, c.court_id, c.closed_on
ORDER BY c.case_id

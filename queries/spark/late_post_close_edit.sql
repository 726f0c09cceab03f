-- late_post_close_edit (Spark SQL) — closed cases edited long after closing.
-- One row per case with a post_close_edit event more than :grace_days days
-- after closed_on (an edit within the grace period is a clerical correction).
-- Figures: number of late edits, the latest one, days after closing, editors.
-- Same question as queries/late_post_close_edit.sql: date_add for DuckDB's
-- date + to_days(), datediff(DAY, a, b) for date_diff('day', a, b), WITHIN GROUP
-- for string_agg's ORDER BY, DOUBLE literals in the score.
-- Params: :grace_days. Read by: courtwatch/pipeline/spark_engine.py → detectors/rules/late_post_close_edit.py.
SELECT c.case_id AS subject_id, c.case_id, c.judge_id, c.court_id, c.closed_on,
       count(*) AS late_edits,
       max(ev.occurred_at) AS latest_edit_at,
       max(datediff(DAY, c.closed_on, CAST(ev.occurred_at AS DATE))) AS days_after_closing,
       string_agg(DISTINCT ev.actor_id, ',') WITHIN GROUP (ORDER BY ev.actor_id) AS editors,
       TRUE AS violated,
       least(1.0D, 0.5D + max(datediff(DAY, c.closed_on, CAST(ev.occurred_at AS DATE))) / 730.0D) AS score
FROM events ev JOIN cases c USING (case_id)
WHERE ev.event = 'post_close_edit' AND c.closed_on IS NOT NULL
  AND CAST(ev.occurred_at AS DATE) > date_add(c.closed_on, :grace_days)
GROUP BY c.case_id, c.judge_id, c.court_id, c.closed_on
ORDER BY c.case_id

-- latest_full_run_with_states — the run whose model states an incremental run scores against: the
-- latest full run, if it kept states (0 or 1 row: run_id). Params: none. Read by: courtwatch/pipeline/runs.py.
SELECT r.run_id
FROM runs r
WHERE r.mode = 'full' AND r.run_id IN (SELECT run_id FROM model_states)
  AND r.started_at = (SELECT max(started_at) FROM runs WHERE mode = 'full')

-- previous_runs — the runs an incremental run may build on, newest first: run_id, code_version and
-- config (JSON text), which the incremental run must share. Params: none. Read by: courtwatch/pipeline/runs.py.
SELECT run_id, code_version, config::VARCHAR AS config
FROM runs
ORDER BY started_at DESC, run_id DESC

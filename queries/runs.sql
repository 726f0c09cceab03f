-- runs — detection runs, newest first: run_id, started_at, finished_at, as_of, code_version, data_fingerprint, flag_count.
-- Params: none. Read by: courtwatch/pipeline/runs.py, the dashboard.
SELECT run_id, started_at, finished_at, as_of, code_version, data_fingerprint, flag_count
FROM runs
ORDER BY started_at DESC, run_id DESC

-- previous_runs — the runs an incremental run builds on, newest first: run_id, mode (NULL for
-- runs recorded before modes existed, which were full), as_of, code_version and config (JSON text).
-- Params: none. Read by: courtwatch/runs.py.
SELECT run_id, coalesce(mode, 'full') AS mode, as_of, code_version, config::VARCHAR AS config
FROM runs
ORDER BY started_at DESC, run_id DESC

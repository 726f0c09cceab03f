-- brief_run — the detection run a briefing reports: the given run, else the latest.
-- One row (none when there is no run): run_id, started_at, finished_at, as_of, code_version,
-- data_fingerprint, flag_count, export_date (of the latest import, NULL if unknown).
-- Params: $run_id (VARCHAR or NULL = latest). Read by: courtwatch/reporting/figures.py.
SELECT r.run_id, r.started_at, r.finished_at, r.as_of, r.code_version, r.data_fingerprint, r.flag_count,
       (SELECT max(export_date) FROM imports) AS export_date
FROM runs r
WHERE $run_id::VARCHAR IS NULL OR r.run_id = $run_id::VARCHAR
ORDER BY r.started_at DESC, r.run_id DESC
LIMIT 1

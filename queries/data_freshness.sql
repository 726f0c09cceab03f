-- data_freshness — one row: the latest run (id, as_of, finished_at, flag_count, mode and --since date), when the
-- latest full run finished (judge- and court-level flags date from it), the latest import's time and
-- export date, and how many rows are held in quarantine. NULLs when nothing was run or imported yet.
-- Params: none. Read by: dashboard (every page's header), briefings.
SELECT
    (SELECT run_id FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1) AS run_id,
    (SELECT as_of FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1) AS as_of,
    (SELECT finished_at FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1) AS run_finished_at,
    (SELECT flag_count FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1) AS flag_count,
    (SELECT coalesce(mode, 'full') FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1) AS run_mode,
    (SELECT since FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1) AS run_since,
    (SELECT finished_at FROM runs WHERE coalesce(mode, 'full') = 'full'
     ORDER BY started_at DESC, run_id DESC LIMIT 1) AS full_run_finished_at,
    (SELECT max(imported_at) FROM imports) AS imported_at,
    (SELECT export_date FROM imports ORDER BY imported_at DESC LIMIT 1) AS export_date,
    (SELECT count(DISTINCT (file_sha256, row_number)) FROM quarantine) AS quarantined_rows

-- sentencing_review_settings — how one run made its sentencing review list, for the page's caption.
-- One row: min_cell and top_k (the run's recorded [stats] review_min_cell / review_top_k, the
-- documented defaults 30 / 20 when the run recorded none), mode (full | incremental) and
-- reference_run (an incremental run carries that run's list). No row for an unknown run.
-- Params: $run_id. Read by: dashboard/data.py (review_settings).
SELECT coalesce(json_extract(config, '$.stats.review_min_cell')::INTEGER, 30) AS min_cell,
       coalesce(json_extract(config, '$.stats.review_top_k')::INTEGER, 20) AS top_k,
       coalesce(mode, 'full') AS mode,
       reference_run
FROM runs
WHERE run_id = $run_id

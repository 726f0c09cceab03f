-- dash_run_detectors — what each detector did in one run, and the configuration the run used.
-- One row per detector: detector, category, status (ok | skipped | failed), flag_count, rows_skipped,
-- seconds, note, config (the run's merged configuration as JSON text, the same on every row).
-- Params: $run_id. Read by: dashboard/data.py (model_cards).
SELECT d.detector, d.category, d.status, d.flag_count, d.rows_skipped, d.seconds, d.note,
       r.config::VARCHAR AS config
FROM run_detectors d JOIN runs r USING (run_id)
WHERE d.run_id = $run_id
ORDER BY d.category, d.detector

-- brief_run_detectors — what each detector did in a run (ok / skipped / failed), for a briefing's method notes.
-- One row per detector of the run: detector, category, status, flag_count (whole run, all courts),
-- rows_skipped, note.
-- Params: $run_id. Read by: courtwatch/reporting/figures.py (detector_status).
SELECT detector, category, status, flag_count, rows_skipped, note
FROM run_detectors
WHERE run_id = $run_id
ORDER BY category, detector

-- run_detector_statuses — what each detector did in run $run_id, for an incremental run deciding whether a
-- written rule may carry that run's flags of the unchanged cases: one row per detector of the run, its status
-- (ok, incremental, skipped, …) and the run's as-of date. Params: $run_id.
-- Read by: courtwatch/pipeline/runner.py (`_recheck_reason`).
SELECT d.detector, d.status, r.as_of
FROM run_detectors d
JOIN runs r ON r.run_id = d.run_id
WHERE d.run_id = $run_id
ORDER BY d.detector

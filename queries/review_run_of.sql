-- review_run_of — the run whose sentencing review list run $run_id shows (one row: review_run): its
-- recorded review_run, or the run itself when it recorded none (a run made before runs.review_run, whose
-- list, its own or carried, is under its own id). Params: $run_id.
-- Read by: courtwatch/pipeline/runs.py (an incremental run shows the list of the run it builds on);
-- queries/sentencing_review_of_run.sql resolves it the same way.
SELECT coalesce(review_run, run_id) AS review_run
FROM runs
WHERE run_id = $run_id::VARCHAR

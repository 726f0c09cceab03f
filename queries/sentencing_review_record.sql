-- sentencing_review_record — stores one run's review list (detectors/sentencing/review.py).
-- Inserts one row per listed sentence from the registered frame `new_review` (the columns of
-- the sentencing_review table; similar_cases as JSON text). Params: none.
-- Read by: courtwatch/pipeline/runs.py (full runs, both engines).
INSERT INTO sentencing_review BY NAME
SELECT * EXCLUDE (similar_cases), similar_cases::JSON AS similar_cases FROM new_review

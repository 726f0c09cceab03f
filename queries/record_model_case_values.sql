-- record_model_case_values — after a full run: the per-case figures its models kept
-- (DetectContext.keep_case_values) replace every earlier run's. Reads the registered frame
-- new_model_case_values (run_id, model, part, case_id, value). Params: none. Read by: courtwatch/pipeline/runs.py.
DELETE FROM model_case_values;
INSERT INTO model_case_values BY NAME SELECT * FROM new_model_case_values;

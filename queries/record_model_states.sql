-- record_model_states — after a full run: the states its case-level models kept (DetectContext.keep_state)
-- replace every earlier run's, since an incremental run reads only the latest full run's. Reads the
-- registered frame new_model_states (run_id, model, part, arrays, meta). Params: none.
-- Read by: courtwatch/pipeline/runs.py.
DELETE FROM model_states;
INSERT INTO model_states BY NAME SELECT run_id, model, part, arrays, meta::JSON AS meta FROM new_model_states;

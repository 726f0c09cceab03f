-- pattern_termination_procedure — how each 终本 case of some courts was handled, as numbers a model can compare.
-- One row per enforcement case terminated for now (closed on or before $as_of) in the courts listed in
-- $court_ids, with the procedure features of queries/stages/termination_procedure_features.sql; a full run
-- fits one model per partition of courts.
-- Params: $as_of, $court_ids (list). Read by: detectors/patterns/termination_procedure_outlier.py.
WITH
-- include: termination_procedure_features
SELECT *
FROM procedure_features
WHERE list_contains($court_ids, court_id)
ORDER BY case_id

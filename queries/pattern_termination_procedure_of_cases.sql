-- pattern_termination_procedure_of_cases — how some 终本 cases were handled, as numbers a model can compare.
-- One row per enforcement case terminated for now (closed on or before $as_of) among the cases listed in
-- $case_ids, with the procedure features of queries/stages/termination_procedure_features.sql: an
-- incremental run scores its new or changed cases against the models a full run kept.
-- Params: $as_of, $case_ids (list). Read by: detectors/patterns/termination_procedure_outlier.py.
WITH
-- include: termination_procedure_features
SELECT *
FROM procedure_features
WHERE case_id IN (SELECT unnest($case_ids::VARCHAR[]))
ORDER BY case_id

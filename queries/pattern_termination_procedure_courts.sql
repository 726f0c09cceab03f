-- pattern_termination_procedure_courts — how many 终本 cases each court holds, to partition the procedure model.
-- One row per court with at least one enforcement case terminated for now (终本) on or before $as_of.
-- The procedure-outlier detector groups courts into partitions of bounded size and fits one
-- model per partition, so memory stays flat at 10M cases.
-- Params: $as_of. Read by: detectors/patterns/termination_procedure_outlier.py.
SELECT c.court_id, count(*) AS terminated_cases
FROM cases c
WHERE c.case_kind = 'enforcement' AND c.close_method = 'terminated_this_round'
  AND c.closed_on IS NOT NULL AND c.closed_on <= $as_of
GROUP BY c.court_id
ORDER BY c.court_id

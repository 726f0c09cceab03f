-- sentencing_peer_groups — the partitions the sentencing model is fitted on.
-- One row per peer group of defendants with a custodial sentence (拘役 or
-- 有期徒刑) in a criminal case closed by $as_of: a single charge is its own
-- group; every multi-charge defendant (数罪并罚, charges joined by
-- $separator) is in the one group '数罪并罚', so they are compared only with
-- each other. Columns: peer_group, defendants (rows in the group).
-- Never reads gender, ethnicity or local_resident.
-- Params: $as_of, $separator. Read by: detectors/sentencing/fit.py (one fit per row).
SELECT CASE WHEN contains(d.charge, $separator) THEN '数罪并罚' ELSE d.charge END AS peer_group,
       count(*) AS defendants
FROM defendants d
JOIN cases c USING (case_id)
WHERE c.case_kind = 'criminal'
  AND c.closed_on <= $as_of
  AND (d.sentence_kind IN ('detention', 'fixed_term') OR d.sentence_kind IS NULL)
GROUP BY ALL
ORDER BY peer_group

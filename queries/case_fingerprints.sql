-- case_fingerprints — one row per loaded case: case_id and `fingerprint`, a hash of the case's own
-- row, of every row that hangs off it (defendants, enforcement, events, representations) and of its
-- court's row (courts: the province whose frames and thresholds the written rules apply), independent
-- of row order. Equal content gives an equal fingerprint, so a re-import of an unchanged case leaves it
-- alone, and a court whose record changed has every case of it rescored. Params: none.
-- Read by: courtwatch/pipeline/runs.py (kept as a temp table for incremental_scope.sql and
-- record_case_fingerprints.sql).
WITH d AS (SELECT case_id, sum(hash(x)::HUGEINT) AS h FROM defendants x GROUP BY case_id),
     e AS (SELECT case_id, sum(hash(x)::HUGEINT) AS h FROM enforcement x GROUP BY case_id),
     v AS (SELECT case_id, sum(hash(x)::HUGEINT) AS h FROM events x GROUP BY case_id),
     r AS (SELECT case_id, sum(hash(x)::HUGEINT) AS h FROM representations x GROUP BY case_id)
SELECT c.case_id,
       hash(c, coalesce(d.h, 0), coalesce(e.h, 0), coalesce(v.h, 0), coalesce(r.h, 0), coalesce(hash(ct), 0))
           AS fingerprint
FROM cases c
LEFT JOIN d USING (case_id)
LEFT JOIN e USING (case_id)
LEFT JOIN v USING (case_id)
LEFT JOIN r USING (case_id)
LEFT JOIN courts ct ON ct.court_id = c.court_id

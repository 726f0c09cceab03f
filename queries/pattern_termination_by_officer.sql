-- pattern_termination_by_officer — each enforcement officer's 终本 count against a case-mix expectation.
-- One row per officer (cases.judge_id) and court, over enforcement cases closed on or before $as_of:
--   n          closed cases whose claim amount and respondent kind are known,
--   terminated those closed by 终结本次执行程序 (close_method = 'terminated_this_round'),
--   expected   indirect standardisation, leave-one-out: for each of the officer's cases, the 终本 rate
--              of the same stratum (court × claim-amount band × respondent kind) among the OTHER
--              officers' cases, shrunk toward the province rate of the band × respondent kind with
--              $prior_cases pseudo-cases (so a thin court stratum borrows from the province);
--   skipped    the officer's closed cases left out because claim amount or respondent kind is unknown.
-- Band = number of $band_edges (yuan, ascending) at or below the claim amount.
-- Also per row: the court's own n / terminated / expected against the province (leave-court-out),
-- shown as context in the evidence.
-- Scales by GROUP BY (officer × stratum cells), never per case in Python.
-- Params: $as_of, $band_edges, $prior_cases. Read by: detectors/patterns/termination_rate.py.
WITH closed AS (
    SELECT c.case_id, c.judge_id, c.court_id,
           len(list_filter($band_edges, lambda edge: edge <= c.claim_amount)) AS band,
           e.respondent_kind,
           (c.claim_amount IS NOT NULL AND e.respondent_kind IS NOT NULL) AS known,
           CASE WHEN c.close_method = 'terminated_this_round' THEN 1 ELSE 0 END AS zb
    FROM cases c
    JOIN enforcement e USING (case_id)
    WHERE c.case_kind = 'enforcement'
      AND c.closed_on IS NOT NULL AND c.closed_on <= $as_of
      AND c.close_method IS NOT NULL AND c.judge_id IS NOT NULL
),
cells AS (          -- officer × stratum
    SELECT judge_id, court_id, band, respondent_kind, count(*) AS n, sum(zb) AS z
    FROM closed WHERE known
    GROUP BY judge_id, court_id, band, respondent_kind
),
strata AS (
    SELECT *,
           sum(n) OVER (PARTITION BY court_id, band, respondent_kind) AS court_n,
           sum(z) OVER (PARTITION BY court_id, band, respondent_kind) AS court_z,
           sum(n) OVER (PARTITION BY band, respondent_kind) AS prov_n,
           sum(z) OVER (PARTITION BY band, respondent_kind) AS prov_z
    FROM cells
),
expected AS (
    SELECT *,
           -- province rate of the stratum without this officer's cases
           (prov_z - z) / greatest(prov_n - n, 1) AS prov_rate_loo,
           -- the court's other officers, shrunk toward the province
           ((court_z - z) + $prior_cases * (prov_z - z) / greatest(prov_n - n, 1))
               / ((court_n - n) + $prior_cases) AS rate_loo
    FROM strata
),
officers AS (
    SELECT judge_id, court_id, sum(n) AS n, sum(z) AS terminated, sum(n * rate_loo) AS expected
    FROM expected GROUP BY judge_id, court_id
),
court_cells AS (    -- court × band × respondent kind, for the court's rate against the province
    SELECT court_id, band, respondent_kind, sum(n) AS n, sum(z) AS z,
           sum(sum(n)) OVER (PARTITION BY band, respondent_kind) AS prov_n,
           sum(sum(z)) OVER (PARTITION BY band, respondent_kind) AS prov_z
    FROM cells GROUP BY court_id, band, respondent_kind
),
courts_rate AS (
    SELECT court_id, sum(n) AS court_n, sum(z) AS court_terminated,
           sum(n * (prov_z - z) / greatest(prov_n - n, 1)) AS court_expected
    FROM court_cells GROUP BY court_id
),
unknown AS (
    SELECT judge_id, court_id, count(*) AS skipped FROM closed WHERE NOT known GROUP BY judge_id, court_id
)
SELECT o.judge_id, o.court_id, o.n, o.terminated, o.expected,
       coalesce(u.skipped, 0) AS skipped,
       cr.court_n, cr.court_terminated, cr.court_expected
FROM officers o
LEFT JOIN unknown u USING (judge_id, court_id)
LEFT JOIN courts_rate cr USING (court_id)
UNION ALL           -- officers all of whose cases lack a needed field still count as skipped
SELECT u.judge_id, u.court_id, 0, 0, 0.0, u.skipped, NULL, NULL, NULL
FROM unknown u ANTI JOIN officers o USING (judge_id, court_id)
ORDER BY judge_id, court_id

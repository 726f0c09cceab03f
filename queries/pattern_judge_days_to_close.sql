-- pattern_judge_days_to_close — per judge, how long their cases take to close, against peers at the same court level.
-- One row per (judge, court, group) over cases closed on or before $as_of with known filing and closing
-- dates. Each case's residual = ln(1 + days to close) − mean of the same in its stratum (court level ×
-- case type); the row gives n, the mean residual (>0: slower than peers) and its within-judge variance,
-- plus the judge's median days to close and the stratum-weighted peer median, for the explanation.
-- group: 'trial' (criminal, civil, administrative) or 'enforcement'.
-- Params: $as_of. Read by: detectors/patterns/judge_profile_outlier.py.
WITH base AS (
    SELECT c.judge_id, c.court_id, coalesce(co.level, 'unknown') AS level, c.case_type,
           CASE WHEN c.case_kind = 'enforcement' THEN 'enforcement' ELSE 'trial' END AS grp,
           date_diff('day', c.filed_on, c.closed_on) AS days
    FROM cases c LEFT JOIN courts co USING (court_id)
    WHERE c.judge_id IS NOT NULL AND c.filed_on IS NOT NULL
      AND c.closed_on IS NOT NULL AND c.closed_on <= $as_of AND c.closed_on >= c.filed_on
      AND c.case_kind IN ('criminal', 'civil', 'administrative', 'enforcement')
),
resid AS (
    SELECT *, ln(1 + days) - avg(ln(1 + days)) OVER (PARTITION BY level, case_type) AS r,
           median(days) OVER (PARTITION BY level, case_type) AS stratum_median
    FROM base
)
SELECT judge_id, court_id, grp, count(*) AS n, avg(r) AS mean_residual,
       coalesce(var_samp(r), 0) AS var_residual,
       median(days) AS median_days, avg(stratum_median) AS peer_median_days
FROM resid
GROUP BY judge_id, court_id, grp
ORDER BY judge_id, court_id, grp

-- pattern_judge_rates — per judge, how often something happens in their cases, against peers at the same court level.
-- One row per (judge, court, group, metric). group: 'trial' (criminal, civil, administrative cases) or
-- 'enforcement'. Metrics (a case counts once; unknown fields leave the case out of that metric):
--   extension        trial cases closed by $as_of with at least one approved deadline extension (extensions > 0)
--   designated       cases filed by $as_of assigned by designation rather than at random
--   reversal         trial cases closed by $as_of whose appeal ended 'amended' or 'remanded', among those appealed
--                    (appeal_outcome other than 'none')
--   post_close_edit  closed cases with a post_close_edit event after the closing date (events table loaded)
--   interference     cases with an interference_record event (过问案件登记; events table loaded)
--   zb               enforcement cases closed by $as_of that ended by 终本 (terminated_this_round)
-- Columns: n (cases in the metric's denominator), events, expected = indirect standardisation over
-- strata (court level × case type, e.g. 基层 民初), leave-one-out (the judge's own cases removed from the
-- stratum rate), shrunk toward the province rate of the case type with $prior_cases pseudo-cases;
-- unknown = the judge's cases left out of the metric because the field is unknown.
-- Params: $as_of, $prior_cases. Read by: detectors/patterns/judge_rate_outlier.py, detectors/patterns/judge_profile_outlier.py.
WITH base AS (
    SELECT c.case_id, c.judge_id, c.court_id, coalesce(co.level, 'unknown') AS level, c.case_type,
           CASE WHEN c.case_kind = 'enforcement' THEN 'enforcement' ELSE 'trial' END AS grp,
           c.closed_on IS NOT NULL AND c.closed_on <= $as_of AS closed, c.closed_on,
           c.extensions, c.assignment, c.appeal_outcome, c.close_method
    FROM cases c LEFT JOIN courts co USING (court_id)
    WHERE c.judge_id IS NOT NULL AND c.filed_on <= $as_of
      AND c.case_kind IN ('criminal', 'civil', 'administrative', 'enforcement')
),
loaded AS (SELECT count(*) > 0 AS events_loaded FROM events),
edited AS (
    SELECT DISTINCT b.case_id FROM events ev JOIN base b USING (case_id)
    WHERE ev.event = 'post_close_edit' AND b.closed AND ev.occurred_at::DATE > b.closed_on
),
interfered AS (SELECT DISTINCT case_id FROM events WHERE event = 'interference_record'),
obs AS (
    SELECT judge_id, court_id, level, case_type, grp, 'extension' AS metric,
           CASE WHEN extensions IS NULL THEN NULL WHEN extensions > 0 THEN 1 ELSE 0 END AS y
    FROM base WHERE grp = 'trial' AND closed
    UNION ALL
    SELECT judge_id, court_id, level, case_type, grp, 'designated',
           CASE assignment WHEN 'designated' THEN 1 WHEN 'random' THEN 0 END
    FROM base
    UNION ALL
    SELECT judge_id, court_id, level, case_type, grp, 'reversal',
           CASE WHEN appeal_outcome IS NULL THEN NULL WHEN appeal_outcome IN ('amended', 'remanded') THEN 1 ELSE 0 END
    FROM base WHERE grp = 'trial' AND closed AND appeal_outcome IS DISTINCT FROM 'none'
    UNION ALL
    SELECT b.judge_id, b.court_id, b.level, b.case_type, b.grp, 'post_close_edit',
           CASE WHEN e.case_id IS NOT NULL THEN 1 ELSE 0 END
    FROM base b LEFT JOIN edited e USING (case_id)
    WHERE b.closed AND (SELECT events_loaded FROM loaded)
    UNION ALL
    SELECT b.judge_id, b.court_id, b.level, b.case_type, b.grp, 'interference',
           CASE WHEN i.case_id IS NOT NULL THEN 1 ELSE 0 END
    FROM base b LEFT JOIN interfered i USING (case_id)
    WHERE (SELECT events_loaded FROM loaded)
    UNION ALL
    SELECT judge_id, court_id, level, case_type, grp, 'zb',
           CASE WHEN close_method IS NULL THEN NULL WHEN close_method = 'terminated_this_round' THEN 1 ELSE 0 END
    FROM base WHERE grp = 'enforcement' AND closed
),
cells AS (
    SELECT judge_id, court_id, grp, metric, level, case_type,
           count(y) AS n, coalesce(sum(y), 0) AS z, count(*) - count(y) AS unknown
    FROM obs GROUP BY ALL
),
strata AS (
    SELECT *,
           sum(n) OVER (PARTITION BY metric, level, case_type) AS level_n,
           sum(z) OVER (PARTITION BY metric, level, case_type) AS level_z,
           sum(n) OVER (PARTITION BY metric, case_type) AS prov_n,
           sum(z) OVER (PARTITION BY metric, case_type) AS prov_z
    FROM cells
)
SELECT judge_id, court_id, grp, metric, any_value(level) AS level,
       sum(n) AS n, sum(z) AS events,
       sum(n * ((level_z - z) + $prior_cases * (prov_z - z) / greatest(prov_n - n, 1))
             / ((level_n - n) + $prior_cases)) AS expected,
       sum(unknown) AS unknown
FROM strata
GROUP BY judge_id, court_id, grp, metric
ORDER BY judge_id, court_id, grp, metric

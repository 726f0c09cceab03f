-- dash_unit_rates — a judge's or a court's rates over a period against its peers (plain case data).
-- One row per metric for the unit $unit_id ($unit = 'judge' or 'court'), over cases closed in the period:
--   closed           cases closed
--   days_to_close    median days from filing to closing
--   extension_rate   trial cases (not enforcement) with at least one approved extension, among known
--   reversal_rate    appealed cases amended or remanded, among those with an appeal outcome other than none
--   zb_share         enforcement cases closed by 终本 (terminated_this_round), among those with a close method
--   designated_share cases assigned by designation, among those with a known assignment
-- Columns: metric, value, n (denominator), peer_median, peer_p10, peer_p90, percentile (0–1 among peers,
-- by value), peers (units with a value). Peers: judges with the same role at courts of the same level;
-- courts of the same level. Unknown fields leave the case out of that metric, never count as 0.
-- Params: $unit, $unit_id, $start, $end. Read by: dashboard/data.py (unit_rates) for the profile pages.
WITH base AS (
    SELECT CASE WHEN $unit = 'judge' THEN c.judge_id ELSE c.court_id END AS unit_id,
           CASE WHEN $unit = 'judge' THEN coalesce(j.role, '?') || '/' || coalesce(co.level, '?')
                ELSE coalesce(co.level, '?') END AS peer_group,
           c.case_kind, c.extensions, c.appeal_outcome, c.close_method, c.assignment,
           date_diff('day', c.filed_on, c.closed_on) AS days
    FROM cases c
    LEFT JOIN judges j ON j.judge_id = c.judge_id
    LEFT JOIN courts co ON co.court_id = c.court_id
    WHERE c.closed_on BETWEEN $start::DATE AND $end::DATE
),
units AS (
    SELECT unit_id, mode(peer_group) AS peer_group FROM base WHERE unit_id IS NOT NULL GROUP BY unit_id
),
per AS (
    SELECT b.unit_id, 'closed' AS metric, count(*)::DOUBLE AS value, count(*) AS n FROM base b GROUP BY b.unit_id
    UNION ALL
    SELECT unit_id, 'days_to_close', median(days), count(days) FROM base WHERE days IS NOT NULL GROUP BY unit_id
    UNION ALL
    SELECT unit_id, 'extension_rate', avg(CASE WHEN extensions > 0 THEN 1.0 ELSE 0.0 END), count(*)
    FROM base WHERE case_kind <> 'enforcement' AND extensions IS NOT NULL GROUP BY unit_id
    UNION ALL
    SELECT unit_id, 'reversal_rate', avg(CASE WHEN appeal_outcome IN ('amended', 'remanded') THEN 1.0 ELSE 0.0 END),
           count(*)
    FROM base WHERE appeal_outcome IS NOT NULL AND appeal_outcome <> 'none' GROUP BY unit_id
    UNION ALL
    SELECT unit_id, 'zb_share', avg(CASE WHEN close_method = 'terminated_this_round' THEN 1.0 ELSE 0.0 END), count(*)
    FROM base WHERE case_kind = 'enforcement' AND close_method IS NOT NULL GROUP BY unit_id
    UNION ALL
    SELECT unit_id, 'designated_share', avg(CASE WHEN assignment = 'designated' THEN 1.0 ELSE 0.0 END), count(*)
    FROM base WHERE assignment IS NOT NULL GROUP BY unit_id
),
ranked AS (
    SELECT p.unit_id, p.metric, p.value, p.n,
           median(p.value) OVER w AS peer_median,
           quantile_cont(p.value, 0.1) OVER w AS peer_p10,
           quantile_cont(p.value, 0.9) OVER w AS peer_p90,
           percent_rank() OVER (PARTITION BY u.peer_group, p.metric ORDER BY p.value) AS percentile,
           count(*) OVER w AS peers
    FROM per p JOIN units u USING (unit_id)
    WINDOW w AS (PARTITION BY u.peer_group, p.metric)
)
SELECT metric, value, n, peer_median, peer_p10, peer_p90, percentile, peers
FROM ranked
WHERE unit_id = $unit_id
ORDER BY CASE metric WHEN 'closed' THEN 1 WHEN 'days_to_close' THEN 2 WHEN 'extension_rate' THEN 3
                     WHEN 'reversal_rate' THEN 4 WHEN 'zb_share' THEN 5 ELSE 6 END

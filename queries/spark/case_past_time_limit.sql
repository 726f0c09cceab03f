-- case_past_time_limit (Spark SQL) — cases past their statutory time limit (超审限), net of lawful extensions and deductions.
-- One row per case of a type with a statutory limit (the time_limits view) that is not known to be within it
-- as of :as_of. Same rows as queries/case_past_time_limit.sql (see there for the rule): add_months and
-- date_add for DuckDB's date + to_months() + to_days(), datediff(DAY, a, b) for date_diff('day', a, b),
-- DOUBLE literals in the score.
-- Params: :as_of, :grace_days; view time_limits (registered by courtwatch/pipeline/spark_engine.py from
-- detectors/rules/case_past_time_limit.py).
-- Read by: courtwatch/pipeline/spark_engine.py → detectors/rules/case_past_time_limit.py.
WITH scoped AS (
    SELECT c.case_id, c.judge_id, c.court_id, c.case_type, c.filed_on, c.extensions, c.procedure, c.deducted_days,
           c.closed_on IS NULL OR c.closed_on > :as_of AS pending,
           CASE WHEN c.closed_on IS NULL OR c.closed_on > :as_of THEN NULL ELSE c.closed_on END AS closed_on,
           CASE WHEN c.closed_on IS NULL OR c.closed_on > :as_of THEN :as_of ELSE c.closed_on END AS end_on
    FROM cases c
    WHERE c.case_type IN (SELECT DISTINCT case_type FROM time_limits)
      AND (c.filed_on IS NULL OR c.filed_on <= :as_of)
),
suspensions AS (
    SELECT s.case_id, CAST(s.occurred_at AS DATE) AS started_on, min(CAST(e.occurred_at AS DATE)) AS ended_on
    FROM events s
    LEFT JOIN events e ON e.case_id = s.case_id AND e.event = 'suspension_end' AND e.occurred_at >= s.occurred_at
    WHERE s.event = 'suspension' AND s.occurred_at IS NOT NULL
    GROUP BY s.case_id, s.occurred_at
),
suspended AS (
    SELECT sc.case_id, count(*) AS suspensions,
           sum(greatest(0, datediff(DAY, greatest(sp.started_on, sc.filed_on),
                                    least(coalesce(sp.ended_on, sc.end_on), sc.end_on)))) AS suspended_days,
           bool_or(sp.ended_on IS NULL OR sp.ended_on > sc.end_on) AS open_suspension
    FROM suspensions sp JOIN scoped sc ON sc.case_id = sp.case_id
    WHERE sc.filed_on IS NOT NULL AND sp.started_on <= sc.end_on
    GROUP BY sc.case_id
),
limited AS (
    SELECT sc.case_id, sc.judge_id, sc.court_id, sc.case_type, sc.procedure, coalesce(tl.procedure, 'none') AS procedure_used,
           sc.filed_on, sc.closed_on, sc.end_on, sc.pending, sc.extensions, sc.deducted_days,
           coalesce(sp.suspensions, 0) AS suspensions, CAST(coalesce(sp.suspended_days, 0) AS INTEGER) AS suspended_days,
           coalesce(sp.open_suspension, FALSE) AS open_suspension,
           CAST(greatest(coalesce(sc.deducted_days, 0), coalesce(sp.suspended_days, 0)) AS INTEGER) AS deducted,
           tl.case_type IS NOT NULL AS has_limit, tl.fixed_extensions, tl.open_beyond, tl.rule_kind,
           tl.limit_zh, tl.limit_en, tl.basis,
           date_add(add_months(sc.filed_on, tl.base_months), tl.base_days) AS base_deadline,
           date_add(add_months(sc.filed_on,
                               tl.base_months + CASE WHEN sc.extensions >= 1 THEN tl.ext1_months ELSE 0 END
                               + CASE WHEN sc.extensions >= 2 THEN tl.ext2_months ELSE 0 END),
                    tl.base_days + CASE WHEN sc.extensions >= 1 THEN tl.ext1_days ELSE 0 END
                    + CASE WHEN sc.extensions >= 2 THEN tl.ext2_days ELSE 0 END) AS deadline
    FROM scoped sc
    LEFT JOIN suspended sp ON sp.case_id = sc.case_id
    LEFT JOIN time_limits tl ON tl.case_type = sc.case_type AND tl.procedure = coalesce(sc.procedure, 'unknown')
),
judged AS (
    SELECT *,
           date_add(deadline, deducted) AS net_deadline,
           datediff(DAY, date_add(deadline, deducted), end_on) AS days_over,
           CASE WHEN filed_on IS NULL OR NOT has_limit THEN NULL
                WHEN end_on <= date_add(base_deadline, deducted + :grace_days) THEN FALSE
                WHEN extensions IS NULL THEN NULL
                WHEN end_on <= date_add(deadline, deducted + :grace_days) THEN FALSE
                WHEN extensions > fixed_extensions AND open_beyond THEN NULL
                ELSE TRUE END AS violated
    FROM limited
)
SELECT case_id AS subject_id, case_id, judge_id, court_id, case_type, procedure, procedure_used,
       filed_on, closed_on, end_on, pending, extensions, deducted_days, suspensions, suspended_days, open_suspension,
       deducted, base_deadline, deadline, net_deadline, days_over, rule_kind, limit_zh, limit_en, basis, violated,
       CASE WHEN rule_kind = 'heuristic' THEN least(0.7D, 0.35D + CAST(days_over AS DOUBLE) / 365.0D)
            ELSE least(1.0D, 0.5D + CAST(days_over AS DOUBLE) / 365.0D) END AS score
FROM judged
WHERE violated IS NOT FALSE
ORDER BY case_id

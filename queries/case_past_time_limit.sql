-- case_past_time_limit — cases past their statutory time limit (超审限), net of lawful extensions and deductions.
-- One row per case of a type with a statutory limit (the time_limits view: 刑初, 刑终, 民初, 民终, 执, 执恢)
-- that is not known to be within it as of $as_of: closed after its limit, or still pending past it.
-- Limit: filed_on + the base period of the case's type and procedure (cases.procedure, E6; empty = 'unknown',
-- the longest limit of the kind) + the period of each approved extension the law fixes (up to
-- cases.extensions) + `deducted`, the days not counted: the greater of cases.deducted_days (E6) and the
-- recorded suspensions (suspension → the first suspension_end after it; one without an end lasts to the
-- closing date or $as_of). Flagged only beyond that + $grace_days (a period ending on a holiday ends on the
-- next working day; the export has no holiday calendar). days_over counts from the limit itself.
-- violated: TRUE past the limit; NULL (skipped) when the filing date is unknown, the type and procedure have
-- no limit (e.g. 刑初 + small_claims), the extension count is unknown and the case is past its base period, or
-- more extensions are recorded than the law fixes a length for (open_beyond) and the case is past those.
-- rule_kind: the limit's own kind ('heuristic' for a first-instance trial of unknown procedure).
-- Overlapping suspensions are each counted (a larger deduction: never a false flag).
-- Params: $as_of, $grace_days; view time_limits (detectors/rules/case_past_time_limit.py: TIME_LIMITS).
-- Read by: detectors/rules/case_past_time_limit.py.
WITH scoped AS (
    SELECT c.case_id, c.judge_id, c.court_id, c.case_type, c.filed_on, c.extensions, c.procedure, c.deducted_days,
           c.closed_on IS NULL OR c.closed_on > $as_of AS pending,
           CASE WHEN c.closed_on IS NULL OR c.closed_on > $as_of THEN NULL ELSE c.closed_on END AS closed_on,
           CASE WHEN c.closed_on IS NULL OR c.closed_on > $as_of THEN $as_of ELSE c.closed_on END AS end_on
    FROM cases c
    WHERE c.case_type IN (SELECT DISTINCT case_type FROM time_limits)
      AND (c.filed_on IS NULL OR c.filed_on <= $as_of)
),
suspensions AS (  -- each recorded suspension and the first recorded end after it
    SELECT s.case_id, CAST(s.occurred_at AS DATE) AS started_on, min(CAST(e.occurred_at AS DATE)) AS ended_on
    FROM events s
    LEFT JOIN events e ON e.case_id = s.case_id AND e.event = 'suspension_end' AND e.occurred_at >= s.occurred_at
    WHERE s.event = 'suspension' AND s.occurred_at IS NOT NULL
    GROUP BY s.case_id, s.occurred_at
),
suspended AS (
    SELECT sc.case_id, count(*) AS suspensions,
           sum(greatest(0, date_diff('day', greatest(sp.started_on, sc.filed_on),
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
           CAST(sc.filed_on + to_months(tl.base_months) + to_days(tl.base_days) AS DATE) AS base_deadline,
           CAST(sc.filed_on
                + to_months(tl.base_months + CASE WHEN sc.extensions >= 1 THEN tl.ext1_months ELSE 0 END
                            + CASE WHEN sc.extensions >= 2 THEN tl.ext2_months ELSE 0 END)
                + to_days(tl.base_days + CASE WHEN sc.extensions >= 1 THEN tl.ext1_days ELSE 0 END
                          + CASE WHEN sc.extensions >= 2 THEN tl.ext2_days ELSE 0 END) AS DATE) AS deadline
    FROM scoped sc
    LEFT JOIN suspended sp ON sp.case_id = sc.case_id
    LEFT JOIN time_limits tl ON tl.case_type = sc.case_type AND tl.procedure = coalesce(sc.procedure, 'unknown')
    -- a case that ended within its base period (+ grace) is within its limit whatever is deducted (never less
    -- than 0 days): left out before the deadlines and the deduction are worked out for it
    WHERE NOT coalesce(sc.end_on <= CAST(sc.filed_on + to_months(tl.base_months) + to_days(tl.base_days) AS DATE)
                                    + $grace_days, FALSE)
),
judged AS (
    SELECT *,
           deadline + deducted AS net_deadline,
           date_diff('day', deadline + deducted, end_on) AS days_over,
           CASE WHEN filed_on IS NULL OR NOT has_limit THEN NULL
                WHEN end_on <= base_deadline + deducted + $grace_days THEN FALSE
                WHEN extensions IS NULL THEN NULL
                WHEN end_on <= deadline + deducted + $grace_days THEN FALSE
                WHEN extensions > fixed_extensions AND open_beyond THEN NULL
                ELSE TRUE END AS violated
    FROM limited
)
SELECT case_id AS subject_id, case_id, judge_id, court_id, case_type, procedure, procedure_used,
       filed_on, closed_on, end_on, pending, extensions, deducted_days, suspensions, suspended_days, open_suspension,
       deducted, base_deadline, deadline, net_deadline, days_over, rule_kind, limit_zh, limit_en, basis, violated,
       CASE WHEN rule_kind = 'heuristic' THEN least(0.7, 0.35 + CAST(days_over AS DOUBLE) / 365)
            ELSE least(1.0, 0.5 + CAST(days_over AS DOUBLE) / 365) END AS score
FROM judged
WHERE violated IS NOT FALSE
ORDER BY case_id

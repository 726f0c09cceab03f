-- stages/termination_inquiries — common table expressions shared by zb_no_inquiry_after_termination and zb_inquiry_log_incomplete, not a query:
-- the 终本 cases due a six-monthly property inquiry (terminated), their inquiries within the duty (inquiries),
-- the gaps between them (worst), and each court's inquiry log and whether it is evidently incomplete (log_incomplete).
-- A query reads them by a line `-- include: termination_inquiries` after its WITH (courtwatch/queries/__init__.py), so
-- the rule and its data-quality note use one definition. Params: those of the two queries ($name).
-- A case is keyed within the query by its case number (case_key). Not DuckDB's rowid, though an integer key took half
-- the stage's time at scale 100: on a court-scoped connection (storage/store.py open_for_read) `cases` is a view,
-- which has no rowid.
-- Read by: queries/zb_no_inquiry_after_termination.sql, queries/zb_inquiry_log_incomplete.sql. Twin: queries/spark/stages/termination_inquiries.sql.
resumed AS (  -- a resumption moves the duty to the resumed case (执恢): the original's ends that day
    SELECT ev.case_id, min(ev.occurred_at::DATE) AS resumed_on
    FROM events ev JOIN cases c ON c.case_id = ev.case_id
    WHERE ev.event = 'resumption' AND ev.occurred_at::DATE >= c.closed_on
      AND c.case_kind = 'enforcement' AND c.close_method = 'terminated_this_round'
    GROUP BY ev.case_id
),
terminated AS (
    SELECT c.case_id AS case_key, c.case_id, c.judge_id, c.court_id, c.closed_on, r.resumed_on,
           least($as_of::DATE, (c.closed_on + to_years($duty_years))::DATE, r.resumed_on) AS duty_until
    FROM cases c LEFT JOIN resumed r ON r.case_id = c.case_id
    WHERE c.case_kind = 'enforcement' AND c.close_method = 'terminated_this_round'
      AND c.closed_on IS NOT NULL AND c.closed_on + to_months($max_months) < $as_of::DATE
),
inquiries AS (
    SELECT t.case_key, ev.occurred_at::DATE AS on_date
    FROM events ev JOIN terminated t ON t.case_id = ev.case_id
    WHERE ev.event = 'post_termination_inquiry'
      AND ev.occurred_at::DATE >= t.closed_on AND ev.occurred_at::DATE <= t.duty_until
),
gaps AS (  -- termination, each inquiry and the end of the duty, in order
    SELECT case_key, on_date AS gap_from,
           lead(on_date) OVER (PARTITION BY case_key ORDER BY on_date) AS gap_to
    FROM (SELECT case_key, closed_on AS on_date FROM terminated
          UNION ALL SELECT case_key, on_date FROM inquiries
          UNION ALL SELECT case_key, duty_until FROM terminated)
),
worst AS (
    -- the longest gap, the earliest of equally long ones: both ends come from one gap,
    -- and the choice does not depend on scan order (the two engines must agree)
    SELECT case_key,
           max(date_diff('day', gap_from, gap_to)) AS longest_gap_days,
           arg_min(gap_from, (-date_diff('day', gap_from, gap_to), gap_from)) AS longest_gap_from,
           arg_min(gap_to, (-date_diff('day', gap_from, gap_to), gap_from)) AS longest_gap_to,
           count(*) - 1 AS inquiries_after_termination,
           bool_or(gap_to > gap_from + to_months($max_months)) AS gap_late
    FROM gaps
    WHERE gap_to IS NOT NULL
    GROUP BY case_key
),
court_log AS (  -- per court: cases whose duty ran over six months, and those with no inquiry logged at all
    SELECT t.court_id, count(*) AS due_cases,
           count(*) FILTER (WHERE l.case_key IS NULL) AS unlogged_cases
    FROM terminated t LEFT JOIN (SELECT DISTINCT case_key FROM inquiries) l ON l.case_key = t.case_key
    WHERE t.duty_until > t.closed_on + to_months($max_months)
    GROUP BY t.court_id
),
log_incomplete AS (
    SELECT court_id, due_cases, unlogged_cases,
           due_cases >= $log_min_cases AND unlogged_cases >= $log_incomplete_share * due_cases AS incomplete
    FROM court_log
)

-- peer_court_flag_rates — one court against the other courts of its level: warnings per closed case, anonymised.
-- One row per court of the same level as $court_id across the whole database (run on an unscoped connection,
-- for a user who sees only that court): is_this (TRUE for $court_id), flags (flags of run $run_id whose flag
-- date — the flagged case's closing date, else its filing date, else the run's as-of date, as in dash_flags.sql —
-- is in the period), high (of them, level 'high'), closed_cases (cases closed in the period).
-- No court id, name or any other identifier: the other courts' rows are numbers only, ordered by nothing that
-- names them (courtwatch/reporting/figures.py numbers them by rank).
-- Params: $run_id, $court_id, $start, $end. Read by: dashboard/data_flags.py (flags_against_peers) through
-- dashboard/data.py (peer_load), counted by courtwatch/reporting/figures.py (peer_courts).
WITH peer AS (
    SELECT court_id FROM courts
    WHERE level = (SELECT level FROM courts WHERE court_id = $court_id) OR court_id = $court_id
),
dated AS (
    SELECT f.court_id, f.level, coalesce(c.closed_on, c.filed_on, r.as_of) AS flag_date
    FROM flags f
    JOIN runs r ON r.run_id = f.run_id
    LEFT JOIN cases c ON c.case_id = f.case_id
    WHERE f.run_id = $run_id AND f.court_id IN (SELECT court_id FROM peer)
),
flagged AS (
    SELECT court_id, count(*) AS flags, count(*) FILTER (WHERE level = 'high') AS high
    FROM dated WHERE flag_date BETWEEN $start::DATE AND $end::DATE
    GROUP BY court_id
),
closed AS (
    SELECT court_id, count(*) AS closed_cases
    FROM cases WHERE closed_on BETWEEN $start::DATE AND $end::DATE AND court_id IN (SELECT court_id FROM peer)
    GROUP BY court_id
)
SELECT p.court_id = $court_id AS is_this, coalesce(f.flags, 0) AS flags, coalesce(f.high, 0) AS high,
       coalesce(c.closed_cases, 0) AS closed_cases
FROM peer p
LEFT JOIN flagged f USING (court_id)
LEFT JOIN closed c USING (court_id)
ORDER BY flags DESC, closed_cases DESC

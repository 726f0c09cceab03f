-- peer_court_sentencing_by_charge — one court's sentencing warnings per charge against the other courts of its
-- level, anonymised (the overview at one-court scope, in place of a one-column heat map).
-- One row per (court of the same level as $court_id, charge) with a sentenced defendant whose case closed in the
-- period, across the whole database (an unscoped connection): is_this (TRUE for $court_id), charge,
-- defendants (with a recorded sentence kind), flagged (of them, with a sentencing flag in run $run_id).
-- Multi-charge defendants (charges joined by $separator) count under '数罪并罚', as in
-- dash_sentencing_by_charge_court.sql. No court id or name: the other courts' rows are numbers only.
-- Params: $run_id, $court_id, $start, $end, $separator. Read by: dashboard/data_flags.py (sentencing_against_peers)
-- through dashboard/data.py (peer_load), counted by courtwatch/reporting/figures.py (peer_sentencing_by_charge).
WITH peer AS (
    SELECT court_id FROM courts
    WHERE level = (SELECT level FROM courts WHERE court_id = $court_id) OR court_id = $court_id
),
d AS (
    SELECT d.defendant_id, c.court_id,
           CASE WHEN contains(d.charge, $separator) THEN '数罪并罚' ELSE d.charge END AS charge
    FROM defendants d JOIN cases c USING (case_id)
    WHERE c.closed_on BETWEEN $start::DATE AND $end::DATE AND d.sentence_kind IS NOT NULL
      AND c.court_id IN (SELECT court_id FROM peer)
),
fl AS (
    SELECT DISTINCT subject_id AS defendant_id
    FROM flags
    WHERE run_id = $run_id AND category = 'sentencing' AND subject_type = 'defendant'
)
SELECT d.court_id = $court_id AS is_this, d.charge, count(*) AS defendants, count(fl.defendant_id) AS flagged
FROM d LEFT JOIN fl USING (defendant_id)
GROUP BY d.court_id, d.charge
ORDER BY d.charge, flagged DESC, defendants DESC

-- brief_flag_first_seen — when each warning of a briefing's run first appeared, for the review deadline.
-- One row per flag of run $run_id in scope: flag_id,
--   first_run_id   the earliest run holding that flag_id,
--   first_seen_at  that run's finish time (its start when unfinished): when a reviewer could first see it.
-- A flag keeps its id from run to run (sha1 of detector, subject type and subject; docs/architecture.md), so a
-- warning re-raised by every nightly run counts from its first run, and one that went away and came back counts
-- from its first appearance too. Only runs up to $run_id count, so a briefing of an older run (--run) is the
-- same whenever it is printed.
-- Scope: as brief_flags — the flag's court, else its case's court, is one of $court_ids; $all_courts keeps every flag.
-- Params: $run_id, $court_ids (VARCHAR[]), $all_courts (BOOLEAN).
-- Read by: courtwatch/reporting/briefing/summary.py (overdue warnings on a briefing's first page).
WITH reported AS (
    SELECT f.flag_id
    FROM flags f
    LEFT JOIN cases c ON c.case_id = f.case_id
    WHERE f.run_id = $run_id
      AND ($all_courts::BOOLEAN OR list_contains($court_ids::VARCHAR[], coalesce(f.court_id, c.court_id)))
),
seen AS (
    SELECT run_id, coalesce(finished_at, started_at) AS seen_at FROM runs
)
SELECT h.flag_id,
       arg_min(h.run_id, s.seen_at) AS first_run_id,
       min(s.seen_at) AS first_seen_at
FROM flags h
JOIN seen s ON s.run_id = h.run_id
WHERE h.flag_id IN (SELECT flag_id FROM reported)
  AND s.seen_at <= (SELECT seen_at FROM seen WHERE run_id = $run_id)
GROUP BY h.flag_id
ORDER BY h.flag_id

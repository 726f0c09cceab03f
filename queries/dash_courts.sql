-- dash_courts — every court with the courts above it, for the dashboard's court picker and scope.
-- One row per court: court_id, name, level, parent_id, ancestors (court_ids above it, nearest first;
-- empty at the top). Choosing a court in the dashboard includes every court whose ancestors hold it.
-- Params: none. Read by: dashboard/data.py (courts, expand_scope).
WITH RECURSIVE up(court_id, ancestor_id, hops) AS (
    SELECT court_id, parent_id, 1 FROM courts WHERE parent_id IS NOT NULL
    UNION ALL
    SELECT up.court_id, c.parent_id, up.hops + 1
    FROM up JOIN courts c ON c.court_id = up.ancestor_id
    WHERE c.parent_id IS NOT NULL AND up.hops < 12
)
SELECT c.court_id, c.name, c.level, c.parent_id,
       coalesce((SELECT list(u.ancestor_id ORDER BY u.hops) FROM up u WHERE u.court_id = c.court_id),
                []::VARCHAR[]) AS ancestors
FROM courts c
ORDER BY c.court_id

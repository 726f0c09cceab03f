-- court_subtree — a court and every court it supervises, directly or indirectly (one row per court_id).
-- Params: $court_id. Read by: courtwatch/access/auth.py (a president's scope), briefings.
WITH RECURSIVE tree(court_id) AS (
    SELECT court_id FROM courts WHERE court_id = $court_id
    UNION
    SELECT c.court_id FROM courts c JOIN tree t ON c.parent_id = t.court_id
)
SELECT court_id FROM tree ORDER BY court_id

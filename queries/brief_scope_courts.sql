-- brief_scope_courts — the courts a briefing covers: a court and every court under it (courts.parent_id),
-- or every court when $court_id is NULL.
-- One row per court: court_id, name, level, parent_id, depth (0 = the briefing's court; NULL scope: 0 at the tops).
-- Params: $court_id (VARCHAR or NULL). Read by: courtwatch/reporting/figures.py (Scope), courtwatch/reporting/briefing.
WITH RECURSIVE tree(court_id, depth) AS (
    SELECT court_id, 0 FROM courts
    WHERE ($court_id::VARCHAR IS NULL AND (parent_id IS NULL OR parent_id NOT IN (SELECT court_id FROM courts)))
       OR court_id = $court_id::VARCHAR
    UNION
    SELECT c.court_id, t.depth + 1 FROM courts c JOIN tree t ON c.parent_id = t.court_id
    WHERE t.depth < 12
)
SELECT c.court_id, c.name, c.level, c.parent_id, min(t.depth) AS depth
FROM tree t JOIN courts c USING (court_id)
GROUP BY c.court_id, c.name, c.level, c.parent_id
ORDER BY depth, c.court_id

-- brief_quarantine_by_reason — rows held back at import (quarantine), by table, column and reason, per court.
-- One row per court, table, column and reason: court_id (NULL when the row names no court that can be
-- told: counted only in whole-database briefings), table_name, column_name, reason (the reason without
-- its trailing parenthesis, which quotes values — possibly another court's code), problems (entries),
-- rows (distinct quarantined rows).
-- A row's court: its court_id column where it has one, else the court code inside its case number
-- (案号: "(2023)浙0102刑初123号" → 浙0102), else the court of the loaded case it refers to.
-- Params: $court_ids (VARCHAR[]), $all_courts (BOOLEAN: every row, whatever its court). Read by: courtwatch/reporting/figures.py (data_quality).
WITH q AS (
    SELECT q.*,
           nullif(trim(q.raw_row ->> 'court_id'), '') AS raw_court,
           nullif(regexp_extract(coalesce(q.raw_row ->> 'case_id', ''),
                                 '^\s*[(（]\d{4}[)）]\s*([^\d刑民执行()（）]*\d*)', 1), '') AS case_court,
           nullif(trim(q.raw_row ->> 'case_id'), '') AS raw_case
    FROM quarantine q
), attributed AS (
    SELECT q.*, coalesce(
        CASE WHEN q.table_name IN ('courts', 'judges', 'cases') THEN q.raw_court END,
        q.case_court,
        c.court_id) AS court_id
    FROM q
    -- a join, not a correlated subquery: DuckDB planned that as a pass over every case even with no row in
    -- quarantine (1.5-2.4 s at scale 100, against 0.015 s; cases.case_id is the table's key, so one match at most)
    LEFT JOIN cases c ON c.case_id = q.raw_case
)
SELECT court_id, table_name, column_name,
       regexp_replace(reason, '\s*\([^()]*\)\s*$', '') AS reason,
       count(*) AS problems,
       count(DISTINCT (file, row_number)) AS rows
FROM attributed
WHERE $all_courts::BOOLEAN OR list_contains($court_ids::VARCHAR[], court_id)
GROUP BY ALL
ORDER BY court_id, table_name, rows DESC, reason

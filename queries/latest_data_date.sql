-- latest_data_date — the latest date found in the loaded data (one row, column `latest`).
-- Detection runs "as of" this date unless --as-of is given, never the wall clock.
-- Params: none. Read by: courtwatch/pipeline/runs.py.
SELECT greatest(
    (SELECT max(filed_on) FROM cases),
    (SELECT max(closed_on) FROM cases),
    (SELECT max(occurred_at)::DATE FROM events)
) AS latest

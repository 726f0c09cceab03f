-- dash_data_range — the first and last date in the loaded cases, for the dashboard's period picker.
-- One row: first_day, last_day (NULL when no case is loaded).
-- Params: none. Read by: dashboard/data.py (months).
SELECT least(min(filed_on), min(closed_on)) AS first_day,
       greatest(max(filed_on), max(closed_on)) AS last_day
FROM cases

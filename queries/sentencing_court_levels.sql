-- sentencing_court_levels — each court's level, a factor of the sentencing model's peer groups.
-- One row per court: court_id, court_level (basic | intermediate | high | supreme; NULL = not recorded, read as basic).
-- Params: none. Read by: detectors/sentencing/fit.py (peer_group_features) — see design.context_columns.
SELECT court_id, level AS court_level
FROM courts
ORDER BY court_id

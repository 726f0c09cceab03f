-- dash_quarantine — rows held back at import, newest import first, for the data-quality page.
-- One row per problem: imported_at, import_id, table_name, file, row_number (as a spreadsheet shows it),
-- column_name (NULL = the whole row), value (raw text), reason. At most $limit rows.
-- Params: $limit. Read by: dashboard/data.py (quarantine).
SELECT i.imported_at, q.import_id, q.table_name, q.file, q.row_number, q.column_name, q.value, q.reason
FROM quarantine q LEFT JOIN imports i USING (import_id)
ORDER BY i.imported_at DESC NULLS LAST, q.file, q.row_number, q.column_name
LIMIT $limit

-- dash_import_files — what each import read, loaded and quarantined per file, newest import first.
-- One row per file of an import: imported_at, import_id, export_date, table_name, file, encoding,
-- rows_read, rows_loaded, rows_quarantined.
-- Params: none. Read by: dashboard/data.py (import_files) for the data-quality page.
SELECT i.imported_at, f.import_id, i.export_date, f.table_name, f.file, f.encoding,
       f.rows_read, f.rows_loaded, f.rows_quarantined
FROM import_files f LEFT JOIN imports i USING (import_id)
ORDER BY i.imported_at DESC NULLS LAST, f.table_name

-- judge_name — one judge's recorded name, unmasked (one row, or none).
-- Personal data: called only when a user with the right role deliberately reveals it, and every call is
-- written to the audit trail (dashboard/data.py reveal_judge_name). Params: $judge_id.
SELECT judge_id, name FROM judges WHERE judge_id = $judge_id

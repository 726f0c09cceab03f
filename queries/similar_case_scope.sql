-- similar_case_scope — where and when each candidate similar case was decided, for the ordering of the
-- 类案检索 guidance (法发〔2020〕24号, item 4: SPC → 本省高级人民法院 → 上一级人民法院及本院; the last three
-- years first).
-- One row per case of the registered frame `similar_scope_cases` (case_id): the judgment year (cases.closed_on,
-- else the year of the case number when no closing date was recorded) and its court's province, level and
-- supervising court (NULL where the export has no courts row).
-- Params: none (reads the registered `similar_scope_cases`). Read by: detectors/sentencing/similar.py.
SELECT c.case_id, c.court_id,
       coalesce(year(c.closed_on), c.case_year)::INTEGER AS judgment_year,
       co.province, co.level, co.parent_id
FROM cases c
JOIN similar_scope_cases s ON s.case_id = c.case_id
LEFT JOIN courts co ON co.court_id = c.court_id

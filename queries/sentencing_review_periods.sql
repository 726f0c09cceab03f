-- sentencing_review_periods — the period a reviewed sentence is listed under.
-- One row per case of the registered frame `review_cases` (case_id): period = the year of the
-- judgment (cases.closed_on), else the year of the case number when no closing date was recorded.
-- Params: none (reads the registered `review_cases`). Read by: detectors/sentencing/review.py.
SELECT c.case_id, coalesce(year(c.closed_on), c.case_year)::INTEGER AS period
FROM cases c
JOIN review_cases r ON r.case_id = c.case_id

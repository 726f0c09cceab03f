-- interference_records_absent (Spark SQL) — courts that record no inquiry or interference at all (过问案件登记), where their province's export does.
-- Same rows as queries/interference_records_absent.sql; differs in parameter markers, date_add, CAST for :: and DOUBLE literals.
-- One row per court none of whose cases carries an interference_record event while the courts of its
-- province (in this export) record them on a share of cases that would give it at least :min_expected
-- (expected_records = its cases × the province's recorded share; none by chance has probability about
-- e^-:min_expected). violated = TRUE. The 2015 rules require every inquiry to be recorded
-- (全面、如实、及时地予以记录): a court that records none may be under-recording. A heuristic: a court may
-- truly have had none, and an export without the event (no court records any) gives no row.
-- Params: :min_expected. Read by: courtwatch/pipeline/spark_engine.py → detectors/rules/interference_records_absent.py.
WITH recorded AS (
    SELECT DISTINCT case_id FROM events WHERE event = 'interference_record'
),
per_court AS (
    SELECT c.court_id, coalesce(ct.province, '') AS province, count(*) AS cases,
           count(r.case_id) AS recorded_cases
    FROM cases c
    LEFT JOIN courts ct ON ct.court_id = c.court_id
    LEFT JOIN recorded r ON r.case_id = c.case_id
    GROUP BY c.court_id, coalesce(ct.province, '')
),
provinces AS (
    SELECT province, CAST(sum(cases) AS BIGINT) AS cases, CAST(sum(recorded_cases) AS BIGINT) AS recorded_cases
    FROM per_court
    GROUP BY province
)
SELECT p.court_id AS subject_id, CAST(NULL AS STRING) AS case_id, CAST(NULL AS STRING) AS judge_id, p.court_id,
       p.cases, q.cases AS province_cases, q.recorded_cases AS province_recorded_cases,
       CAST(p.cases AS DOUBLE) * q.recorded_cases / q.cases AS expected_records,
       TRUE AS violated, 0.6D AS score
FROM per_court p
JOIN provinces q ON q.province = p.province
WHERE p.recorded_cases = 0 AND CAST(p.cases AS DOUBLE) * q.recorded_cases / q.cases >= :min_expected
ORDER BY p.court_id

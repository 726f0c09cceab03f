-- funds_not_disbursed_30_days (Spark SQL) — enforcement money held more than 30 days before being paid out.
-- One row per case with at least one funds_received event that had no
-- funds_disbursed event on the same case within :days days after it, and
-- whose deadline passed before :as_of. Figures: late receipts, their amount,
-- the longest holding (to the first later disbursement, or to :as_of if none).
-- Same question as queries/funds_not_disbursed_30_days.sql: timestampadd for
-- DuckDB's timestamp + to_days(), datediff(DAY, a, b) for date_diff('day', a, b),
-- DOUBLE literals in the score.
-- Basis: 最高人民法院关于执行款物管理工作的规定 (2017), art. 15 (30 days).
-- Params: :as_of, :days. Read by: courtwatch/pipeline/spark_engine.py → detectors/rules/funds_not_disbursed_30_days.py.
WITH received AS (
    SELECT case_id, occurred_at, amount FROM events
    WHERE event = 'funds_received' AND occurred_at IS NOT NULL
      AND timestampadd(DAY, :days, occurred_at) < CAST(:as_of AS DATE)
),
late AS (
    SELECT r.case_id, r.occurred_at, r.amount,
           min(d.occurred_at) FILTER (WHERE d.occurred_at >= r.occurred_at) AS first_paid_at,
           bool_or(d.occurred_at >= r.occurred_at AND d.occurred_at <= timestampadd(DAY, :days, r.occurred_at)) AS paid_in_time
    FROM received r
    LEFT JOIN events d ON d.case_id = r.case_id AND d.event = 'funds_disbursed'
    GROUP BY r.case_id, r.occurred_at, r.amount
    HAVING coalesce(bool_or(d.occurred_at >= r.occurred_at AND d.occurred_at <= timestampadd(DAY, :days, r.occurred_at)), FALSE) = FALSE
)
SELECT l.case_id AS subject_id, l.case_id, c.judge_id, c.court_id,
       count(*) AS late_receipts,
       sum(l.amount) AS late_amount,
       CAST(min(l.occurred_at) AS DATE) AS first_late_received_on,
       max(datediff(DAY, CAST(l.occurred_at AS DATE), coalesce(CAST(l.first_paid_at AS DATE), CAST(:as_of AS DATE)))) AS longest_days_held,
       bool_and(l.first_paid_at IS NOT NULL) AS all_paid_later,
       TRUE AS violated,
       least(1.0D, 0.5D + max(datediff(DAY, CAST(l.occurred_at AS DATE),
                                        coalesce(CAST(l.first_paid_at AS DATE), CAST(:as_of AS DATE)))) / 240.0D) AS score
FROM late l JOIN cases c USING (case_id)
GROUP BY l.case_id, c.judge_id, c.court_id
ORDER BY l.case_id

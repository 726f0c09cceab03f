-- funds_not_disbursed_30_days — enforcement money held more than 30 days before being paid out.
-- One row per case with at least one funds_received event not paid out by its deadline, where
--   the deadline is $days calendar days after the receipt's date (the day of receipt not counted;
--   funds_received.occurred_at is the receipt notice, 到账通知), unless a `suspension` event (中止 or an
--   approved deferral of payout 延缓发放: distribution, preservation or freezing, applicant not collecting)
--   falls within those days: the clock then stops, and a later `resumption` or `suspension_end` (E6) gives a new $days days
--   from its date (still deferred: not checked);
--   paid out means the case's payouts up to the deadline cover $min_share of all the money received up
--   to and including this receipt (first in, first out; the rest may be 执行费 settled), so a small
--   partial payout does not clear a large receipt. Where an amount is unknown, any payout between the
--   receipt and its deadline counts.
-- Deadlines not yet passed at $as_of are not checked. Figures: late receipts, their amount, the
-- longest holding (to the first day the payouts covered the receipt, or to $as_of).
-- Basis: 最高人民法院关于执行款物管理工作的规定（法发〔2017〕6号）: 执行款到账通知之日起三十日内发放, and its
-- 延缓发放 grounds (article numbers not verified). Params: $as_of, $days, $min_share.
-- Read by: detectors/rules/funds_not_disbursed_30_days.py. Twin: queries/spark/funds_not_disbursed_30_days.sql.
-- The windows partition by hash(case_id) before case_id (the same partitions): case numbers share their first
-- characters, so sorting by the hash first spares most of the text comparisons (~10% of the query at scale 100).
WITH receipts AS (
    SELECT case_id, occurred_at, occurred_at::DATE AS received_on, amount,
           row_number() OVER (PARTITION BY hash(case_id), case_id ORDER BY occurred_at, amount) AS n
    FROM events
    WHERE event = 'funds_received' AND occurred_at IS NOT NULL
),
received AS (  -- the money received up to and including each receipt
    SELECT *,
           sum(amount) OVER (PARTITION BY hash(case_id), case_id ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
               AS received_so_far,
           max(CASE WHEN amount IS NULL THEN 1 ELSE 0 END)
               OVER (PARTITION BY hash(case_id), case_id ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS amount_unknown
    FROM receipts
),
payouts AS (  -- every payout with the money paid out on the case up to its day (ties of a day together)
    SELECT case_id, occurred_at::DATE AS paid_on, amount,
           sum(amount) OVER (PARTITION BY hash(case_id), case_id ORDER BY occurred_at::DATE) AS paid_so_far
    FROM events
    WHERE event = 'funds_disbursed' AND occurred_at IS NOT NULL
),
deferred AS (  -- the first deferral within a receipt's days
    SELECT r.case_id, r.n, min(s.occurred_at::DATE) AS deferred_on
    FROM received r
    JOIN events s ON s.case_id = r.case_id AND s.event = 'suspension'
    WHERE s.occurred_at::DATE >= r.received_on AND s.occurred_at::DATE <= r.received_on + $days
    GROUP BY r.case_id, r.n
),
restarted AS (  -- the first resumption (or suspension_end, E6) after that deferral
    SELECT d.case_id, d.n, min(x.occurred_at::DATE) AS restarted_on
    FROM deferred d
    JOIN events x ON x.case_id = d.case_id AND x.event IN ('resumption', 'suspension_end')
    WHERE x.occurred_at::DATE >= d.deferred_on
    GROUP BY d.case_id, d.n
),
due AS (
    SELECT r.*, d.deferred_on, x.restarted_on,
           CASE WHEN d.deferred_on IS NULL THEN r.received_on + $days
                WHEN x.restarted_on IS NOT NULL THEN x.restarted_on + $days END AS deadline
    FROM received r
    LEFT JOIN deferred d ON d.case_id = r.case_id AND d.n = r.n
    LEFT JOIN restarted x ON x.case_id = r.case_id AND x.n = r.n
),
checked AS (
    SELECT u.case_id, u.n, u.received_on, u.amount, u.received_so_far, u.amount_unknown, u.deadline, u.deferred_on,
           sum(p.amount) FILTER (WHERE p.paid_on <= u.deadline) AS paid_by_deadline,
           max(CASE WHEN p.amount IS NULL AND p.paid_on <= u.deadline THEN 1 ELSE 0 END) AS payout_unknown,
           max(CASE WHEN p.paid_on >= u.received_on AND p.paid_on <= u.deadline THEN 1 ELSE 0 END) AS paid_in_window,
           min(p.paid_on) FILTER (WHERE p.paid_on >= u.received_on AND p.paid_so_far >= $min_share * u.received_so_far)
               AS covered_on
    FROM due u
    LEFT JOIN payouts p ON p.case_id = u.case_id
    WHERE u.deadline IS NOT NULL AND u.deadline < $as_of::DATE
    GROUP BY u.case_id, u.n, u.received_on, u.amount, u.received_so_far, u.amount_unknown, u.deadline, u.deferred_on
),
late AS (
    SELECT *
    FROM checked
    WHERE NOT (CASE WHEN amount_unknown = 1 OR payout_unknown = 1 THEN paid_in_window = 1
                    ELSE coalesce(paid_by_deadline, 0) >= $min_share * received_so_far END)
)
SELECT l.case_id AS subject_id, l.case_id, c.judge_id, c.court_id,
       count(*) AS late_receipts,
       sum(l.amount) AS late_amount,
       min(l.received_on) AS first_late_received_on,
       max(date_diff('day', l.received_on, coalesce(l.covered_on, $as_of::DATE))) AS longest_days_held,
       bool_and(l.covered_on IS NOT NULL) AS all_paid_later,
       bool_or(l.paid_in_window = 1) AS partly_paid_in_time,
       bool_or(l.deferred_on IS NOT NULL) AS deferred,
       TRUE AS violated,
       least(1.0, 0.5 + max(date_diff('day', l.received_on, coalesce(l.covered_on, $as_of::DATE))) / 240.0) AS score
FROM late l JOIN cases c ON c.case_id = l.case_id
GROUP BY l.case_id, c.judge_id, c.court_id
ORDER BY l.case_id

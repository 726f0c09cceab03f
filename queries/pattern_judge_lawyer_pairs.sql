-- pattern_judge_lawyer_pairs — how often a lawyer appears before one judge, and how that lawyer fares there.
-- One row per (judge, lawyer, court) in civil cases (cases.case_kind = 'civil', filed on or before $as_of,
-- judge known) joined with representations, for pairs with at least $min_shared cases together:
--   n_together          civil cases of this judge in which this lawyer represented a party
--   lawyer_cases_court  the lawyer's civil cases at this court (any judge)
--   judge_cases, court_cases   the judge's and the court's civil cases → judge_share = judge_cases / court_cases
--   expected_together   lawyer_cases_court × judge_share: what random assignment within the court gives
--   decided_here, wins_here        the pair's cases with a decided outcome (prevailing_side plaintiff /
--                                  defendant / partial) and those the lawyer's side won outright
--   decided_elsewhere, wins_elsewhere   the same for the lawyer's other civil cases (other judges)
--   assign_known_here, designated_here  the pair's cases with a known assignment, and designated ones
--   court_assign_known, court_designated  the court's other civil cases (the pair's left out)
--   side_reference_rate  what the same sides (the pair's plaintiff/defendant mix of decided cases) win
--                        before the court's other judges (the province's other judges when the court's
--                        have fewer than $min_reference decided cases for that side)
-- Pairs below $min_shared are not returned (too few cases to say anything); pairs_considered counts all.
-- Params: $as_of, $min_shared, $min_reference. Read by: detectors/patterns/judge_lawyer_affinity.py.
WITH civ AS (
    SELECT c.case_id, c.court_id, c.judge_id, c.assignment, c.prevailing_side
    FROM cases c
    WHERE c.case_kind = 'civil' AND c.judge_id IS NOT NULL AND c.filed_on <= $as_of
),
rep AS (            -- one row per lawyer and case; a lawyer acts for one side
    SELECT r.case_id, r.lawyer_id,
           CASE WHEN min(r.side) IN ('plaintiff', 'applicant') THEN 'plaintiff' ELSE 'defendant' END AS side
    FROM representations r
    WHERE r.lawyer_id IS NOT NULL AND r.side IN ('plaintiff', 'applicant', 'defendant', 'respondent')
    GROUP BY r.case_id, r.lawyer_id
),
rc AS (
    SELECT civ.*, rep.lawyer_id, rep.side,
           CASE WHEN civ.prevailing_side IS NULL OR civ.prevailing_side = 'none' THEN NULL
                WHEN civ.prevailing_side = rep.side THEN 1 ELSE 0 END AS won,
           CASE civ.assignment WHEN 'designated' THEN 1 WHEN 'random' THEN 0 END AS designated
    FROM civ JOIN rep USING (case_id)
),
court_tot AS (
    SELECT court_id, count(*) AS court_cases, count(assignment) AS court_assign_known,
           sum(CASE WHEN assignment = 'designated' THEN 1 ELSE 0 END) AS court_designated
    FROM civ GROUP BY court_id
),
judge_tot AS (SELECT court_id, judge_id, count(*) AS judge_cases FROM civ GROUP BY court_id, judge_id),
lawyer_court AS (SELECT lawyer_id, court_id, count(*) AS lawyer_cases_court FROM rc GROUP BY lawyer_id, court_id),
lawyer_tot AS (SELECT lawyer_id, count(won) AS decided, coalesce(sum(won), 0) AS wins FROM rc GROUP BY lawyer_id),
side_judge AS (     -- each side's decided cases and outright wins per court and judge
    SELECT court_id, judge_id, side, count(won) AS decided, coalesce(sum(won), 0) AS wins
    FROM rc GROUP BY court_id, judge_id, side
),
side_court AS (SELECT court_id, side, sum(decided) AS decided, sum(wins) AS wins FROM side_judge GROUP BY court_id, side),
side_prov AS (SELECT side, sum(decided) AS decided, sum(wins) AS wins FROM side_judge GROUP BY side),
pair AS (
    SELECT judge_id, lawyer_id, court_id, count(*) AS n_together,
           count(won) AS decided_here, coalesce(sum(won), 0) AS wins_here,
           count(won) FILTER (WHERE side = 'plaintiff') AS decided_plaintiff_here,
           count(designated) AS assign_known_here, coalesce(sum(designated), 0) AS designated_here
    FROM rc GROUP BY judge_id, lawyer_id, court_id
),
side_ref AS (       -- per pair and side: win rate before the court's other judges, else the province's
    SELECT p.judge_id, p.lawyer_id, p.court_id, sp.side,
           CASE WHEN coalesce(sc.decided, 0) - coalesce(sj.decided, 0) >= $min_reference
                THEN (sc.wins - coalesce(sj.wins, 0)) / (sc.decided - coalesce(sj.decided, 0))
                ELSE (sp.wins - coalesce(sj.wins, 0)) / greatest(sp.decided - coalesce(sj.decided, 0), 1) END AS rate
    FROM pair p
    CROSS JOIN side_prov sp
    LEFT JOIN side_court sc ON sc.court_id = p.court_id AND sc.side = sp.side
    LEFT JOIN side_judge sj ON sj.court_id = p.court_id AND sj.judge_id = p.judge_id AND sj.side = sp.side
    WHERE p.n_together >= $min_shared
)
SELECT p.judge_id, p.lawyer_id, p.court_id, p.n_together,
       lc.lawyer_cases_court, jt.judge_cases, ct.court_cases,
       jt.judge_cases::DOUBLE / ct.court_cases AS judge_share,
       lc.lawyer_cases_court * jt.judge_cases::DOUBLE / ct.court_cases AS expected_together,
       p.decided_here, p.wins_here,
       lt.decided - p.decided_here AS decided_elsewhere, lt.wins - p.wins_here AS wins_elsewhere,
       (p.decided_plaintiff_here * srp.rate + (p.decided_here - p.decided_plaintiff_here) * srd.rate)
           / nullif(p.decided_here, 0) AS side_reference_rate,
       p.assign_known_here, p.designated_here,
       ct.court_assign_known - p.assign_known_here AS court_assign_known,
       ct.court_designated - p.designated_here AS court_designated,
       (SELECT count(*) FROM pair) AS pairs_considered
FROM pair p
JOIN lawyer_court lc USING (lawyer_id, court_id)
JOIN judge_tot jt USING (court_id, judge_id)
JOIN court_tot ct USING (court_id)
JOIN lawyer_tot lt USING (lawyer_id)
LEFT JOIN side_ref srp ON srp.judge_id = p.judge_id AND srp.lawyer_id = p.lawyer_id
     AND srp.court_id = p.court_id AND srp.side = 'plaintiff'
LEFT JOIN side_ref srd ON srd.judge_id = p.judge_id AND srd.lawyer_id = p.lawyer_id
     AND srd.court_id = p.court_id AND srd.side = 'defendant'
WHERE p.n_together >= $min_shared
ORDER BY p.judge_id, p.lawyer_id

-- dash_judge_lawyer_cases — a judge's civil cases, split into those with one lawyer and the others.
-- One row per civil case of $judge_id: case_id, filed_on, closed_on, assignment, prevailing_side,
-- with_lawyer (the lawyer represented a party), lawyer_side ('plaintiff' | 'defendant' | NULL),
-- lawyer_won (TRUE/FALSE when the case has a decided outcome and the lawyer took part, else NULL).
-- Params: $judge_id, $lawyer_id. Read by: dashboard/data.py (judge_lawyer_comparison) on the flag page.
WITH rep AS (
    SELECT case_id,
           CASE WHEN min(side) IN ('plaintiff', 'applicant') THEN 'plaintiff' ELSE 'defendant' END AS side
    FROM representations
    WHERE lawyer_id = $lawyer_id AND side IN ('plaintiff', 'applicant', 'defendant', 'respondent')
    GROUP BY case_id
)
SELECT c.case_id, c.filed_on, c.closed_on, c.assignment, c.prevailing_side,
       rep.case_id IS NOT NULL AS with_lawyer, rep.side AS lawyer_side,
       CASE WHEN rep.case_id IS NULL OR c.prevailing_side IS NULL OR c.prevailing_side = 'none' THEN NULL
            ELSE c.prevailing_side = rep.side END AS lawyer_won
FROM cases c LEFT JOIN rep USING (case_id)
WHERE c.judge_id = $judge_id AND c.case_kind = 'civil'
ORDER BY with_lawyer DESC, c.filed_on

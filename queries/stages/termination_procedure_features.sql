-- stages/termination_procedure_features — a common table expression shared by pattern_termination_procedure and
-- pattern_termination_procedure_of_cases, not a query: procedure_features, one row per enforcement case
-- terminated for now (close_method = 'terminated_this_round', closed on or before $as_of), how it was
-- handled as numbers a model can compare. Day counts are calendar days; NULL where a date
-- is unknown (the detector counts such rows as skipped, it never reads them as zero).
--   days_to_termination            filing → 终本
--   days_to_notice / _report_order / _restriction   filing → execution notice / property-report order /
--                                  consumption-restriction order (法〔2016〕373号 art. 1(1)–(2))
--   online_inquiries               inquiries through the online inspection system (art. 1(3))
--   days_last_inquiry_to_termination
--   onsite_done                    1 when an on-site investigation is recorded, else 0 (no record)
--   assets_found_share, recovered_share   found property / recovered money relative to the claim
--   days_informed_to_termination   applicant informed → 终本 (art. 5)
--   step_spread_days               first to last of the recorded steps (notice, report order, restriction,
--                                  last inquiry, on-site investigation, informing the applicant)
-- A query reads it by a line `-- include: termination_procedure_features` after its WITH
-- (courtwatch/queries/__init__.py), so a full run's partitions and an incremental run's new cases are the
-- same numbers. Params: $as_of.
-- Read by: queries/pattern_termination_procedure.sql, queries/pattern_termination_procedure_of_cases.sql.
procedure_features AS (
    SELECT c.case_id, c.judge_id, c.court_id, c.filed_on, c.closed_on, c.claim_amount,
           e.assets_found_value, e.recovered_amount,
           date_diff('day', c.filed_on, c.closed_on) AS days_to_termination,
           date_diff('day', c.filed_on, e.notice_on) AS days_to_notice,
           date_diff('day', c.filed_on, e.report_order_on) AS days_to_report_order,
           date_diff('day', c.filed_on, e.restriction_order_on) AS days_to_restriction,
           e.online_inquiries::DOUBLE AS online_inquiries,
           date_diff('day', e.last_online_inquiry_on, c.closed_on) AS days_last_inquiry_to_termination,
           CASE WHEN e.onsite_investigation_on IS NOT NULL THEN 1 ELSE 0 END AS onsite_done,
           e.assets_found_value / nullif(c.claim_amount, 0) AS assets_found_share,
           e.recovered_amount / nullif(c.claim_amount, 0) AS recovered_share,
           date_diff('day', e.applicant_informed_on, c.closed_on) AS days_informed_to_termination,
           date_diff('day',
                     least(e.notice_on, e.report_order_on, e.restriction_order_on, e.last_online_inquiry_on,
                           e.onsite_investigation_on, e.applicant_informed_on),
                     greatest(e.notice_on, e.report_order_on, e.restriction_order_on, e.last_online_inquiry_on,
                              e.onsite_investigation_on, e.applicant_informed_on)) AS step_spread_days
    FROM cases c
    JOIN enforcement e USING (case_id)
    WHERE c.case_kind = 'enforcement' AND c.close_method = 'terminated_this_round'
      AND c.closed_on IS NOT NULL AND c.closed_on <= $as_of
)

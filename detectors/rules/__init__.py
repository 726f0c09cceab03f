"""Legal-rule detectors: deterministic checks of written rules, one file and one SQL query each.

RULES lists them in the order they run (detectors/registry.py reads RULE_DETECTORS); the shared
machinery is in common.py, each rule's wording and parameters in detectors/rules/<name>.py.
"""
from __future__ import annotations

from . import (
    case_long_pending,
    case_past_time_limit,
    combined_sentence_over_cap,
    control_out_of_range,
    detention_out_of_range,
    fine_records_incomplete,
    fixed_term_below_6_months,
    funds_not_disbursed_30_days,
    interference_followed_by_change,
    interference_records_absent,
    late_post_close_edit,
    missing_mandatory_fine,
    probation_for_recidivist,
    probation_period_out_of_range,
    probation_term_over_3_years,
    record_facts_inconsistent,
    term_above_statutory_max,
    zb_applicant_not_informed,
    zb_assets_found_but_terminated,
    zb_inquiry_log_incomplete,
    zb_missing_respondent_not_searched,
    zb_no_inquiry_after_termination,
    zb_no_notice_or_report_order,
    zb_no_online_inquiry,
    zb_no_restriction_order,
    zb_online_inquiry_stale,
    zb_terminated_within_3_months,
)
from .common import RULE_KIND_CONTROL, RULE_KIND_PEERS, Rule, RuleDetector, RuleSettings

RULES: list[Rule] = [
    zb_terminated_within_3_months.RULE,
    zb_no_notice_or_report_order.RULE,
    zb_no_restriction_order.RULE,
    zb_no_online_inquiry.RULE,
    zb_online_inquiry_stale.RULE,
    zb_applicant_not_informed.RULE,
    zb_missing_respondent_not_searched.RULE,
    zb_assets_found_but_terminated.RULE,
    zb_no_inquiry_after_termination.RULE,
    zb_inquiry_log_incomplete.RULE,
    probation_for_recidivist.RULE,
    probation_term_over_3_years.RULE,
    detention_out_of_range.RULE,
    term_above_statutory_max.RULE,
    record_facts_inconsistent.RULE,
    probation_period_out_of_range.RULE,
    fixed_term_below_6_months.RULE,
    control_out_of_range.RULE,
    combined_sentence_over_cap.RULE,
    missing_mandatory_fine.RULE,
    fine_records_incomplete.RULE,
    funds_not_disbursed_30_days.RULE,
    late_post_close_edit.RULE,
    interference_followed_by_change.RULE,
    interference_records_absent.RULE,
    case_past_time_limit.RULE,  # the patrol of irregular conduct (不规范司法行为巡查)
    case_long_pending.RULE,
]

# A rule whose rows carry their own kind (statute or heuristic) brings its own RuleDetector.
_OWN_DETECTOR = {case_past_time_limit.RULE.name: case_past_time_limit.DETECTOR}
RULE_DETECTORS = [_OWN_DETECTOR.get(rule.name) or RuleDetector(rule) for rule in RULES]

__all__ = ["RULES", "RULE_DETECTORS", "RULE_KIND_CONTROL", "RULE_KIND_PEERS", "Rule", "RuleDetector", "RuleSettings"]

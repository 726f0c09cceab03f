"""长期未结 — cases pending more than [rules] long_pending_months after filing (issue 15, 不规范司法行为巡查).

queries/case_long_pending.sql lists them; this Rule says how a flag reads (zh in the explanation, en in the
evidence) and what the query is given. A heuristic, not a breach: no statute defines 长期未结, and a case can
lawfully stay open that long (extensions, suspension, appraisal); the courts' own statistics count a case
pending a year or more as long-pending, and the flag asks the reviewer to look at why it is still open.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..base import DetectContext, Settings
from .case_past_time_limit import CASE_TYPE_EN, CASE_TYPE_ZH, TIME_LIMIT_RULES
from .common import Rule, _d, _d_en, _n, clean_value

# Where the figure comes from (config.toml [rules] long_pending_months says the same).
LONG_PENDING_SOURCE = ("最高人民法院审判管理办公室2021年长期未结案件专项清理：以立案一年以上未结的诉讼案件、执行案件为长期未结案件"
                       "（法律和司法解释未定义长期未结案件）")


@dataclass(frozen=True)
class LongPendingSettings(Settings):
    """The key of `[rules]` this rule reads."""

    section = "rules"

    long_pending_months: int


def _params(ctx: DetectContext) -> dict:
    s = LongPendingSettings.from_config(ctx.config)
    return {"as_of": ctx.as_of, "months": int(s.long_pending_months)}


def _why_zh(r: dict) -> str:
    parts = [f"记录的延长审限{_n(r['extensions'])}次"]
    if clean_value(r.get("deducted_days")) is not None:
        parts.append(f"扣除审限{_n(r['deducted_days'])}天")
    if int(r.get("suspensions") or 0):
        parts.append(f"中止{_n(r['suspensions'])}次" + ("，目前仍处于中止状态" if r.get("suspended_now") else ""))
    return "，".join(parts)


def _why_en(r: dict) -> str:
    parts = [f"{_n(r['extensions'])} approved extension(s) recorded"]
    if clean_value(r.get("deducted_days")) is not None:
        parts.append(f"{_n(r['deducted_days'])} days deducted")
    if int(r.get("suspensions") or 0):
        parts.append(f"{_n(r['suspensions'])} suspension(s)" + (", suspended now" if r.get("suspended_now") else ""))
    return "; ".join(parts)


def explain_zh(r: dict) -> str:
    kind = CASE_TYPE_ZH.get(r["case_type"], r["case_type"] or "")
    return (f"该{kind}案件于{_d(r['filed_on'])}立案，截至统计日已{_n(r['days_pending'])}天仍未结，属长期未结案件（立案满{_n(r['threshold_months'])}个月仍未结）；"
            f"{_why_zh(r)}。长期未结本身不等于违法：请核实延长、中止等是否依法审批，以及案件久拖未结的原因。")


def explain_en(r: dict) -> str:
    kind = CASE_TYPE_EN.get(r["case_type"], r["case_type"] or "")
    return (f"This {kind} case was filed on {_d_en(r['filed_on'])} and has been pending for {_n(r['days_pending'])} "
            f"days, a long-pending case (open more than {_n(r['threshold_months'])} months after filing); {_why_en(r)}. Being long pending is not in "
            f"itself unlawful: check that extensions and suspensions were lawfully approved, and why the case is still open.")


RULE = Rule(
    "case_long_pending", "integrity", "case",
    "长期未结：立案满规定期限仍未结案", "Case long pending after filing",
    f"{LONG_PENDING_SOURCE}；审理、执行期限见{TIME_LIMIT_RULES}",
    explain_zh, explain_en,
    needs=("cases",),
    params=_params,
    limitations=("A heuristic: natural days since filing, as the courts' 长期未结 statistics count them, so a case "
                 "lawfully extended or suspended is listed too (its extensions and suspensions are in the evidence); "
                 "whether it is also past its statutory limit is case_past_time_limit's question. The threshold is "
                 "[rules] long_pending_months."),
    kind="heuristic",
)

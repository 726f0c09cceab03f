"""A court that records no inquiry or interference at all where its province's export does (a heuristic; the 2015 rules).

queries/interference_records_absent.sql finds the courts; this Rule says how its flag reads (zh in the explanation,
en in the evidence) and what the query is given.
"""
from __future__ import annotations

from ..base import DetectContext
from .common import INTERFERENCE_BASIS, Rule, RuleSettings, _n


def _params(ctx: DetectContext) -> dict:
    return {"min_expected": RuleSettings.from_config(ctx.config).interference_absent_min_expected}


RULE = Rule("interference_records_absent", "integrity", "court",
            "全院无过问案件登记记录（启发式）", "The court records no interference at all (a heuristic)",
            f"启发式规则（非法定规则）：{INTERFERENCE_BASIS}",
            lambda r: (f"该院{_n(r['cases'])}件案件中没有任何过问案件登记；按全省导出数据的登记比例"
                       f"（{_n(r['province_recorded_cases'])}/{_n(r['province_cases'])}件），该院预计应有约"
                       f"{_n(r['expected_records'], 1)}件。规定要求对过问全面、如实、及时地记录，全无记录可能是漏记；"
                       "此为启发式提示，也可能确无过问，请核查登记制度的落实情况。"),
            lambda r: (f"None of the court's {_n(r['cases'])} cases carries an interference record, while its province's "
                       f"export records them on {_n(r['province_recorded_cases'])} of {_n(r['province_cases'])} cases — "
                       f"about {_n(r['expected_records'], 1)} expected here. The 2015 rules require every inquiry to be "
                       "recorded; none at all may be under-recording. A heuristic: there may truly have been none."),
            needs=("cases", "events"),
            params=_params,
            limitations=("A heuristic: compares the court with its province's export (expected records = its cases × the "
                         "province's recorded share; flagged from interference_absent_min_expected, about e^-5 ≈ 0.7% by "
                         "chance); a court may truly have had none, and an export in which no court records any gives no "
                         "flag."),
            kind="heuristic",
            incremental="carry")

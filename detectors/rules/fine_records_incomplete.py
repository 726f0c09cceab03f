"""A court whose export evidently does not record fines (a data-quality note, never a legal finding).

queries/fine_records_incomplete.sql finds the courts; this Rule says how its flag reads (zh in the
explanation, en in the evidence) and what the query is given. missing_mandatory_fine abstains on them.
"""
from __future__ import annotations

from .common import Rule, _n
from .missing_mandatory_fine import _params, register

RULE = Rule("fine_records_incomplete", "data_quality", "court",
            "罚金记录疑似缺失（全院）", "Fine records look incomplete for the whole court",
            "数据质量提示：《中华人民共和国刑法》相应条文规定必须并处罚金的判决（非违法认定）",
            lambda r: (f"该院{_n(r['sentences'])}件应当并处罚金的判决中有{_n(r['zero_fines'])}件记录的罚金为0"
                       + (f"（全省导出数据{_n(r['province_sentences'])}件中{_n(r['province_zero_fines'])}件）"
                          if r.get("province_incomplete") else "")
                       + "，比例远高于漏判罚金的实际可能，导出数据很可能未完整记录罚金；对这些判决不逐案提示，请核对该院的数据导出。"),
            lambda r: (f"{_n(r['zero_fines'])} of the court's {_n(r['sentences'])} sentences that must carry a fine are "
                       "recorded with none"
                       + (f" ({_n(r['province_zero_fines'])} of {_n(r['province_sentences'])} in the province's export)"
                          if r.get("province_incomplete") else "")
                       + " — far more than real omissions — so its export most likely does not record fines; "
                       "missing_mandatory_fine does not warn on each of them. Check the court's export."),
            needs=("cases", "defendants"),
            params=_params,
            register=register,
            limitations=("A data-quality note: thresholds [rules] fine_records_incomplete_share and _min_zeros, over the "
                         "court or over its province's whole export (a small court cannot show the habit alone); each "
                         "court with a zero fine in such an export is named once. The same definition as "
                         "missing_mandatory_fine's abstention."),
            kind="data_quality",
            incremental="carry")

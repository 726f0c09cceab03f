"""Why the import held a row back, in Chinese, for the Chinese briefing's data-quality section.

The import (courtwatch/pipeline/ingest.py) records each quarantined row's reason in English, word for word as
its checks write it; queries/brief_quarantine_by_reason.sql drops a trailing parenthesis (it may quote another
court's values), so each pattern takes the reason with or without it. A Chinese briefing prints the reason
through the patterns below; a reason of a form not
listed here is printed as `OTHER` (the XLSX keeps the original beside it), never as English text.
"""
from __future__ import annotations

import re

OTHER = "格式或内容不符合导入要求（原因见XLSX版本“原文”列）"

_NOUNS = {"case": "案件", "court": "法院", "judge": "人员", "defendant": "被告人", "enforcement": "执行案件",
          "event": "事件", "representation": "代理记录", "lawyer": "律师"}
_KINDS = {"criminal": "刑事", "civil": "民事", "enforcement": "执行", "administrative": "行政", "other": "其他"}

# (pattern of the English reason, Chinese with the pattern's groups) — the first that matches is used
_PATTERNS: list[tuple[re.Pattern, str]] = [(re.compile(p), zh) for p, zh in (
    (r"^required value missing$", "必填项为空"),
    (r"^longer than (?P<n>\d+) characters$", "超过{n}个字符"),
    (r"^contains a control character \((?P<u>U\+[0-9A-F]+)\) that documents cannot hold$",
     "含有文档无法容纳的控制字符（{u}）"),
    (r"^not a boolean(?: \(.*\))?$", "不是“是/否”值"),
    (r"^not one of .+$", "不是规定的取值之一"),
    (r"^not a date(?: \(expected YYYY-MM-DD\))?$", "不是有效日期（应为“年-月-日”，如2024-03-05）"),
    (r"^not a timestamp(?: \(.*\))?$", "不是有效的日期时间"),
    (r"^implausible date(?: \(before 1950\))?$", "日期不合理（早于1950年）"),
    (r"^after the export date (?P<d>\d{4}-\d{2}-\d{2})$", "晚于数据导出日期 {d}"),
    (r"^not a number$", "不是数字"),
    (r"^negative; amounts, counts and terms cannot be$", "为负数（金额、数量和刑期不能为负）"),
    (r"^implausibly large \(over (?P<n>[0-9.e+]+)(?: months: .*)?\)$", "数值过大（超过{n}）"),
    (r"^implausibly large$", "数值过大"),
    (r"^not a whole number$", "不是整数"),
    (r"^identifier starts with (?P<c>.+?)(?: \(a spreadsheet would read it as a formula\))?$",
     "编号以{c}开头（电子表格会当作公式）"),
    (r"^identifier contains a non-printable character \((?P<u>U\+[0-9A-F]+)\)$", "编号含不可显示的字符（{u}）"),
    (r"^identifier contains a non-printable character$", "编号含不可显示的字符"),
    (r"^exact copy of row (?P<n>\d+); the first copy is loaded$", "与第{n}行完全重复（已载入第一行）"),
    (r"^key appears in rows (?P<rows>[\d, ]+) with different content; none loaded$",
     "同一编号出现在第{rows}行且内容不同，均未载入"),
    (r"^refers to an? (?P<noun>[a-z_]+) that is not loaded \((?P<ref>[a-z_.]+)\)$", "所引用的{noun}未载入（{ref}）"),
    (r"^refers to an? (?P<noun>[a-z_]+) that is not loaded$", "所引用的{noun}未载入"),
    (r"^not an? (?P<kind>[a-z]+) case \(the case number's type is (?P<actual>[a-z]+)\)$",
     "不是{kind}案件（案号类型为{actual}）"),
    (r"^not an? (?P<kind>[a-z]+) case$", "不是{kind}案件"),
    (r"^(?P<col>[A-Za-z_]+) holds a spreadsheet formula, not a value.*$", "{col}为电子表格公式而非数值，请导出数值"),
    (r"^the row cannot be split into columns.*$", "该行无法拆分为字段"),
    (r"^bytes not valid in the file's encoding.*$", "含有不符合文件编码的字节"),
    (r"^has (?P<n>\d+) fields but the header has (?P<w>\d+)$", "有{n}个字段，但表头有{w}个"),
)]


def reason_zh(reason: str) -> str:
    """One quarantine reason in Chinese (OTHER for a form not listed)."""
    text = (reason or "").strip()
    for pattern, zh in _PATTERNS:
        match = pattern.match(text)
        if match:
            values = match.groupdict()
            if "noun" in values:
                values["noun"] = _NOUNS.get(values["noun"], "记录")
            for key in ("kind", "actual"):
                if key in values:
                    values[key] = _KINDS.get(values[key], values[key])
            if any(re.search(r"[a-z]{3,}", v) for k, v in values.items() if k not in ("ref", "col")):
                return OTHER
            return zh.format(**values)
    return OTHER

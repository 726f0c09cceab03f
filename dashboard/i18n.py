"""Every user-visible string of the dashboard, in Chinese and English. Chinese terms of art stay."""
from __future__ import annotations

CATALOG: dict[str, tuple[str, str]] = {
    "app_title": ("courtwatch 司法监督预警", "courtwatch judicial supervision warnings"),
    "notice": ("提示：以下均为供人工审查的预警，不构成任何认定；处理决定由人作出并记录。",
               "Notice: every item below is a warning for human review, not a finding; decisions are made and recorded by people."),
    "language": ("语言", "Language"),
    "assistance": ("启用AI辅助预警", "AI assistance on"),
    "assistance_off": ("AI辅助已关闭：不显示评分和预警，案件数据仍可浏览。",
                       "AI assistance is off: scores and warnings are hidden; case data can still be browsed."),
    "page_flags": ("预警列表", "Flags"),
    "no_db": ("尚无数据库：请先运行 `courtwatch ingest 文件夹`。", "No database yet: run `courtwatch ingest FOLDER` first."),
    "no_run": ("尚无检测运行：请运行 `courtwatch detect`。", "No detection run yet: run `courtwatch detect`."),
    "freshness": ("数据截至 {as_of}｜运行 {run_id}｜隔离行 {quarantined}",
                  "Data as of {as_of} | run {run_id} | quarantined rows {quarantined}"),
    "category": ("类别", "Category"),
    "detector": ("检测规则/模型", "Detector"),
    "level": ("预警强度", "Level"),
    "court": ("法院", "Court"),
    "search": ("搜索（案号、说明）", "Search (case number, explanation)"),
    "count": ("共 {n} 条预警", "{n} flags"),
    "no_match": ("没有符合筛选条件的预警。", "No flags match the filters."),
    "select_hint": ("点击表格中的一行查看证据。", "Click a row to see its evidence."),
    "evidence": ("证据", "Evidence"),
    "legal_basis": ("法律依据", "Legal basis"),
    "explanation": ("说明", "Explanation"),
    "subject": ("对象", "Subject"),
    "score": ("评分", "Score"),
    "sentencing": ("量刑", "Sentencing"),
    "enforcement": ("执行（终本）", "Enforcement (终本)"),
    "integrity": ("廉洁风险", "Integrity"),
    "low": ("低", "low"),
    "medium": ("中", "medium"),
    "high": ("高", "high"),
}


def t(key: str, lang: str = "zh", **values) -> str:
    zh, en = CATALOG.get(key, (key, key))
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text

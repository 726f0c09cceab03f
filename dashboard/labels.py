"""Words and numbers as the user reads them: catalog strings in the chosen language (`tr`), labels of the
vocabulary's codes, detector titles, evidence values, and the profile tables in words.

English pages carry no Chinese but names, case numbers, court, charge and cause names and what a court's
own record says (an event's note): the detectors' Chinese-only texts (legal bases, sentencing factors) are
rendered in English here, and the Chinese terms of art left in their English texts (终本, 认罪认罚,
刑法第N条, an amount standard) are put into English by `english` (tests/test_dashboard.py checks every page).
"""
from __future__ import annotations

import functools
import re

import pandas as pd

from .i18n import t
from .state import lang

EVIDENCE_TEXT_KEYS = {"explanation_en", "legal_basis", "method", "notice", "rule", "rule_title", "rule_title_en",
                      "peer_comparison"}


def tr(key: str, **values) -> str:
    """A catalog string in the user's language."""
    return t(key, lang(), **values)


def short(value, length: int = 10) -> str:
    return "—" if value is None else str(value)[:length]


# The flags list cuts an explanation and a detector's title to what three lines of their columns hold
# (dashboard/widgets.FLAG_TABLE_WIDTHS; English wraps at words, so fewer characters fit); the flag page
# shows both in full.
EXPLANATION_CHARS = {"zh": 48, "en": 82}
TITLE_CHARS = {"zh": 30, "en": 52}


def clip(text, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis (at a word boundary when there are spaces)."""
    text = " ".join(str(text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;，；、") + "…"


# ---------------------------------------------------------------- codes

def category_label(code: str, language: str | None = None) -> str:
    return t(f"cat_{code}", language or lang()) if code else "—"


def level_label(code: str, language: str | None = None) -> str:
    return t(f"level_{code}", language or lang()) if code else "—"


def review_label(code: str, language: str | None = None) -> str:
    return t(f"review_{code}", language or lang()) if code else "—"


def detector_title(name: str, language: str | None = None) -> str:
    from courtwatch.detectors.registry import by_name
    detector = by_name().get(name)
    if detector is None:
        return name
    if (language or lang()) == "zh":
        return detector.title_zh or name
    title = english(detector.title_en or name)
    return title[:1].upper() + title[1:]


def score_meaning(record) -> str:
    """What a flag's 0–1 score means, in the page's language (detectors/triage.py)."""
    from courtwatch.detectors import triage
    from courtwatch.detectors.registry import by_name
    detector = by_name().get(record.get("detector"))
    kind = triage.kind_of(detector) if detector is not None else "statistical"
    zh, en = triage.score_words(kind, float(record.get("score") or 0.0))
    return en if lang() == "en" else zh


def fixed(label_fn):
    """A label function for `format_func`, with the current language fixed: Streamlit may call a
    format_func outside the script run, where the user's choices cannot be read."""
    return functools.partial(label_fn, language=lang())


def explanation(record) -> str:
    """The flag's plain sentence in the user's language (English from the evidence)."""
    if lang() == "en":
        return explanation_en(record.get("explanation_en"), record.get("explanation"))
    return record.get("explanation") or ""


def explanation_en(english_text, chinese_text) -> str:
    """A flag's English sentence; the queries fall back to the Chinese one, which an English page does not show."""
    if not isinstance(english_text, str) or not english_text or english_text == chinese_text:
        return tr("explanation_zh_only")
    return english(english_text)


def legal_basis(record) -> str:
    """The statute or guideline a flag rests on, in the user's language; — when the flag names none."""
    basis = (record.get("evidence") or {}).get("legal_basis")
    if not basis:
        return "—"
    if lang() == "zh":
        return basis
    rendered = legal_basis_en(basis)
    return rendered if rendered is not None else tr("legal_basis_zh_only")


# ---------------------------------------------------------------- Chinese terms in English text

_CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")
_CHINESE_NUMBER = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_PROVINCES = {"北京": "Beijing", "天津": "Tianjin", "河北": "Hebei", "山西": "Shanxi", "内蒙古": "Inner Mongolia",
              "辽宁": "Liaoning", "吉林": "Jilin", "黑龙江": "Heilongjiang", "上海": "Shanghai", "江苏": "Jiangsu",
              "浙江": "Zhejiang", "安徽": "Anhui", "福建": "Fujian", "江西": "Jiangxi", "山东": "Shandong",
              "河南": "Henan", "湖北": "Hubei", "湖南": "Hunan", "广东": "Guangdong", "广西": "Guangxi",
              "海南": "Hainan", "重庆": "Chongqing", "四川": "Sichuan", "贵州": "Guizhou", "云南": "Yunnan",
              "西藏": "Tibet", "陕西": "Shaanxi", "甘肃": "Gansu", "青海": "Qinghai", "宁夏": "Ningxia",
              "新疆": "Xinjiang"}
# a bracketed text, one level of brackets inside allowed: （…（…）…）
_BRACKETED = r"（(?:[^（）]|（[^（）]*）)*）"


def chinese_number(text: str) -> int:
    """一百三十三 → 133, 二百八十七 → 287, 十五 → 15 (article numbers as statutes write them)."""
    total, current = 0, 0
    for char in text:
        if char in _CHINESE_NUMBER:
            current = _CHINESE_NUMBER[char]
        elif char in "十百千":
            total += (current or 1) * {"十": 10, "百": 100, "千": 1000}[char]
            current = 0
    return total + current


def _document_number(match: re.Match) -> str:
    """法释〔2013〕8号 → Fa Shi [2013] No. 8 (how Chinese document numbers are cited in English)."""
    prefix = {"法释": "Fa Shi", "法发": "Fa Fa", "中办发": "Zhong Ban Fa", "法": "Fa"}.get(match.group(1), match.group(1))
    return f"{prefix} [{match.group(2)}] No. {match.group(3)}"


def _article(match: re.Match) -> str:
    """刑法第266条 / 刑法第287条之二 → Criminal Law art. 266 / art. 287-2."""
    number = match.group(1)
    number = number if number.isdigit() else str(chinese_number(number))
    sub = f"-{chinese_number(match.group(2))}" if match.group(2) else ""
    return f"Criminal Law art. {number}{sub}"


def _standard(match: re.Match) -> str:
    province = _PROVINCES.get(match.group(1), match.group(1))
    return f"the {province} provincial amount standard"


_NUMBER = "[一二三四五六七八九十百零]+"
# 第一百三十三条之一, 第九条第二款, 第一条第（三）项
_ONE_ARTICLE = rf"第({_NUMBER})条(?:之({_NUMBER}))?(?:第({_NUMBER})款)?(?:第（({_NUMBER})）项)?"
_ARTICLES = re.compile(rf"{_ONE_ARTICLE}(?:、{_ONE_ARTICLE})*")


def _one_article_en(number, sub, paragraph, item) -> str:
    text = str(chinese_number(number)) + (f"-{chinese_number(sub)}" if sub else "")
    if item:
        text += f"({chinese_number(item)})"
    if paragraph:
        text += f", para. {chinese_number(paragraph)}"
    return text


def _articles(match: re.Match) -> str:
    """第三十八条、第六十九条 → arts. 38 and 69; 第一条第（三）项 → art. 1(3); 第九条第二款 → art. 9, para. 2."""
    numbers = [_one_article_en(*parts) for parts in re.findall(_ONE_ARTICLE, match.group(0))]
    listed = numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"
    return ("art. " if len(numbers) == 1 else "arts. ") + listed


_STATUTES_EN = {"中华人民共和国刑法": "Criminal Law of the People's Republic of China",
                "中华人民共和国刑事诉讼法": "Criminal Procedure Law of the People's Republic of China",
                "中华人民共和国民事诉讼法": "Civil Procedure Law of the People's Republic of China",
                "中华人民共和国行政诉讼法": "Administrative Procedure Law of the People's Republic of China",
                "中华人民共和国宪法": "Constitution of the People's Republic of China"}
# Documents the detectors cite, by their Chinese title (a document number after it is rendered on its own).
_DOCUMENTS_EN = {
    "最高人民法院关于严格规范终结本次执行程序的规定（试行）":
        "Supreme People's Court Provisions on Strictly Regulating the Termination of the Current Round of Enforcement (trial)",
    "最高人民法院关于严格执行案件审理期限制度的若干规定":
        "Supreme People's Court Provisions on Strictly Enforcing the Time Limits for Trying Cases",
    "最高人民法院关于人民法院办理执行案件若干期限的规定":
        "Supreme People's Court Provisions on Time Limits for Handling Enforcement Cases",
    "最高人民法院关于适用《中华人民共和国民事诉讼法》的解释":
        "Supreme People's Court Interpretation on Applying the Civil Procedure Law of the People's Republic of China",
    "最高人民法院关于执行案件立案、结案若干问题的意见":
        "Supreme People's Court Opinions on Certain Issues of Filing and Closing Enforcement Cases",
    "最高人民法院关于执行款物管理工作的规定":
        "Supreme People's Court Provisions on the Administration of Enforcement Funds and Property",
    "最高人民法院关于完善人民法院司法责任制的若干意见":
        "Supreme People's Court Opinions on Improving the Judicial Responsibility System of the People's Courts",
    "人民法院落实《领导干部干预司法活动、插手具体案件处理的记录、通报和责任追究规定》的实施办法":
        "Measures of the People's Courts Implementing the Provisions on Recording, Reporting and Holding Accountable "
        "Leading Officials Who Interfere in Judicial Activities or in the Handling of Specific Cases",
    "领导干部干预司法活动、插手具体案件处理的记录、通报和责任追究规定":
        "Provisions on Recording, Reporting and Holding Accountable Leading Officials Who Interfere in Judicial "
        "Activities or in the Handling of Specific Cases",
    "司法机关内部人员过问案件的记录和责任追究规定":
        "Provisions on Recording and Holding Accountable Judicial Insiders Who Inquire into Cases",
    "关于进一步规范司法人员与当事人、律师、特殊关系人、中介组织接触交往行为的若干规定":
        "Several Provisions on Further Regulating Contacts between Judicial Personnel and Parties, Lawyers, Persons "
        "with Special Relationships and Intermediary Organisations",
}
# Phrases around the citations, as the detectors write them.
_PHRASES_EN = {
    "启发式规则（非法定规则）：": "A heuristic, not a statutory rule: ",
    "数据质量提示：": "Data-quality warning: ",
    "（文号未查得）": " (document number not found)",
    "年，文号未查得）": ", document number not found)",
    "：人民法院工作人员均应当全面、如实、及时地予以记录": ": every court employee shall record it fully, truthfully and promptly",
    "（非违法认定）": " (not a finding of unlawfulness)",
    "（网络执行查控；条文未规定期限）": " (online enforcement inquiries; the article sets no interval)",
    "（发现的财产不能处置）": " (property found that cannot be disposed of)",
    "例外情形见": "exceptions: see ",
    "审理、执行期限见": "time limits for trial and enforcement: see ",
    "：有特殊情况需要延长审理、执行期限的，经本院院长（或上级人民法院）批准":
        ": in special circumstances the time limit for trial or enforcement may be extended with the approval of the "
        "court's president (or of the court above)",
    "：审判权力运行监督管理（审限延长）": ": supervision of how adjudicative power is exercised (extensions of time limits)",
    "：执行款到账通知之日起三十日内发放；需要分配、被保全冻结、经通知未领取、中止或暂缓执行等情形经批准可以延缓发放（条文序号未查得）":
        ": enforcement funds are paid out within 30 days of the notice of receipt; with approval, payment may be "
        "deferred where funds must be distributed, are frozen for preservation, are not collected after notice, or "
        "enforcement is suspended or deferred (article number not found)",
    "最高人民法院审判管理办公室2021年长期未结案件专项清理：以立案一年以上未结的诉讼案件、执行案件为长期未结案件"
    "（法律和司法解释未定义长期未结案件）":
        "Supreme People's Court Trial Management Office, 2021 campaign on long-pending cases: litigation and "
        "enforcement cases still pending a year after filing count as long pending (no statute or judicial "
        "interpretation defines the term)",
}


def _statute(match: re.Match) -> str:
    amended = f" ({match.group(2)} amendment)" if match.group(2) else ""
    return _STATUTES_EN[match.group(1)] + amended


def _ascii_punctuation(text: str) -> str:
    """Chinese punctuation left between English words (not inside a charge name: 走私、贩卖…) in ASCII."""
    ideograph = "\u4e00-\u9fff"
    pairs = {"，": ", ", "、": ", ", "；": "; ", "：": ": ", "（": " (", "）": ")", "《": "", "》": ""}
    return re.sub(rf"(?<![{ideograph}])[，、；：（）《》]|[，、；：（）《》](?![{ideograph}])",
                  lambda m: pairs[m.group(0)], text).replace("  ", " ").replace(" )", ")").replace("( ", "(")


# In order: each rewrites a phrase the detectors leave in Chinese inside their English sentences.
_ENGLISH_TERMS = [
    (re.compile(r"未配置该省标准，按全国最低数额标准" + _BRACKETED), "the national lowest amount thresholds (no provincial standard configured)"),
    (re.compile(r"按全国统一标准（(刑法第[0-9一二三四五六七八九十百]+条(?:之[一二三四五六七八九])?)）"),
     lambda m: f"the national standard ({_ARTICLE.sub(_article, m.group(1))})"),
    (re.compile(r"按(" + "|".join(_PROVINCES) + r")省标准" + _BRACKETED), _standard),
    *[(re.compile(re.escape(zh)), en) for zh, en in sorted(_PHRASES_EN.items(), key=lambda kv: -len(kv[0]))],
    *[(re.compile(re.escape(zh)), en) for zh, en in sorted(_DOCUMENTS_EN.items(), key=lambda kv: -len(kv[0]))],
    (re.compile(r"《?(" + "|".join(_STATUTES_EN) + r")》?(?:（(\d{4})年修正）)?"), _statute),
    (re.compile(r"(法释|法发|中办发|法)〔(\d{4})〕(\d+)号"), _document_number),
    (re.compile(r"(?<=[A-Za-z)\]）])\s*(?=第[一二三四五六七八九十百零]+条)"), ", "),
    (_ARTICLES, _articles),
    # a Chinese term glossing the English one just before it: public surveillance (管制) → public surveillance
    (re.compile(r"\s*[（(](?:终本|管制|拘役|有期徒刑|缓刑|罚金|认罪认罚|速裁|总对总)[）)]"), ""),
    (re.compile(r"数罪并罚"), "several charges"),
    (re.compile(r"终本(?= cases?\b)"), "termination-for-now"),
    (re.compile(r"post-终本"), "post-termination"),
    (re.compile(r"终本"), "termination for now"),
    (re.compile(r"认罪认罚"), "the guilty-plea leniency system"),
    (re.compile(r"速裁"), "fast-track procedure"),
    # penalties named in Chinese inside an English sentence, once the glosses above are gone
    (re.compile(r"刑法\s*§"), "Criminal Law §"),
    (re.compile(r"有期徒刑"), "fixed-term imprisonment"),
    (re.compile(r"拘役"), "criminal detention"),
    (re.compile(r"管制"), "public surveillance"),
]
_ARTICLE = re.compile(r"刑法第([0-9一二三四五六七八九十百]+)条(?:之([一二三四五六七八九]))?")


def english(text: str) -> str:
    """An English text from a detector with the Chinese it keeps put into English: terms of art (终本, 认罪认罚),
    statute and document citations (中华人民共和国民事诉讼法（2023年修正）第一百五十二条, 法释〔2000〕29号), articles
    (刑法第266条), amount standards. Names, case numbers, courts and charges stay."""
    if not isinstance(text, str) or not _CJK.search(text):
        return text
    for pattern, replacement in _ENGLISH_TERMS:
        text = pattern.sub(replacement, text)
    return _ascii_punctuation(_ARTICLE.sub(_article, text))


_ZB_RULES = ("Supreme People's Court Provisions on Strictly Regulating the Termination of the Current Round of "
             "Enforcement (trial) (Fa [2016] No. 373)")
_ZB_RULES_ZH = "最高人民法院关于严格规范终结本次执行程序的规定（试行）（法〔2016〕373号）"
_NO_INTERFERENCE_LEADERS = ("Provisions on Recording, Reporting and Holding Accountable Leading Officials Who "
                            "Interfere in Judicial Activities or in the Handling of Specific Cases")
_NO_INTERFERENCE_INSIDERS = "Provisions on Recording and Holding Accountable Judicial Insiders Who Inquire into Cases"
_RESPONSIBILITY = ("Supreme People's Court Opinions on Improving the Judicial Responsibility System of the People's "
                   "Courts (Fa Fa [2015] No. 13): cases are assigned at random as the rule, by designation only as "
                   "the exception")
# The legal bases' citations that carry explanations in Chinese (a basis is citations joined by ；); a citation
# of statutes, documents and articles alone is rendered by `english`. A basis with a citation neither covers is
# shown as 'cited in Chinese only', never half translated; tests/test_dashboard.py checks every registered
# detector's basis is covered.
LEGAL_BASIS_PARTS_EN = {
    _ZB_RULES_ZH + "第一条（终本须同时满足全部条件，财产调查须穷尽）":
        _ZB_RULES + ", art. 1 (every condition must be met before enforcement is terminated for now, and the "
                    "investigation of property must be exhausted)",
    _ZB_RULES_ZH + "第一条（终本条件）、第五条（告知申请执行人）":
        _ZB_RULES + ", art. 1 (the conditions for terminating for now) and art. 5 (informing the applicant)",
    "《中华人民共和国刑法》分则相应条文（第四十五条；第一百三十三条、第一百三十三条之一、第二百三十四条、第二百六十四条、"
    "第二百六十六条、第二百八十七条之二、第三百零三条、第三百四十七条）及各省数额标准":
        "Criminal Law of the People's Republic of China, the articles of its Specific Provisions for each charge "
        "(art. 45; arts. 133, 133-1, 234, 264, 266, 287-2, 303 and 347) and the provincial amount standards",
    "《中华人民共和国刑法》分则相应条文的量刑档次及各省数额标准（数据质量提示，非违法认定）":
        "Criminal Law of the People's Republic of China, the sentencing tiers of the articles for each charge, and "
        "the provincial amount standards (a data-quality warning, not a finding of unlawfulness)",
    "电信网络诈骗：法发〔2016〕32号第二部分第（一）项":
        "telecom and online fraud: Opinions of the Supreme People's Court, the Supreme People's Procuratorate and the "
        "Ministry of Public Security on Handling Criminal Cases of Telecom and Online Fraud (Fa Fa [2016] No. 32), "
        "part II, item (1)",
    "数据质量提示：《中华人民共和国刑法》相应条文规定必须并处罚金的判决（非违法认定）":
        "Data-quality warning: judgments for which the articles of the Criminal Law of the People's Republic of China "
        "require a fine to be added (not a finding of unlawfulness)",
    "《中华人民共和国刑法》第六十九条（第七十条、第七十一条依照第六十九条）":
        "Criminal Law of the People's Republic of China, art. 69 (arts. 70 and 71 apply it)",
    "《中华人民共和国刑法》第一百三十三条之一、第二百六十四条、第二百六十六条、第二百八十七条之二、第三百零三条、"
    "第三百四十七条（并处罚金／并处或者单处罚金）":
        "Criminal Law of the People's Republic of China, arts. 133-1, 264, 266, 287-2, 303 and 347 (a fine is "
        "added, or added or imposed alone)",
    "人民法院案件质量评查与审判流程管理规定：结案信息非经审批不得修改":
        "People's court rules on case-quality review and the management of trial processes: closing information "
        "may not be changed without approval",
    "领导干部干预司法活动、插手具体案件处理的记录、通报和责任追究规定": _NO_INTERFERENCE_LEADERS,
    "司法机关内部人员过问案件的记录和责任追究规定": _NO_INTERFERENCE_INSIDERS,
    "司法机关内部人员过问案件的记录和责任追究规定（2015）": _NO_INTERFERENCE_INSIDERS + " (2015)",
    "防止干预司法“三个规定”：领导干部干预司法活动、插手具体案件处理的记录、通报和责任追究规定":
        "The “three provisions” against interference in justice: " + _NO_INTERFERENCE_LEADERS,
    "关于进一步规范司法人员与当事人、律师、特殊关系人、中介组织接触交往行为的若干规定（2015）":
        "Several Provisions on Further Regulating Contacts between Judicial Personnel and Parties, Lawyers, Persons "
        "with Special Relationships and Intermediary Organisations (2015)",
    "最高人民法院关于完善人民法院司法责任制的若干意见（法发〔2015〕13号）：随机分案为主、指定分案为辅": _RESPONSIBILITY,
    "审判权力运行监督管理（审限延长、改判发回、结案后修改）":
        "supervision of how adjudicative power is exercised (deadline extensions, judgments amended or remanded, "
        "edits after closing)",
    "最高人民法院、最高人民检察院《关于常见犯罪的量刑指导意见（试行）》（法发〔2021〕21号）":
        "Supreme People's Court and Supreme People's Procuratorate, Guiding Opinions on Sentencing for Common Crimes "
        "(trial) (Fa Fa [2021] No. 21)",
    "《中华人民共和国刑法》第六十一条（量刑以犯罪事实、性质、情节和社会危害程度为根据）":
        "Criminal Law of the People's Republic of China, art. 61 (punishment according to the facts, nature and "
        "circumstances of the crime and the harm it did to society)",
    "最高人民法院《关于统一法律适用加强类案检索的指导意见（试行）》（2020）":
        "Supreme People's Court, Guiding Opinions on Unifying the Application of Law and Strengthening the Search "
        "for Similar Cases (trial) (2020)",
    "《中华人民共和国刑事诉讼法》第二百零一条（认罪认罚案件，人民法院一般应当采纳人民检察院的量刑建议）":
        "Criminal Procedure Law of the People's Republic of China, art. 201 (when the defendant pleads guilty and "
        "accepts punishment, the court shall generally adopt the procuratorate's sentencing recommendation)",
    "最高人民法院等《关于适用认罪认罚从宽制度的指导意见》（2019）":
        "Supreme People's Court et al., Guiding Opinions on Applying the System of Leniency for Pleading Guilty and "
        "Accepting Punishment (2019)",
    "《中华人民共和国刑法》第四条（对任何人犯罪，在适用法律上一律平等）":
        "Criminal Law of the People's Republic of China, art. 4 (everyone who commits a crime is equal in the "
        "application of the law)",
    "《中华人民共和国刑法》第七十二条（对被判处拘役、三年以下有期徒刑，犯罪情节较轻、有悔罪表现、没有再犯罪的危险、"
    "宣告缓刑对所居住社区没有重大不良影响的犯罪分子，可以宣告缓刑）":
        "Criminal Law of the People's Republic of China, art. 72 (an offender sentenced to criminal detention or to "
        "fixed-term imprisonment of up to three years may be put on probation when the circumstances are minor, the "
        "offender shows repentance, there is no danger of reoffending and probation has no major adverse effect on "
        "the community of residence)",
    "第七十四条（对于累犯和犯罪集团的首要分子，不适用缓刑）":
        "art. 74 (probation does not apply to recidivists and the ringleaders of criminal groups)",
    "最高人民法院、最高人民检察院《关于常见犯罪的量刑指导意见（试行）》（法发〔2021〕21号）（确定宣告刑后，依法决定是否适用缓刑）":
        "Supreme People's Court and Supreme People's Procuratorate, Guiding Opinions on Sentencing for Common Crimes "
        "(trial) (Fa Fa [2021] No. 21) (once the sentence is set, whether to grant probation is decided according "
        "to law)",
    "《中华人民共和国刑法》第三十七条（免予刑事处罚）、第三十八条（管制）、第四十二条至第四十五条（拘役、有期徒刑的期限）、"
    "第五十二条（罚金）、第六十五条（累犯以判处有期徒刑以上刑罚为前提）及各罪法定刑（可选择拘役或有期徒刑的量刑幅度）":
        "Criminal Law of the People's Republic of China, art. 37 (exemption from criminal punishment), art. 38 "
        "(public surveillance), arts. 42 to 45 (the terms of criminal detention and fixed-term imprisonment), art. 52 "
        "(fines), art. 65 (recidivism presupposes a sentence of fixed-term imprisonment or heavier) and each charge's "
        "statutory penalties (the tiers allowing either criminal detention or fixed-term imprisonment)",
}


def legal_basis_en(basis: str) -> str | None:
    """A legal basis in English; None when a citation of it has no English rendering here."""
    if not _CJK.search(basis):
        return basis
    whole = LEGAL_BASIS_PARTS_EN.get(basis) or english(basis)
    if not _CJK.search(whole):
        return whole
    parts = []
    for part in _citations(basis):
        rendered = LEGAL_BASIS_PARTS_EN.get(part) or english(part)
        if _CJK.search(rendered):
            return None
        parts.append(rendered)
    return "; ".join(parts)


def _citations(basis: str) -> list[str]:
    """The citations of a legal basis: split at ； outside brackets (第四十五条；第一百三十三条… inside one
    citation's brackets lists its articles)."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(basis):
        depth += char in "（《〔" and 1 or 0
        depth -= char in "）》〕" and 1 or 0
        if char == "；" and depth == 0:
            parts.append(basis[start:i])
            start = i + 1
    return parts + [basis[start:]]


# the sentencing factors as detectors/sentencing/text.py writes them (factors_zh)
_CIRCUMSTANCES_EN = {"自首": "voluntary surrender", "坦白": "confession", "认罪认罚": "guilty plea accepted",
                     "立功": "meritorious service", "累犯": "recidivist", "前科": "prior record", "未成年": "minor",
                     "从犯": "accessory", "未遂": "attempt", "退赃退赔": "restitution", "取得谅解": "victim's forgiveness"}
_INJURIES_EN = {"无": "none", "轻伤二级": "minor injury, grade 2", "轻伤一级": "minor injury, grade 1",
                "重伤二级": "serious injury, grade 2", "重伤一级": "serious injury, grade 1", "死亡": "death"}
_FACTOR_PARTS_EN = [
    (re.compile(r"^涉案金额([0-9,.]+)元$"), lambda m: f"amount involved {m.group(1)} yuan"),
    (re.compile(r"^毒品([0-9.]+)克$"), lambda m: f"drugs {m.group(1)} g"),
    (re.compile(r"^血液酒精([0-9.]+)mg/100ml$"), lambda m: f"blood alcohol {m.group(1)} mg/100ml"),
    (re.compile(r"^伤情(.+)$"), lambda m: "injury: " + _INJURIES_EN.get(m.group(1), m.group(1))),
    (re.compile(r"^无法定/酌定情节$"), lambda m: "no statutory or discretionary circumstances"),
    (re.compile(r"^未记录：(.+)$"), lambda m: "not recorded: " + ", ".join(_CIRCUMSTANCES_EN.get(c, c) for c in m.group(1).split("、"))),
    (re.compile(r"^([^0-9：]+)$"), lambda m: ", ".join(_CIRCUMSTANCES_EN.get(c, c) for c in m.group(1).split("、"))),
]


def factors_label(text) -> str:
    """A sentence's legal factors (e.g. 涉案金额5,000元；自首、认罪认罚) in the user's language."""
    if not isinstance(text, str) or not text:
        return "—"
    if lang() == "zh":
        return text
    out = []
    for part in text.split("；"):
        for pattern, render in _FACTOR_PARTS_EN:
            match = pattern.match(part)
            if match:
                out.append(render(match))
                break
        else:
            out.append(part)
    return "; ".join(out)


# ---------------------------------------------------------------- evidence and tables

def plain_value(value) -> str:
    """A figure from the evidence as a reader expects it: 358,194 rather than 358194.0; — for unknown."""
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return "—"
    if isinstance(value, bool):
        return tr("yes") if value else tr("no")
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            return f"{value:,.0f}"
        return f"{value:,.2f}" if abs(value) >= 100 else f"{value:.4g}"
    if isinstance(value, list):
        return ("、" if lang() == "zh" else ", ").join(plain_value(v) for v in value)
    return english(str(value)) if lang() == "en" else str(value)


# the case-type part of a case number (案号: (2023)浙0102刑初1号), for English pages
_CASE_TYPES_EN = {"刑初": "criminal, first instance", "刑终": "criminal, second instance", "民初": "civil, first instance",
                  "民终": "civil, second instance", "行初": "administrative, first instance",
                  "行终": "administrative, second instance", "执": "enforcement", "执恢": "resumed enforcement",
                  "执异": "enforcement objection", "执复": "enforcement review"}


def evidence_value(key: str, value) -> str:
    """An evidence figure in words: codes (a sentence kind, an injury level, a measure, a case type) by their label."""
    if isinstance(value, str) and lang() == "en":
        if key == "standard_province":
            return _PROVINCES.get(value, value)
        if key == "case_type":
            return f"{_CASE_TYPES_EN[value]}" if value in _CASE_TYPES_EN else value
    if isinstance(value, str) and key in ("sentence_kind", "injury_level", "measure"):
        prefix = {"sentence_kind": "sentence", "injury_level": "injury", "measure": "field"}[key]
        text = tr(f"{prefix}_{value}")
        return value if text == f"{prefix}_{value}" else text
    return plain_value(value)


def missing(value) -> bool:
    return value is None or (not isinstance(value, (list, dict, str)) and pd.isna(value))


def cell(value, render=str) -> str:
    """A table cell: — for an unknown value (never the words None or nan), else rendered."""
    return "—" if missing(value) else render(value)


def setting_label(name: str) -> str:
    """A configuration key in words (the key itself when the catalog lacks it)."""
    text = tr(f"setting_{name}")
    return name if text == f"setting_{name}" else text


def field_label(name: str) -> str:
    """A column name from a flag's evidence, in words (the raw name when the catalog lacks it)."""
    text = tr(f"field_{name}")
    return name if text == f"field_{name}" else text


def event_label(code: str) -> str:
    key = f"ev_{code}"
    text = tr(key)
    return code if text == key else text


def rates_table(rates: pd.DataFrame) -> pd.DataFrame:
    """A unit's rates against peers, in words and percentages."""
    def fmt(metric, v):
        if v is None or pd.isna(v):
            return "—"
        if metric in ("closed",):
            return f"{v:,.0f}"
        if metric == "days_to_close":
            return f"{v:,.0f} {tr('days')}"
        return f"{v:.1%}"
    return pd.DataFrame({
        tr("col_metric"): [tr(f"metric_{m}") for m in rates["metric"]],
        tr("col_value"): [fmt(m, v) for m, v in zip(rates["metric"], rates["value"])],
        tr("col_denominator"): rates["n"].astype(int),
        tr("col_peer_median"): [fmt(m, v) for m, v in zip(rates["metric"], rates["peer_median"])],
        tr("col_peer_range"): [f"{fmt(m, a)} – {fmt(m, b)}" for m, a, b in zip(rates["metric"], rates["peer_p10"], rates["peer_p90"])],
        tr("col_percentile"): [f"{p:.0%}" if not pd.isna(p) else "—" for p in rates["percentile"]],
        tr("col_peers"): rates["peers"].astype(int),
    })


def timeline_table(timeline: pd.DataFrame) -> pd.DataFrame:
    """A case's timeline in words; a step with nothing recorded shows —, never None."""
    def note(event, text):
        if missing(text):
            return "—"
        if event == "closed":
            label = tr(f"close_{text}")
            return text if label == f"close_{text}" else label
        return str(text)
    when = pd.to_datetime(timeline["occurred_at"]).dt.strftime("%Y-%m-%d %H:%M").str.replace(" 00:00", "", regex=False)
    return pd.DataFrame({
        tr("col_when"): when.fillna("—"),
        tr("col_event"): timeline["event"].map(event_label),
        tr("col_source"): timeline["source"].map(lambda s: tr(f"src_{s}")),
        tr("col_actor"): [cell(a) for a in timeline["actor_id"]],
        tr("col_amount"): [cell(a, lambda v: f"{v:,.2f}".removesuffix(".00")) for a in timeline["amount"]],
        tr("col_note"): [note(e, n) for e, n in zip(timeline["event"], timeline["note"])],
    })


def similar_cases_table(peers: pd.DataFrame) -> pd.DataFrame:
    """A sentencing flag's similar cases in words, in the order they were chosen (the 类案检索 guidance's: whose
    court, the last three years first); another court's case (no case number) says so."""
    def order(row) -> str:
        if row.get("is_this") or missing(row.get("precedence")):
            return ""
        text = tr(f"precedence_{row['precedence']}")
        if row.get("recent") is not True:
            return text
        return f"{text}（{tr('precedence_recent')}）" if lang() == "zh" else f"{text} ({tr('precedence_recent')})"
    records = peers.to_dict("records")
    return pd.DataFrame({
        tr("col_case"): [cell(c) if not missing(c) else tr("review_other_court") for c in peers["case_id"]],
        tr("term_months_axis"): [cell(v, plain_value) for v in peers["term_months"]],
        tr("expected_months"): [cell(v, plain_value) for v in peers["expected_months"]],
        tr("factors"): [factors_label(f) for f in peers["factors"]],
        tr("col_precedence"): [order(r) for r in records],
        tr("col_judgment_year"): [cell(r.get("judgment_year"), lambda v: f"{int(v)}") for r in records],
        tr("this_case"): [tr("yes") if this else "" for this in peers["is_this"]],
    })


def similar_cases_note(basis: dict) -> str:
    """The spread of the similar cases' sentences and why they were chosen, one line each (data_flags.similar_cases_basis)."""
    lines = []
    spread = basis.get("spread")
    if spread:
        lines.append(tr("similar_spread", n=spread["n"], low=plain_value(spread["min_months"]),
                        q25=plain_value(spread["q25_months"]), median=plain_value(spread["median_months"]),
                        q75=plain_value(spread["q75_months"]), high=plain_value(spread["max_months"])))
    if basis.get("deviant_left_out"):
        lines.append(tr("similar_deviant_left_out", n=int(basis["deviant_left_out"])))
    rule = basis.get("rule_zh") if lang() == "zh" else basis.get("rule_en")
    if rule:
        lines.append(rule)
    return "  \n".join(lines)

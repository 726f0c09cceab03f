"""The import contract (shared data-contract.md, v1) as data: tables, columns, types, enums.

The importer validates against this and nothing else, so the contract is
written down once. Enumerations map both the English code and the Chinese
term to the code.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from courtwatch.core.cells import FORMULA_PREFIXES


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # str (an identifier: see IDENTIFIER RULES) | text | date | timestamp | decimal | int | bool | enum
    required: bool = False  # keys, references, cases.cause, defendants.charge
    enum: dict[str, str] | None = None  # accepted spelling → code
    references: str | None = None  # "table.column" that must exist
    # The largest plausible value of a number, and why (a larger one is an export error, quarantined).
    maximum: tuple[float, str] | None = None
    # A compatible extension of contract v1 (docs/import.md, "Extensions"): a file may leave the column
    # out, and then every cell of it is unknown. v1 columns are never optional.
    optional: bool = False
    # An enumeration whose unrecognised value is loaded as this code and counted in the import's summary
    # (ImportResult.summary()["tables"][t]["unknown_values"]) instead of quarantining the row: an optional
    # detail (E7's drug type) must not cost the row's other facts, its sentence. E7 loads it as `other` (a
    # drug without a listed scale), not as empty, which would claim drug_grams is a heroin equivalent.
    unrecognised_as: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: str | None = None  # unique within a file; newer import replaces older
    # Keyless tables are replaced per case: a newer export's rows for a case
    # replace the older export's rows for that case.
    replace_by: str | None = None
    case_kind: str | None = None  # the referenced case must be of this kind

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def optional_names(self) -> set[str]:
        return {c.name for c in self.columns if c.optional}

    def columns_in(self, header) -> list[str]:
        """The contract's columns a file's header holds, in contract order (an optional one may be absent)."""
        present = set(header)
        return [c.name for c in self.columns if c.name in present]


def _enum(*pairs: tuple[str, str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for code, term in pairs:
        mapping[code] = code
        for alias in term.split("|"):
            if alias:
                mapping[alias] = code
    return mapping


LEVEL = _enum(("basic", "基层"), ("intermediate", "中级"), ("high", "高级"), ("supreme", "最高"))
ROLE = _enum(("judge", "法官"), ("assistant", "法官助理"), ("enforcement_officer", "执行员"))
ASSIGNMENT = _enum(("random", "随机分案"), ("designated", "指定分案"))
CLOSE_METHOD = _enum(
    ("judgment", "判决"), ("ruling", "裁定"), ("mediation", "调解"), ("withdrawal", "撤诉"),
    ("fully_enforced", "执行完毕"), ("terminated_this_round", "终结本次执行程序|终本"),
    ("terminated", "终结执行"), ("not_enforced", "不予执行"), ("settled", "和解|执行和解"),
)
PREVAILING_SIDE = _enum(("plaintiff", "原告|申请人|原告/申请人"), ("defendant", "被告|被申请人|被告/被申请人"),
                        ("partial", "部分支持"), ("none", "无"))
APPEAL_OUTCOME = _enum(("none", "无"), ("upheld", "维持"), ("amended", "改判"), ("remanded", "发回重审"),
                       ("withdrawn", "撤回上诉"))
GENDER = _enum(("M", "男"), ("F", "女"))
INJURY = _enum(("none", "无"), ("minor_2", "轻伤二级"), ("minor_1", "轻伤一级"), ("serious_2", "重伤二级"),
               ("serious_1", "重伤一级"), ("death", "死亡"))
SENTENCE_KIND = _enum(("exempt", "免予刑事处罚"), ("fine_only", "单处罚金"), ("control", "管制"),
                      ("detention", "拘役"), ("fixed_term", "有期徒刑"), ("life", "无期徒刑"), ("death", "死刑"))
PARTY_KIND = _enum(("person", "自然人|个人"), ("organisation", "法人|单位|organization"))
EVENT = _enum(
    ("extension", "延长审限"), ("suspension", "中止"), ("reassignment", "变更承办人"),
    ("post_close_edit", "结案后修改"), ("online_inquiry", "网络查控"),
    ("post_termination_inquiry", "终本后查询"), ("resumption", "恢复执行"),
    ("funds_received", "执行款到账"), ("funds_disbursed", "执行款发放"),
    ("interference_record", "过问案件登记"), ("recusal", "回避"),
    # E5: the applicant told the result of a post-termination inquiry (法〔2016〕373号 art. 9)
    ("inquiry_result_notified", "查询结果告知申请执行人|查询结果告知"),
    # E6: the end of a suspension (中止诉讼/执行 to 恢复): the suspended days are not counted in the time limit
    ("suspension_end", "中止结束|恢复审理|恢复诉讼"),
)
# E6: the procedure a case was tried under (the one it closed under), which sets its statutory time limit
# (docs/import.md; detectors/rules/case_past_time_limit.py). private_prosecution: a 自诉 case (刑诉 §§210–213).
PROCEDURE = _enum(("ordinary", "普通程序|普通"), ("simplified", "简易程序|简易"), ("summary", "速裁程序|速裁"),
                  ("small_claims", "小额诉讼程序|小额诉讼|小额"), ("private_prosecution", "自诉|自诉案件"))
# E3: on what ground a 终本 case was terminated (docs/import.md). `standard`: every condition of
# 法〔2016〕373号 art. 1; the others are the grounds of 法发〔2014〕26号 art. 16 that the three-month
# condition does not bind (instalment settlement, the applicant's written consent where no property was
# found, a claimant in special hardship who received judicial relief).
TERMINATION_BASIS = _enum(("standard", "第一条终本|无财产可供执行"), ("instalment_settlement", "分期履行和解"),
                          ("applicant_consent", "申请执行人书面同意"), ("hardship_relief", "特困救助"))
# E7: the drug a defendants.drug_grams quantity is of (docs/import.md). With a type, drug_grams is grams of that
# drug and the rules convert it to the heroin/methamphetamine scale of 刑法 §347 (detectors/law.py DRUG_TYPES,
# 法释〔2016〕8号 arts. 1–2, items (一)–(十六)); `other`: art. 1 (十七), a drug the interpretation does not list, without
# a scale; empty: drug_grams is already the
# heroin/methamphetamine equivalent (v1).
DRUG_TYPE = _enum(("heroin", "海洛因"), ("methamphetamine", "甲基苯丙胺|冰毒"), ("opium", "鸦片"), ("cocaine", "可卡因"),
                  ("mdma", "MDMA|摇头丸|3,4-亚甲二氧基甲基苯丙胺|苯丙胺类"), ("morphine", "吗啡"), ("fentanyl", "芬太尼"),
                  ("methcathinone", "甲卡西酮"), ("pethidine", "哌替啶|度冷丁|杜冷丁"), ("ketamine", "氯胺酮|K粉"),
                  ("methadone", "美沙酮"), ("cannabis_oil", "大麻油"), ("cannabis_resin", "大麻脂"),
                  ("cannabis_leaf", "大麻叶|大麻烟|大麻叶及大麻烟"), ("dihydroetorphine", "二氢埃托啡|盐酸二氢埃托啡"),
                  ("tramadol", "曲马多"), ("ghb", "γ-羟丁酸|GHB"), ("codeine", "可待因"), ("buprenorphine", "丁丙诺啡"),
                  ("triazolam", "三唑仑"), ("methaqualone", "安眠酮"), ("alprazolam", "阿普唑仑"), ("khat", "恰特草"),
                  ("caffeine", "咖啡因"), ("poppy_husk", "罂粟壳"), ("barbital", "巴比妥"), ("phenobarbital", "苯巴比妥"),
                  ("anaca", "安钠咖"), ("nimetazepam", "尼美西泮"), ("chlordiazepoxide", "氯氮卓|氯氮䓬"),
                  ("estazolam", "艾司唑仑"), ("diazepam", "地西泮"), ("bromazepam", "溴西泮"), ("other", "其他毒品|其他"))
SIDE = _enum(("plaintiff", "原告"), ("defendant", "被告"), ("applicant", "申请人"), ("respondent", "被申请人"),
             ("defense", "辩护人|辩护"))

BOOL_VALUES = {"true": True, "false": False, "1": True, "0": False, "是": True, "否": False}


def _bools(*names: str) -> tuple[Column, ...]:
    return tuple(Column(n, "bool") for n in names)


# No recorded term can exceed these (刑法): a combined fixed term is at most 25 years (art. 69), probation
# at most 5 years (art. 73). A longer one is a keying error, not a sentence: it is quarantined rather than
# left to distort every peer comparison (a term between a charge's maximum and 300 months is a legality
# warning, raised by the detectors).
MAX_TERM = (300, "刑法 art. 69 caps even a combined fixed term at 25 years")
MAX_PROBATION = (60, "刑法 art. 73 caps probation at 5 years")


TABLES: dict[str, Table] = {t.name: t for t in (
    Table("courts", (
        Column("court_id", "str", required=True),
        Column("name", "text"),
        Column("province", "text"),
        Column("level", "enum", enum=LEVEL),
        Column("parent_id", "str"),
    ), key="court_id"),
    Table("judges", (
        Column("judge_id", "str", required=True),
        Column("court_id", "str", required=True, references="courts.court_id"),
        Column("name", "text"),
        Column("role", "enum", enum=ROLE),
    ), key="judge_id"),
    Table("cases", (
        Column("case_id", "str", required=True),
        Column("court_id", "str", required=True, references="courts.court_id"),
        Column("cause", "text", required=True),
        Column("filed_on", "date"),
        Column("closed_on", "date"),
        Column("judge_id", "str", references="judges.judge_id"),
        Column("assignment", "enum", enum=ASSIGNMENT),
        Column("close_method", "enum", enum=CLOSE_METHOD),
        Column("prevailing_side", "enum", enum=PREVAILING_SIDE),
        Column("appeal_outcome", "enum", enum=APPEAL_OUTCOME),
        Column("extensions", "int"),
        Column("claim_amount", "decimal"),
        Column("procedure", "enum", enum=PROCEDURE, optional=True),  # E6
        # E6: days the court's system does not count in the time limit (扣除审限: public notice, appraisal,
        # jurisdiction objections, suspension to resumption, supplementary investigation; 法释〔2000〕29号 art. 9)
        Column("deducted_days", "int", optional=True),
    ), key="case_id"),
    Table("defendants", (
        Column("defendant_id", "str", required=True),
        Column("case_id", "str", required=True, references="cases.case_id"),
        Column("gender", "enum", enum=GENDER),
        Column("age", "int"),
        Column("ethnicity", "text"),
        Column("local_resident", "bool"),
        Column("charge", "text", required=True),
        Column("amount_involved", "decimal"),
        Column("injury_level", "enum", enum=INJURY),
        Column("drug_grams", "decimal"),
        Column("blood_alcohol", "decimal"),
        *_bools("surrender", "confession", "guilty_plea", "meritorious", "recidivist", "prior_record",
                "minor", "accessory", "attempted", "restitution", "forgiven"),
        Column("sentence_kind", "enum", enum=SENTENCE_KIND),
        Column("term_months", "decimal", maximum=MAX_TERM),
        Column("probation", "bool"),
        Column("probation_months", "decimal", maximum=MAX_PROBATION),
        Column("fine_yuan", "decimal"),
        Column("recommended_months", "decimal", maximum=MAX_TERM),
        # E2: 决定执行刑 — the term to serve after a combination (刑法 §§69, 70, 71, 77, 86); equal to
        # term_months for a sentence combined with nothing. Filled: term_months is the 宣告刑.
        Column("combined_term_months", "decimal", maximum=MAX_TERM, optional=True),
        Column("drug_type", "enum", enum=DRUG_TYPE, optional=True, unrecognised_as="other"),  # E7
    ), key="defendant_id", case_kind="criminal"),
    Table("enforcement", (
        Column("case_id", "str", required=True, references="cases.case_id"),
        Column("applicant_kind", "enum", enum=PARTY_KIND),
        Column("respondent_kind", "enum", enum=PARTY_KIND),
        Column("recovered_amount", "decimal"),
        Column("notice_on", "date"),
        Column("report_order_on", "date"),
        Column("restriction_order_on", "date"),
        Column("dishonest_listed_on", "date"),
        Column("online_inquiries", "int"),
        Column("last_online_inquiry_on", "date"),
        Column("onsite_investigation_on", "date"),
        Column("assets_found_value", "decimal"),
        Column("applicant_informed_on", "date"),
        Column("respondent_missing", "bool"),
        Column("search_done_on", "date"),
        Column("termination_basis", "enum", enum=TERMINATION_BASIS, optional=True),  # E3
        # E4: the property found cannot be disposed of (法〔2016〕373号 art. 4)
        Column("assets_undisposable", "bool", optional=True),
    ), key="case_id", case_kind="enforcement"),
    Table("events", (
        Column("case_id", "str", required=True, references="cases.case_id"),
        Column("event", "enum", required=True, enum=EVENT),
        Column("occurred_at", "timestamp"),
        Column("actor_id", "str"),
        Column("amount", "decimal"),
        Column("note", "text"),
        Column("approver_id", "str", optional=True),  # E6: who approved the event (an extension: 院长 or the court above)
    ), replace_by="case_id"),
    Table("representations", (
        Column("case_id", "str", required=True, references="cases.case_id"),
        Column("side", "enum", enum=SIDE),
        Column("lawyer_id", "str", required=True),
        Column("firm_id", "str"),
    ), replace_by="case_id"),
)}

# Load order: a table's references are loaded before it.
LOAD_ORDER = ["courts", "judges", "cases", "defendants", "enforcement", "events", "representations"]

# Case-type codes by their first character (案号 rules, 最高人民法院关于人民法院案件案号的若干规定).
CASE_KIND_BY_PREFIX = {"刑": "criminal", "民": "civil", "执": "enforcement", "行": "administrative"}


# ---------------------------------------------------------------- identifier rules
# Extension E1 of the v1 contract (docs/import.md): every identifier (kind "str": keys, references,
# actor, lawyer and firm codes) is printable and never starts like a spreadsheet formula, since ids
# are exported to sheets and shown in every view. The contract says identifiers are codes; a code
# with a control character, a zero-width or odd space, or a leading = + - @ is an export error or an
# attack, and is quarantined, never altered. Free text (kind "text": names, causes, notes) is kept as
# recorded and guarded wherever it is exported (courtwatch/core/cells.py).
ID_FORMULA_STARTS = FORMULA_PREFIXES
# Not printable: control (Cc) and format (Cf, e.g. U+200B zero-width space) characters, line and
# paragraph separators, and every space but U+0020. Private-use characters are allowed: GB18030
# decodes a few rare characters to them. The RE2 pattern below is the importer's; a test checks that
# it names exactly the characters `non_printable` does.
ID_NON_PRINTABLE_RE2 = (r"[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\x{00A0}\x{1680}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}]")
CHARACTER_NAMES = {"\t": "a tab", "\r": "a carriage return"}


# Free text may hold any character a document can: not the C0 controls XML 1.0 forbids (NUL, U+0001–U+0008,
# U+000B, U+000C, U+000E–U+001F) nor U+FFFE/U+FFFF. Tab, line feed and carriage return are text.
# DOCX, XLSX and HTML briefings are XML: such a character would stop a briefing, so the row is quarantined.
TEXT_FORBIDDEN_RE2 = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x{FFFE}\x{FFFF}]"


def text_problem(text: str) -> str | None:
    """Why a free-text value cannot be loaded (the importer's reason), or None."""
    bad = next((c for c in text if (ord(c) < 0x20 and c not in "\t\n\r") or c in "\ufffe\uffff"), None)
    return None if bad is None else f"contains a control character (U+{ord(bad):04X}) that documents cannot hold"


def non_printable(char: str) -> bool:
    category = unicodedata.category(char)
    return category in ("Cc", "Cf", "Zl", "Zp") or (category == "Zs" and char != " ")


def identifier_problem(text: str) -> str | None:
    """Why an identifier breaks the rules (the importer's reason, word for word), or None."""
    if text.startswith(ID_FORMULA_STARTS):
        shown = CHARACTER_NAMES.get(text[0], f"'{text[0]}'")
        return f"identifier starts with {shown} (a spreadsheet would read it as a formula)"
    bad = next((c for c in text if non_printable(c)), None)
    if bad is not None:
        return f"identifier contains a non-printable character (U+{ord(bad):04X})"
    return None

"""The briefing's short method notes: one line of method and one of limits per detector, Chinese and English.

The detectors' own `method` and `limitations` (detectors/registry.py, shown in full on the model cards) are
English and long; a briefing prints these instead, so its appendix stays short (a meeting pack, not the model
cards) and a Chinese one stays Chinese. One entry per registered detector and language, keyed by its `name`;
tests/test_briefing_catalog.py fails naming a registered detector that has none. A detector registered without
a note is still printed: its title and `MISSING` (see the model cards), never a crash and never the other
language. What the kinds of warning mean (`KIND_NOTES`) is said once above the list instead of in every entry.
"""
from __future__ import annotations

MISSING = "方法说明见模型说明页。"

# detectors/triage.py's kind_of(detector) → what a warning of that kind means and how false alarms are held down
KIND_NOTES: dict[str, tuple[str, str]] = {
    "statute": ("法定规则", "按成文规定逐案核对导出记录：记录与条文不符即提示；所需字段未知的记录跳过并计数，不作提示。"
                          "预警说明记录与规定不符，是否违规由审查人员调阅卷宗后认定。"),
    "heuristic": ("启发式规则", "不是违法认定：条文允许的例外或期限在导出数据中看不到，预警请审查人员核实是否存在例外。"),
    "data_quality": ("数据质量提示", "记录的事实与判决不能同时成立，应核查记录本身；从不认定判决违法，单独计数。"),
    "statistical": ("统计模型", "在全部被检验对象中按Benjamini–Hochberg方法控制错误发现率（设置项 [stats] "
                               "false_discovery_rate），并设最少案件数；统计上的异常只说明与同类不同，不等于违规。"),
}

# name → (method and basis, main limits)
NOTES: dict[str, tuple[str, str]] = {
    # 终本（法〔2016〕373号）
    "zb_terminated_within_3_months": (
        "立案未超过三个月即以终结本次执行程序结案（法〔2016〕373号第一条第（四）项）。",
        "分期履行、申请执行人书面同意、特困救助等法发〔2014〕26号第十六条的例外不受三个月限制；终本依据未知的案件跳过；"
        "移送或指定执行的案件自本院立案起算。"),
    "zb_no_notice_or_report_order": (
        "终本前系统中没有执行通知书或报告财产令的记录（第一条第（一）项）。",
        "日期为空按“系统中无记录”处理，纸质卷宗中可能有。"),
    "zb_no_restriction_order": (
        "终本前未发出限制消费令（第一条第（二）项）。",
        "是否符合纳入失信名单的条件无法从导出数据判断，失信名单只列示、不检查。"),
    "zb_no_online_inquiry": (
        "终本前没有网络执行查控记录（第一条第（三）项）。",
        "按导出记录检查，记录有误则预警有误。"),
    "zb_online_inquiry_stale": (
        "最近一次网络查控距终本超过设定月数（默认六个月，参照第九条终本后的查询间隔）。",
        "启发式：第三条要求终本前网络查控，但未规定期限；完全没有查控的见“未经网络执行查控”。"),
    "zb_applicant_not_informed": (
        "终本前未约谈或告知申请执行人（第五条）。",
        "按导出记录检查，记录有误则预警有误。"),
    "zb_missing_respondent_not_searched": (
        "被执行人下落不明，无查找记录即终本（第一条第（五）项）。",
        "按导出记录检查，记录有误则预警有误。"),
    "zb_assets_found_but_terminated": (
        "查到的财产达到未履行金额的一定比例和金额仍终本（参照第一条第（三）项、第四条）。",
        "启发式：无法处置的财产（流拍且申请人不接受抵债、查封车辆无法扣押等）可以依法终本；记录了不能处置的不提示，"
        "未记录时由审查人员核实。"),
    "zb_no_inquiry_after_termination": (
        "终本后五年内超过六个月未查询财产，或未将查询结果告知申请执行人（第九条第二款）。",
        "只计入登记为终本后查询的记录；告知结果只在登记告知记录的法院检查；查询记录明显缺失的法院改为一条全院提示，其案件跳过。"),
    "zb_inquiry_log_incomplete": (
        "终本后查询记录缺失的比例超过设定值的法院，全院一条提示（第九条）。",
        "数据质量提示：可能是批量（总对总）查询未写入各案件，不是违法认定。"),
    # 量刑（刑法）
    "probation_for_recidivist": (
        "对累犯适用缓刑（刑法第七十四条）。",
        "按导出记录检查，记录有误则预警有误。"),
    "probation_term_over_3_years": (
        "判处超过三年有期徒刑仍适用缓刑（第七十二条）；有决定执行刑的按决定执行刑。",
        "决定执行刑未导出时按宣告刑比较（决定执行刑不会更短）。"),
    "detention_out_of_range": (
        "拘役不满一个月或超过一年（第四十二条、第六十九条）；单罪拘役六个月以上在已知决定执行刑时提示。",
        "决定执行刑未知时，刑期可能合并了前罪拘役，此类记录跳过。"),
    "term_above_statutory_max": (
        "刑期超过该罪名全部法定刑幅度的上限，或危险驾驶罪判处有期徒刑（刑法分则相应条文、本省数额标准）。",
        "只在任何合法解读都不成立时提示；只超过所记录情节对应幅度的列为数据质量提示；决定执行刑未知、数罪并罚或罪名不在内置表中的不检查。"),
    "record_facts_inconsistent": (
        "记录的数额、伤情或数量对应的量刑幅度与刑期不能同时成立。",
        "数据质量提示：导出数据看不到的“其他严重情节”等按有利于判决计算；低于幅度下限的不检查（第六十三条减轻处罚）。"),
    "probation_period_out_of_range": (
        "缓刑考验期短于原判刑期、有期徒刑不满一年、拘役不满二个月，或拘役考验期超过一年（第七十三条）。",
        "拘役考验期超过一年只在确知执行的是拘役时提示；可能与前罪有期徒刑合并的记录跳过。"),
    "fixed_term_below_6_months": (
        "有期徒刑不满六个月（第四十五条）。",
        "按导出记录检查；决定执行刑不低于所并各刑中最高者，并罚不能使其合法。"),
    "control_out_of_range": (
        "管制不满三个月或超过三年（第三十八条、第六十九条）；单罪管制二年以上在已知决定执行刑时提示。",
        "决定执行刑未知时，刑期可能合并了前罪管制，此类记录跳过。"),
    "combined_sentence_over_cap": (
        "两罪并罚决定执行的刑期超过二十年，或决定执行刑低于所并宣告刑（第六十九条）。",
        "三罪以上可至二十五年；与前罪判决并罚（第七十条、第七十一条）时只核对本案宣告刑。"),
    "missing_mandatory_fine": (
        "法条规定必须并处罚金的罪名，记录的罚金为0（第一百三十三条之一、第二百六十四条等）。",
        "罚金为空视为未知；可能以没收财产代替罚金的幅度不检查；罚金记录明显缺失的法院不检查；数罪记录不检查。"),
    "fine_records_incomplete": (
        "应并处罚金的判决中罚金为0的比例超过设定值的法院（按本院或全省导出数据），全院一条提示。",
        "数据质量提示，不是违法认定。"),
    # 廉洁风险、审判管理
    "funds_not_disbursed_30_days": (
        "执行款自到账通知之日起三十日内未发放（法发〔2017〕6号）。",
        "经批准的延缓发放（需要分配、保全冻结、未领取、中止或暂缓执行）未在系统中登记的，看起来与超期相同，需审查人员核实。"),
    "late_post_close_edit": (
        "结案后超过设定天数仍修改案件信息（结案信息非经审批不得修改）。",
        "经批准的更正与未经批准的修改在导出数据中无法区分。"),
    "interference_followed_by_change": (
        "登记过问案件后，出现更换承办人、指定分案或结案后修改等办案安排变化（中办发〔2015〕23号等）。",
        "启发式：过问登记本身从不提示（规定要求全面如实记录）；每种变化都可能有正当原因。"),
    "interference_records_absent": (
        "全院过问案件登记数远低于按全省登记比例推算的预期。",
        "启发式：法院可能确实没有过问；全省都无登记时不提示。"),
    "case_past_time_limit": (
        "按记录的程序计算审理（执行）期限，扣除延长、中止等期间后仍超过法定期限（刑事诉讼法、民事诉讼法、法释〔2000〕29号等）。",
        "程序转换、公告、鉴定等导出数据看不到；期限取决于未导出事实时按较长期限计算；未记录程序的一审按最长期限计算并标为启发式。"),
    "case_long_pending": (
        "立案满设定期限（默认一年）仍未结案（参照2021年长期未结案件专项清理）。",
        "启发式：按自然日计算，依法延长或中止的案件也会列出；是否超审限见“超审限”。"),
    # 统计模型
    "sentence_deviation": (
        "同一罪名的案件中，以法定刑档次、危害程度和11项量刑情节建立稳健回归模型（Huber M估计），刑期明显偏离模型预期的个案提示。",
        "只针对拘役和有期徒刑；按现实的量刑离散程度，约为预期四倍的偏离也只有约四分之一能发现；导出数据没有的情节会表现为偏离；同类案件过少时不检验。"),
    "judge_sentencing_deviation": (
        "法官全部判决相对量刑模型的平均偏离，同时与本院其他法官和全省比较，两项都显著才提示。",
        "假定案件随机分配，专门审理某类案件（如未成年人案件）的法官会因此不同；每名法官约25件时，整体偏离约1.6倍的约一半能发现。"),
    "court_sentencing_deviation": (
        "法院全部判决相对全省量刑模型的平均偏离（剔除本身显著偏离的法官的案件）。",
        "本省实施细则形成的量刑习惯或导出数据没有的案情因素会表现为偏离；偏离来自个别法官时按该法官提示。"),
    "judge_probation_deviation": (
        "在可以适用缓刑的判决中，以罪名、刑期和量刑情节建立逻辑回归模型，法官实际缓刑数与预期之差同时与本院和全省比较。",
        "缓刑字段为空时不检验；第七十二条的悔罪表现、再犯罪危险、社区影响评估等导出数据看不到；不对单个案件提示。"),
    "court_probation_deviation": (
        "同一缓刑模型下，法院实际缓刑数与预期之差与全省比较（剔除本身显著偏离的法官的案件）。",
        "缓刑字段为空时不检验；本省实施细则和社区矫正评估能力导出数据看不到，会表现为法院整体偏离。"),
    "judge_penalty_kind_deviation": (
        "在法定刑可选拘役或有期徒刑的单罪判决中，以逻辑回归模型估计判处轻于有期徒刑的刑种的预期数，法官实际数与预期之差同时与本院和全省比较。",
        "只检验单罪；第三十七条“情节轻微”等按记录；普遍缩短刑期的法官也会更多跨过六个月，刑期偏离见“法官量刑整体偏离”。"),
    "court_penalty_kind_deviation": (
        "同一刑种模型下，法院判处较轻刑种的实际数与预期之差与全省比较（剔除本身显著偏离的法官的案件）。",
        "只检验单罪；本省实施细则或导出数据没有的案情因素会表现为法院整体偏离。"),
    "plea_recommendation_deviation": (
        "认罪认罚案件判决刑期与量刑建议之比，与未采纳建议的判决的通常差距比较（刑事诉讼法第二百零一条）。",
        "庭审中调整的量刑建议未导出；依法不采纳明显不当建议的也会提示，需审查人员核实。"),
    "sentencing_disparity_audit": (
        "各法院内检验：考虑法定量刑情节后，刑期偏离是否与性别、民族或户籍有关（差异须显著且达到最小幅度）。",
        "唯一读取性别、民族、户籍的检测，这些信息不作为其他任何检测的输入；差异可能来自导出数据没有的法定因素，是审查问题，不是歧视认定；人数不足的不检验。"),
    "termination_rate": (
        "按法院、标的额档次和被执行人类型标准化后，执行员终本率与同类执行员比较（过度离散漏斗图）。",
        "只调整了标的额、被执行人类型和法院；专办无财产可供执行案件的执行员会偏高；偏高是抽查其终本卷宗的理由，不是认定。"),
    "termination_procedure_outlier": (
        "对每件终本案件的11项办理过程特征用ECOD异常检测模型评分，与参照期评分比较得出p值。",
        "异常不等于违规：确实很快查明无财产的案件也可能显得异常；模型逐项看特征，各项都常见的异常组合看不出。"),
    "judge_lawyer_affinity": (
        "法官与律师共同办案或指定分案的次数明显多于随机分案，且律师胜诉明显更多时提示（两项都显著）。",
        "审判庭专业化分工会合法地集中律师；只计完全胜诉。"),
    "judge_rate_outlier": (
        "法官的审限延长、指定分案、改判发回、结案后修改比例，按法院层级和案件类型标准化后与同级法官比较。",
        "检验力取决于案件量：改判发回率为同行三倍时，约40件以上上诉案件才能可靠发现；案件类型以外的难度未调整。"),
    "judge_profile_outlier": (
        "法官多项办案指标合成的画像，用ECOD模型与同组法官（审判法官、执行员分组）比较。",
        "只说明“多项指标同时不同于同行”；单项指标的作用有限，多项同时偏高才会提示。"),
    "extension_approval_concentration": (
        "审限延长是否集中于个别法官（与本院同类案件随机分布比较），或某一批准人对某一法官的批准是否异常集中。",
        "案件类型内的难度未调整；批准按分管庭室进行，集中可能是法院内部分工；批准人检验需要批准人字段，没有时不检验。"),
}


MISSING_EN = "Method: see the model-card page."

KIND_NOTES_EN: dict[str, tuple[str, str]] = {
    "statute": ("Written rule", "Each exported record is checked against the written rule: a record that breaks it is "
                                "flagged; a record with a needed field unknown is skipped and counted, never flagged. "
                                "A warning says the record and the rule disagree; whether the rule was broken is decided "
                                "by a reviewer on the file."),
    "heuristic": ("Heuristic", "Not a finding of a breach: lawful exceptions or periods the rule allows cannot be seen "
                               "in the export, so a warning asks a reviewer to check for them."),
    "data_quality": ("Data quality", "The recorded facts and the decision cannot both be right: the record is what to "
                                     "check; never a finding that the decision is unlawful, and counted apart."),
    "statistical": ("Statistical model", "False discoveries held at the target rate across everyone tested "
                                         "(Benjamini–Hochberg, setting [stats] false_discovery_rate), with minimum "
                                         "case counts; unusual means unlike peers, not irregular."),
}

# name → (method and basis, main limits), the English briefing's
NOTES_EN: dict[str, tuple[str, str]] = {
    "zb_terminated_within_3_months": (
        "Termination for now within three months of filing (Fa [2016] 373, art. 1(4)).",
        "Exempt: instalments, the applicant's written consent, relief in hardship (Fa Fa [2014] 26, art. 16); an "
        "unknown ground is skipped; a transferred case counts from its own filing."),
    "zb_no_notice_or_report_order": (
        "Termination with no execution notice or property-report order on record (art. 1(1)).",
        "An empty date means no record in the system; the paper file may hold it."),
    "zb_no_restriction_order": (
        "Termination with no consumption-restriction order (art. 1(2)).",
        "Whether the debtor qualified for the dishonest-debtor list cannot be told from the export: shown, not checked."),
    "zb_no_online_inquiry": (
        "Termination with no online property inquiry on record (art. 1(3)).",
        "Checks the record as exported; a wrong record gives a wrong warning."),
    "zb_online_inquiry_stale": (
        "The last online inquiry lies more than the set months (six) before termination (by analogy with art. 9).",
        "A heuristic: art. 3 requires the inquiry but names no period; no inquiry at all is the rule above."),
    "zb_applicant_not_informed": (
        "Termination without meeting or informing the applicant (art. 5).",
        "Checks the record as exported; a wrong record gives a wrong warning."),
    "zb_missing_respondent_not_searched": (
        "A missing respondent not searched for before termination (art. 1(5)).",
        "Checks the record as exported; a wrong record gives a wrong warning."),
    "zb_assets_found_but_terminated": (
        "Termination although property of a set share and amount of the claim was found (arts. 1(3), 4).",
        "A heuristic: property that cannot be disposed of may lawfully remain; recorded as such, it is not flagged."),
    "zb_no_inquiry_after_termination": (
        "No property inquiry for over six months within five years of termination, or results not told (art. 9 para. 2).",
        "Only logged post-termination inquiries count; a court whose log is evidently incomplete gets one court note "
        "instead, and its cases are skipped."),
    "zb_inquiry_log_incomplete": (
        "A court where too many terminated cases lack post-termination inquiries: one court-level note (art. 9).",
        "Data quality: batch inquiries may not be written to each case; not a finding of a breach."),
    "probation_for_recidivist": (
        "Probation for a recidivist (Criminal Law art. 74).",
        "Checks the record as exported; a wrong record gives a wrong warning."),
    "probation_term_over_3_years": (
        "Probation on a term over three years (art. 72), the combined term where recorded.",
        "Without the combined term the single term is compared (a combination is never shorter)."),
    "detention_out_of_range": (
        "Criminal detention under one month or over a year (arts. 42, 69); six months or more on one charge where the "
        "combined term is known.",
        "Without the combined term the row may combine an earlier detention and is skipped."),
    "term_above_statutory_max": (
        "A term above every frame of the charge, or fixed-term imprisonment for dangerous driving (the charge's "
        "article, the province's amount standard).",
        "Only where no lawful reading allows it; above the recorded frame only is data quality; combined terms "
        "unknown, several charges or charges outside the table are not checked."),
    "record_facts_inconsistent": (
        "The frame of the recorded amount, injury or quantity and the term cannot both be right.",
        "Data quality: circumstances the export cannot show count in the sentence's favour; terms below a frame "
        "are not checked (art. 63)."),
    "probation_period_out_of_range": (
        "A probation period below the term, below one year (imprisonment) or two months (detention), or over a year "
        "for detention (art. 73).",
        "Over a year for detention only where detention is known to be served; possible combinations are skipped."),
    "fixed_term_below_6_months": (
        "Fixed-term imprisonment under six months (art. 45).",
        "Checks the record as exported; no combination makes it lawful."),
    "control_out_of_range": (
        "Public surveillance under three months or over three years (arts. 38, 69); two years or more on one charge "
        "where the combined term is known.",
        "Without the combined term the row may combine an earlier sentence and is skipped."),
    "combined_sentence_over_cap": (
        "Two charges combined above twenty years, or a combined term below a term it combines (art. 69).",
        "Three or more charges may reach 25 years; with an earlier judgment (arts. 70, 71) only the row's own terms "
        "are checked."),
    "missing_mandatory_fine": (
        "A zero fine where the statute always adds one (arts. 133-1, 264 and others).",
        "An empty fine is unknown; frames where confiscation may replace it, courts whose fines are evidently not "
        "exported and multi-charge rows are not checked."),
    "fine_records_incomplete": (
        "A court where too many mandatory fines are recorded as zero (court or province export): one court note.",
        "Data quality, not a finding of a breach."),
    "funds_not_disbursed_30_days": (
        "Enforcement funds not paid out within 30 days of the receipt notice (Fa Fa [2017] 6).",
        "Approved deferrals (distribution, freezing, not collected, suspension) not logged look the same: check them."),
    "late_post_close_edit": (
        "A case record edited more than the set days after closing (closing records need approval to change).",
        "An approved correction looks the same as an unapproved one in the export."),
    "interference_followed_by_change": (
        "Recorded interference followed by a reassignment, designated assignment or a late closing edit.",
        "A heuristic: a record alone is never flagged (every one must be recorded); each change may be innocent."),
    "interference_records_absent": (
        "A court recording far fewer interference records than its province's share predicts.",
        "A heuristic: a court may truly have had none; no flag where no court records any."),
    "case_past_time_limit": (
        "A case past its statutory limit after extensions and suspensions, under the procedure recorded (Criminal and "
        "Civil Procedure Laws, Fa Shi [2000] 29).",
        "Conversions, notices and appraisals are not in the export; the longer limit where facts are missing; a trial "
        "with no procedure recorded is measured against the longest limit and labelled a heuristic."),
    "case_long_pending": (
        "A case pending for the set months (a year) since filing (the 2021 long-pending clean-up).",
        "A heuristic: calendar days, so lawfully extended or suspended cases are listed too."),
    "sentence_deviation": (
        "Per charge, a robust regression (Huber M) of the term on the statutory tier, severity and 11 circumstances; "
        "sentences far from it are flagged.",
        "Custodial terms only; at realistic noise a term four times the expected one is found about one time in "
        "four; factors not exported look like deviations; small peer groups abstain."),
    "judge_sentencing_deviation": (
        "A judge's mean deviation from the sentencing model, against the court's other judges and the province: both "
        "must be significant.",
        "Assumes random assignment; a specialised docket differs for that reason; with ≈25 sentences a judge ×1.6 "
        "throughout is found about half the time."),
    "court_sentencing_deviation": (
        "A court's mean deviation from the province's sentencing model, leaving out judges flagged themselves.",
        "Local implementing rules or factors not exported look like a deviation; one judge's is reported as the judge's."),
    "judge_probation_deviation": (
        "Where probation is open, a logistic model of probation granted; a judge's observed count against the "
        "expected, against the court and the province.",
        "Abstains where probation is not exported; art. 72's conditions are not in the export; no case is flagged alone."),
    "court_probation_deviation": (
        "The same probation model: a court's observed count against the expected, against the province.",
        "Abstains where probation is not exported; local rules and community-correction capacity look like a court level."),
    "judge_penalty_kind_deviation": (
        "Where the frame allows detention or imprisonment, a logistic model of a penalty lighter than imprisonment; a "
        "judge against the court and the province.",
        "Single charges only; art. 37's minor circumstances as recorded; terms themselves are the sentencing model's."),
    "court_penalty_kind_deviation": (
        "The same penalty-kind model: a court's lighter penalties against the expected, against the province.",
        "Single charges only; local rules or factors not exported look like a court level."),
    "plea_recommendation_deviation": (
        "Guilty-plea judgments far from the prosecutor's recommendation, against the usual gap of non-adopting "
        "judgments (Criminal Procedure Law art. 201).",
        "Recommendations adjusted at trial are not exported; a lawful departure is flagged for review all the same."),
    "sentencing_disparity_audit": (
        "Within each court: whether terms, after legal factors, differ by gender, ethnicity or residence "
        "(significant and at least a minimum effect).",
        "The only detector reading these attributes; a difference may come from a legal factor not exported: a "
        "question for review, not a finding of discrimination; small groups are not tested."),
    "termination_rate": (
        "An officer's termination-for-now share, standardised for court, claim band and respondent, against peers "
        "(over-dispersed funnel).",
        "Only those factors are adjusted; officers given insolvent debtors look high; a reason to sample the files."),
    "termination_procedure_outlier": (
        "ECOD anomaly scores over 11 procedure features of each terminated case, against the reference period's scores.",
        "Unusual is not irregular; features are seen one at a time, so an unusual combination of common values is missed."),
    "judge_lawyer_affinity": (
        "A judge–lawyer pair together or designated far more often than random assignment, and the lawyer winning "
        "more: both significant.",
        "Specialised chambers concentrate lawyers lawfully; only outright wins count."),
    "judge_rate_outlier": (
        "A judge's extension, designation, reversal or post-closing edit rate, standardised by court level and case "
        "type, against peers.",
        "Power rests on volume: a reversal rate three times the peers' needs about 40 appealed cases; difficulty "
        "beyond case type is not adjusted."),
    "judge_profile_outlier": (
        "A judge's profile of several indicators against the group's (trial judges, enforcement officers) by ECOD.",
        "Says only 'unlike peers on several indicators together'; one indicator alone rarely flags."),
    "extension_approval_concentration": (
        "Extensions concentrated on one judge (against random spread in the court) or one approver signing most of a "
        "judge's extensions.",
        "Difficulty within a case type is not adjusted; approvals follow divisions; the approver test needs the "
        "approver field and abstains without it."),
}


def note(name: str, lang: str = "zh") -> tuple[str, str] | None:
    """(method, limits) of one detector in the language asked for, or None when it has no note yet."""
    return (NOTES_EN if lang == "en" else NOTES).get(name)


def missing(lang: str = "zh") -> str:
    return MISSING_EN if lang == "en" else MISSING


def kind_notes(lang: str = "zh") -> dict[str, tuple[str, str]]:
    return KIND_NOTES_EN if lang == "en" else KIND_NOTES

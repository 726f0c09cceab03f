"""Every string a briefing prints, in Chinese (default) and English. Chinese terms of art stay in English text."""
from __future__ import annotations

NOTICE = ("本通报所列均为供人工审查的预警，不构成任何认定。",
          "Everything listed in this briefing is a warning for human review; none of it is a finding.")

CATALOG: dict[str, tuple[str, str]] = {
    "title": ("司法监督预警通报", "Judicial supervision briefing"),
    "whole_db": ("全部法院", "All courts"),
    "scope_line": ("范围：{court}及其下辖法院（共{n}个法院）", "Scope: {court} and the courts under it ({n} courts)"),
    "scope_line_single": ("范围：{court}", "Scope: {court}"),
    "scope_line_all": ("范围：数据库中全部法院（共{n}个法院）", "Scope: every court in the database ({n} courts)"),
    "period": ("通报期间", "Period"),
    "previous": ("对比期间", "Compared with"),
    "as_of": ("数据截至", "Data as of"),
    "export_date": ("数据导出日期", "Data exported on"),
    "run_id": ("检测运行编号", "Detection run"),
    "code_version": ("程序版本", "Code version"),
    "generated": ("生成时间", "Generated"),
    "page": ("第 {page} 页", "Page {page}"),
    "unknown": ("未知", "unknown"),
    "none": ("无", "none"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # sections
    "s_headline": ("一、总体情况", "1. Overview"),
    "s_distribution": ("二、预警分布", "2. Where the warnings are"),
    "s_top": ("三、重点预警", "3. The strongest warnings"),
    "s_standing": ("四、常设预警（法官、法院层面）", "4. Standing warnings (judges and courts)"),
    "s_review": ("五、审查处理情况", "5. Review progress"),
    "s_charts": ("六、终本与量刑情况", "6. Enforcement terminated for now, and sentencing"),
    "s_disparity": ("七、量刑差别对待审计", "7. Sentencing disparity audit"),
    "s_quality": ("八、数据质量", "8. Data quality"),
    "s_method": ("九、方法说明与局限", "9. Method and limitations"),
    # headline
    "h_indicator": ("指标", "Indicator"),
    "h_current": ("本期", "This period"),
    "h_previous": ("上期", "Previous period"),
    "h_change": ("变化", "Change"),
    "i_flags": ("预警总数", "Warnings raised"),
    "i_flags_sentencing": ("其中：量刑", "of which sentencing"),
    "i_flags_enforcement": ("其中：执行（终本）", "of which enforcement"),
    "i_flags_integrity": ("其中：廉洁风险", "of which integrity"),
    "i_flags_data_quality": ("其中：数据质量", "of which data quality"),
    "i_flags_high": ("高强度预警", "High-strength warnings"),
    "i_cases": ("涉及案件数", "Cases involved"),
    "i_reviewed": ("已审查预警", "Warnings reviewed"),
    "i_reviewed_share": ("审查率", "Share reviewed"),
    "i_standing": ("常设预警（截至检测日）", "Standing warnings (as of the run)"),
    "headline_text": ("{period}，{scope}共产生预警{flags}条（上期{prev}条），涉及案件{cases}件；其中高强度预警{high}条。"
                      "已审查{reviewed}条，审查率{share}。另有法官、法院层面常设预警{standing}条。",
                      "In {period}, {scope} had {flags} warnings (previous period: {prev}) on {cases} cases, "
                      "{high} of them high-strength. {reviewed} have been reviewed ({share}). There are also "
                      "{standing} standing warnings on judges and courts."),
    "scope_self": ("本院及下辖法院", "this court and the courts under it"),
    "scope_self_single": ("本院", "this court"),
    "scope_all": ("全部法院", "all courts"),
    # first page (courtwatch/reporting/briefing/summary.py: the rules behind each sentence)
    "masthead_meta": ("数据截至 {as_of}　｜　检测运行 {run}　｜　生成于 {generated}",
                      "Data as of {as_of}  |  detection run {run}  |  generated {generated}"),
    "s_points": ("主要问题和建议", "Main problems and suggestions"),
    "points_problems": ("主要问题", "Main problems"),
    "points_actions": ("建议", "Suggestions"),
    "points_note": ('问题按固定规则从本期数字列出，每句写明所依据的数字（规则见附录“九、方法说明与局限”）；建议是组织审查的工作安排，不是对任何预警的认定。', 'Problems follow fixed rules (appendix, section 9); suggestions organise the review and conclude nothing.'),
    "p_volume": ('本期共产生预警{flags}条，上期{previous}条，{change}；其中高强度预警{high}条，占{high_share}。', '{flags} warnings this period (previous period: {previous}, {change}); {high} high-strength ({high_share}).'),
    "p_volume_none": ("本期无预警（上期{previous}条）。", "No warnings were raised this period (previous period: {previous})."),
    "change_up": ("增加{n}条", "{n} more"),
    "change_down": ("减少{n}条", "{n} fewer"),
    "change_same": ("与上期持平", "the same number"),
    "p_rise": ("预警数较上期上升{share}（{previous}条→{flags}条），增加最多的是{category}类（{category_previous}条→{category_flags}条）。",
               "Warnings rose by {share} on the previous period ({previous} → {flags}); most of the rise is in "
               "{category} ({category_previous} → {category_flags})."),
    "p_rise_from_none": ("上期无预警，本期{flags}条，其中{category}类{category_flags}条。",
                         "The previous period had no warnings; this one has {flags}, {category_flags} of them in {category}."),
    "p_category_rise": ("{category}类预警较上期上升{share}（{previous}条→{flags}条）。",
                        "{category} warnings rose by {share} on the previous period ({previous} → {flags})."),
    "p_category_rise_from_none": ("{category}类预警上期为0条，本期{flags}条。",
                                  "{category} warnings went from none in the previous period to {flags}."),
    "p_high_category": ('高强度预警{high}条中，{category}类{n}条，占{share}；其中最多的是“{detector}”（{detector_n}条）。', 'Of the {high} high-strength warnings, {n} ({share}) are in {category}, most often “{detector}” ({detector_n}).'),
    "p_high_courts": ("高强度预警较多的法院：{courts}。", "Courts with the most high-strength warnings: {courts}."),
    "p_review_share": ('本期预警已审查{reviewed}条，审查率{share}（上期{previous_share}），低于{target}的审查目标。', "{reviewed} of this period's warnings reviewed ({share}; previous period {previous_share}), below the {target} target."),
    "p_overdue": ('超过{days}天仍未审查的预警{total}条（本期{period}条，常设预警{standing}条），其中高强度{high}条{courts}。', '{total} warnings waiting more than {days} days for review ({period} of this period, {standing} standing), {high} high-strength{courts}.'),
    "p_overdue_courts": ('；较多的是{courts}', '; most at {courts}'),
    "p_standing": ('法官、法院层面的常设预警{standing}条，其中{unreviewed}条尚未审查。', '{standing} standing warnings on judges and courts, {unreviewed} not yet reviewed.'),
    "p_standing_all": ('法官、法院层面的常设预警{standing}条，均未审查。', '{standing} standing warnings on judges and courts, none reviewed yet.'),
    "p_quiet": ("本期预警未较上期明显上升，审查率不低于{target}，没有超过{days}天未审查的预警。",
                "Warnings did not rise markedly on the previous period, the share reviewed is at least {target}, "
                "and no warning has waited more than {days} days for review."),
    "court_count": ("{name}{n}条", "{name} ({n})"),
    "a_overdue": ('请{courts}明确审查责任人，对超过{days}天未审查的{total}条预警逐条调阅卷宗、作出处理，并在系统中记录处理意见和理由。', 'Ask {courts} to name a person responsible and review the {total} warnings waiting over {days} days one by one: read the file, decide, record the decision and its reason.'),
    "a_overdue_scope": ("各相关法院", "the courts concerned"),
    "a_high_category": ("请分管院领导牵头，优先审查{category}类高强度预警{n}条，核实卷宗后记录处理意见。", "Ask the responsible vice-president to lead a first review of the {n} high-strength {category} warnings against the files, recording each decision."),
    "a_rise": ("请{category}类相关业务部门分析预警上升的原因（收结案数量、数据录入或办案环节的变化），在下期通报前书面说明。",
               "Ask the divisions handling {category} cases to explain in writing, before the next briefing, why these "
               "warnings rose (caseload, data entry or a change in how cases are handled)."),
    "a_rise_any": ("请相关业务部门分析预警上升的原因（收结案数量、数据录入或办案环节的变化），在下期通报前书面说明。",
                   "Ask the divisions concerned to explain in writing, before the next briefing, why warnings rose "
                   "(caseload, data entry or a change in how cases are handled)."),
    "a_review_share": ('请将预警审查列入每月工作安排，审查率达到{target}以上，每条预警都记录处理理由。', "Put the review of warnings on each month's work plan: at least {target} reviewed, each decision with its reason."),
    "a_standing": ('请院领导审阅法官、法院层面尚未审查的常设预警{unreviewed}条，结合抽查相关案件了解情况后再作判断。', 'Ask court leaders to read the {unreviewed} unreviewed standing warnings on judges and courts, with a sample of the cases behind them, before forming a view.'),
    "a_quiet": ("请继续按月审查新增预警，保持处理记录完整。",
                "Keep reviewing new warnings every month and recording each decision."),
    "a_caution": ("预警只是供人工审查的提示，须经审查核实后方可作出判断，不得仅凭预警认定问题或追究责任。",
                  "A warning only asks for a person's review: nothing may be concluded, and no one held "
                  "responsible, on a warning alone."),
    "s_trend": ("季度趋势", "Quarterly trend"),
    "trend_note": ('粗体为本期。按同一次检测运行、同一计入规则统计；“超期”为截至{today}超过{days}天未审查的预警。', 'Bold: this period. Same run, same counting rule; overdue = over {days} days without review on {today}.'),
    "ch_trend": ("各季度预警数", "Warnings per quarter"),
    "trend_partial": ("（截至{as_of}）", " (to {as_of})"),
    "c_quarter": ("季度", "Quarter"),
    "c_of_high": ("高强度", "High"),
    "c_reviewed_share": ('审查率', 'Reviewed'),
    "c_unreviewed": ('未审查', 'Pending'),
    "c_overdue": ("超期", "Overdue"),
    "c_period_flags_short": ("本期预警", "This period"),
    "c_standing_unreviewed": ("常设未审查", "Standing unreviewed"),
    "c_unreviewed_period": ('本期未审查', 'Not reviewed'),
    "c_overdue_period": ("本期超期", "Overdue"),
    "s_backlog": ("未审查和超期预警（按责任法院）", "Unreviewed and overdue warnings by responsible court"),
    "backlog_note": ('超期：预警首次出现后超过{days}天仍无处理记录，按{today}计算。无本期预警、无未审查常设预警的法院不列。', 'Overdue: no decision more than {days} days after the warning first appeared, on {today}. Courts with nothing to review are left out.'),
    "c_standing_overdue": ("常设超期", "Standing overdue"),
    "backlog_cut": ('列出超期和未审查最多的{k}个法院，全部{n}个见附录“五、审查处理情况”。', 'The {k} courts with most to review; all {n} are in the appendix, section 5.'),
    "backlog_none": ("本期无预警，也没有未审查的常设预警。", "No warnings this period and no unreviewed standing warning."),
    "backlog_total": ("合计", "Total"),
    "sh_points": ("主要问题和建议", "Problems and suggestions"),
    "c_kind": ("类型", "Kind"),
    "c_text": ("内容", "Text"),
    "c_rule": ("规则", "Rule"),
    "kind_problem": ("问题", "problem"),
    "kind_action": ("建议", "suggestion"),
    "appendix": ("附录　详细数据", "Appendix: the detailed tables"),
    "facts": ("本通报基本信息", "About this briefing"),
    "zero_rows_hidden": ("数字全为零的行未列出（XLSX版本列出全部）。",
                         "Rows whose figures are all zero are left out (the XLSX version has every row)."),
    "t_backlog_all": ("各法院未审查和超期预警（全部）", "Unreviewed and overdue warnings, every court"),
    "method_front": ("首页“主要问题”的规则：（1）总量：本期与上期预警数、高强度预警数及占比，始终列出；"
                     "（2）上升：预警数比上期增加不少于{rise_min}条且不少于上期的{rise_share}（上期为0时只看条数），"
                     "列出增加最多的类别；总量未上升时，单一类别达到同一标准的，列出增加最多的类别；"
                     "（3）高强度集中：有高强度预警时，列出高强度预警最多的类别、该类别中最多的检测规则/模型，"
                     "以及高强度预警不少于2条的法院（至多3个）；（4）审查率低于{target}时列出；"
                     "（5）超期：无处理记录且首次出现已超过{days}天的预警（本期和常设；设置项 [briefing] review_deadline_days）；（6）有未审查的常设预警时列出。"
                     "每条问题对应一条建议；建议只安排审查工作，不对任何预警作出认定。预警强度按各预警记录的强度。",
                     "The rules behind “main problems” on the first page: (1) volume — warnings this and last period, "
                     "high-strength warnings and their share, always; (2) rise — warnings up by at least {rise_min} "
                     "and at least {rise_share} of the previous count (from none: the count alone), naming the "
                     "category that rose most; without an overall rise, a single category meeting the same test; "
                     "(3) high strength — the category with most high-strength warnings, its most frequent rule or "
                     "model, and the courts with two or more (at most three); (4) share reviewed below {target}; "
                     "(5) overdue — no decision more than {days} days after the warning first appeared (this "
                     "period's and standing; setting [briefing] review_deadline_days); (6) unreviewed standing warnings. Each problem leads to one "
                     "suggestion, which organises the review and never concludes anything about a warning. "
                     "Strength is each warning's recorded level."),
    # distribution
    "t_category_level": ("按类别和预警强度", "By category and strength"),
    "t_detector": ("按检测规则/模型", "By rule or model"),
    "t_court": ("按法院", "By court"),
    "t_judge": ("按承办人（化名编号）", "By judge (pseudonymous id)"),
    "t_judge_note": ("共{n}名承办人有本期预警，列出预警最多的{k}名；完整名单见XLSX版本。承办人以化名编号表示，不显示姓名。",
                     "{n} judges have warnings this period; the {k} with most are listed (the XLSX version lists all). "
                     "Judges are shown by pseudonymous id, never by name."),
    "t_judge_note_all": ("承办人以化名编号表示，不显示姓名。", "Judges are shown by pseudonymous id, never by name."),
    "t_month": ("按月份", "By month"),
    "c_category": ("类别", "Category"),
    "c_level": ("强度", "Strength"),
    "c_high": ("高", "High"),
    "c_medium": ("中", "Medium"),
    "c_low": ("低", "Low"),
    "c_total": ("合计", "Total"),
    "c_detector": ("检测规则/模型", "Rule or model"),
    "c_flags": ("预警数", "Warnings"),
    "c_cases": ("涉及案件", "Cases"),
    "c_court_id": ("法院代码", "Court code"),
    "c_court": ("法院", "Court"),
    "c_level_court": ("法院层级", "Court level"),
    "c_reviewed": ("已审查", "Reviewed"),
    "c_standing": ("常设预警", "Standing"),
    "c_judge_id": ("承办人编号", "Judge id"),
    "c_month": ("月份", "Month"),
    "c_rank": ("序号", "No."),
    "c_case_id": ("案号", "Case number"),
    "c_subject": ("对象", "Subject"),
    "c_subject_type": ("对象类型", "Subject type"),
    "c_score": ("评分", "Score"),
    "c_explanation": ("说明", "Explanation"),
    "c_status": ("审查状态", "Review status"),
    "c_decided_at": ("处理时间", "Decided at"),
    "c_cause": ("案由", "Cause"),
    "c_filed_on": ("立案日期", "Filed on"),
    "c_closed_on": ("结案日期", "Closed on"),
    "c_flag_date": ("计入日期", "Counted on"),
    "c_flag_id": ("预警编号", "Warning id"),
    "c_charge": ("罪名", "Charge"),
    "c_decision": ("处理结果", "Decision"),
    "c_share": ("占比", "Share"),
    "c_previous": ("上期", "Previous period"),
    "c_closed_cases": ("执结案件数（执/执恢）", "Enforcement cases closed"),
    "c_terminated": ("其中终本", "of which terminated for now"),
    "c_terminated_share": ("终本率", "Share terminated for now"),
    "c_table": ("数据表", "Table"),
    "c_column": ("字段", "Column"),
    "c_reason": ("原因", "Reason"),
    "c_rows": ("隔离行数", "Rows held back"),
    "c_problems": ("问题数", "Problems"),
    "c_indicator": ("项目", "Item"),
    "c_scope": ("范围", "Scope"),
    "empty_table": ("无。", "None."),
    "c_value": ("内容", "Value"),
    "c_method": ("方法", "Method"),
    "c_false_alarm": ("误报控制", "False-alarm control"),
    "c_limitations": ("局限", "Limitations"),
    "c_legal_basis": ("依据", "Basis"),
    "c_run_status": ("本次运行", "In this run"),
    "c_period_flags": ("本期预警", "Warnings this period"),
    "c_standing_flags": ("常设预警", "Standing warnings"),
    # top flags
    "top_intro": ("以下为本期预警强度最高的{n}条（按强度、评分排序）。完整清单见XLSX版本。",
                  "The {n} strongest warnings of the period (by strength, then score). The XLSX version lists all."),
    "top_none": ("本期无预警。", "No warnings this period."),
    "standing_intro": ("以下预警针对承办人、法院或承办人与律师的组合，依据截至检测日的全部数据，不计入本期数字。",
                       "These warnings concern a judge, a court or a judge–lawyer pair, on all data up to the run's "
                       "date; they are not counted in the period's figures."),
    "standing_none": ("无常设预警。", "No standing warnings."),
    "standing_more": ("另有{n}条常设预警，见XLSX版本。", "{n} more standing warnings are in the XLSX version."),
    # review
    "d_confirm_concern": ("确认存在问题", "Concern confirmed"),
    "d_dismiss": ("排除（无问题）", "Dismissed"),
    "d_escalate": ("提交上级/移送", "Escalated"),
    "d_needs_information": ("需补充材料", "Needs information"),
    "d_pending": ("待审查", "Not yet reviewed"),
    "review_intro": ("审查状态为截至本通报生成时各预警最新的处理记录。",
                     "Review status is each warning's latest disposition when this briefing was generated."),
    # charts
    "ch_category": ("本期与上期预警数（按类别）", "Warnings by category, this and previous period"),
    "ch_termination_court": ("各法院终本率（本期执结的执/执恢案件）", "Share terminated for now, by court (enforcement cases closed in the period)"),
    "ch_termination_month": ("终本率月度趋势", "Share terminated for now, by month"),
    "ch_charge": ("量刑预警（按罪名）", "Sentencing warnings by charge"),
    "chart_cut": ("（前{k}项；完整数据见XLSX版本）", " (first {k}; the XLSX version has all)"),
    "rows_cut": ("共{n}行，列出前{k}行；完整数据见XLSX版本。", "{n} rows; the first {k} are shown, the XLSX version has all."),
    "ch_none": ("（本期无数据）", "(no data this period)"),
    "termination_text": ("本期共执结执行实施案件（执/执恢）{closed}件，其中终结本次执行程序{terminated}件，终本率{share}。"
                         "终本率是工作量指标，不是预警。",
                         "In the period {closed} enforcement cases were closed, {terminated} of them by terminating "
                         "enforcement for now: a share of {share}. The share is a workload figure, not a warning."),
    # disparity
    "disp_flags": ("差别对待审计在本通报范围内提示以下差异，需人工核查是否存在不当差别对待：",
                   "The disparity audit reports the following differences in this briefing's scope, to be checked "
                   "for unequal treatment:"),
    "disp_none": ("差别对待审计在本通报范围内未发现显著差异（未发现在考虑法定量刑情节后，刑期因性别、民族或户籍存在统计上显著且具有实际意义的差异）。",
                  "No significant disparity found: within this briefing's scope the disparity audit found no "
                  "statistically significant and material difference in terms by gender, ethnicity or residence "
                  "after legal factors."),
    "disp_not_tested": ("差别对待审计本次没有法院达到检验所需的最少案件数，未作检验；不能据此认为不存在差异。",
                        "The disparity audit tested no court this run (none had the minimum number of sentences); "
                        "this is not evidence that there is no disparity."),
    "disp_caveat": ("说明：案件数或某一群体人数低于配置下限的法院不作检验，未被提示不等于已检验。",
                    "Courts or groups below the configured minimums are not tested: no warning does not mean tested."),
    "disp_not_registered": ("差别对待审计（sentencing_disparity_audit）尚未启用，本期无审计结果。",
                            "The disparity audit (sentencing_disparity_audit) is not installed; there is no result."),
    "disp_not_run": ("本次检测运行未包含差别对待审计，请重新运行 courtwatch detect。",
                     "This detection run did not include the disparity audit; run `courtwatch detect` again."),
    "disp_skipped": ("差别对待审计本次未运行：{note}", "The disparity audit did not run: {note}"),
    "disp_failed": ("差别对待审计本次运行失败：{note}", "The disparity audit failed: {note}"),
    "disp_note": ("运行说明：{note}", "Run note: {note}"),
    # quality
    "quality_intro": ("以下为导入时因格式或内容问题未载入、转入隔离区的数据行（当前数据库中全部导入批次），"
                      "按表、字段和原因统计；这些行不参与任何检测。",
                      "Rows held back in quarantine at import (all imports now in the database), by table, column "
                      "and reason; they take part in no detection."),
    "quality_scope": ("仅统计能够确定属于本通报范围内法院的数据行；无法确定法院的行只在全部法院的通报中统计。",
                      "Only rows that can be attributed to a court of this scope are counted; rows naming no court "
                      "are counted only in the all-courts briefing."),
    "quality_none": ("本通报范围内无隔离数据行。", "No quarantined rows in this briefing's scope."),
    "whole_row": ("（整行）", "(whole row)"),
    # method
    "method_period": ("本期预警的界定：取检测运行 {run}（数据截至 {as_of}）的预警；涉及具体案件的预警按其"
                      "“计入日期”（案件结案日期，未结案的取立案日期）落入 {start} 至 {end} 者计入本期；"
                      "上期（{prev}）用同一次运行、同一规则统计。针对承办人、法院或承办人与律师组合的预警"
                      "没有案件日期，作为截至检测日的常设预警单列，不计入本期数字。",
                      "Which warnings belong to the period: the warnings of detection run {run} (data as of {as_of}) "
                      "about a case whose counting date — its closing date, or its filing date while pending — falls "
                      "between {start} and {end}. The previous period ({prev}) is counted from the same run by the "
                      "same rule. Warnings about a judge, a court or a judge–lawyer pair have no case date: they are "
                      "listed as standing warnings as of the run and not counted in the period."),
    "method_scope": ("本通报的范围为{court}及其下辖法院（依法院隶属关系），不含其他法院的任何数据。",
                     "This briefing covers {court} and the courts under it (by the courts' hierarchy) and holds no "
                     "data of any other court."),
    "method_scope_single": ("本通报的范围为{court}（无下辖法院），不含其他法院的任何数据。",
                            "This briefing covers {court} (no courts under it) and holds no data of any other court."),
    "method_scope_all": ("本通报的范围为数据库中全部法院。", "This briefing covers every court in the database."),
    "method_termination": ("终本率 = 本期结案的执行实施案件（案号类型为“执”“执恢”）中以终结本次执行程序结案的比例。",
                           "Share terminated for now = of the enforcement cases closed in the period (case numbers of "
                           "type 执 or 执恢), the share closed by terminating enforcement for now."),
    "method_review": ("审查率 = 已有处理记录的预警 ÷ 预警总数；处理记录取自运维库中各预警的最新处理，截至本通报生成时。",
                      "Share reviewed = warnings with a recorded disposition ÷ warnings; each warning's latest "
                      "disposition in the operational store when the briefing was generated."),
    "method_registry_note": ("下表各检测规则/模型的方法、误报控制和局限取自检测器注册表（detectors/registry.py），原文为英文。",
                             "Each rule's or model's method, false-alarm control and limitations below come from the "
                             "detector registry (detectors/registry.py)."),
    "shared_notes": ("多项检测共用的说明", "Notes shared by several detectors"),
    "shared_by": ("{n}项检测适用", "applies to {n} detectors"),
    "see_shared": ("见上文“{mark}”", "see “{mark}” above"),
    "status_ok": ("已运行", "ran"),
    "status_skipped": ("未运行（缺少数据表）", "skipped (a table is missing)"),
    "status_failed": ("运行失败", "failed"),
    "status_incremental": ("增量运行（仅新增或变更案件）", "ran on new or changed cases (incremental run)"),
    "status_carried": ("沿用上次全量运行结果", "carried from the last full run"),
    "status_absent": ("未包含在本次运行中", "not in this run"),
    # categories, levels, subject types
    "sentencing": ("量刑", "Sentencing"),
    "enforcement": ("执行（终本）", "Enforcement"),
    "integrity": ("廉洁风险", "Integrity"),
    "data_quality": ("数据质量", "Data quality"),
    "short_sentencing": ("量刑", "Sentencing"),
    "short_enforcement": ("执行", "Enforcement"),
    "short_integrity": ("廉洁", "Integrity"),
    "short_data_quality": ("数据", "Data quality"),
    "high": ("高", "high"),
    "medium": ("中", "medium"),
    "low": ("低", "low"),
    "defendant": ("被告人", "defendant"),
    "case": ("案件", "case"),
    "judge": ("承办人", "judge"),
    "court": ("法院", "court"),
    "judge_lawyer": ("承办人—律师", "judge–lawyer pair"),
    "lv_basic": ("基层", "basic"),
    "lv_intermediate": ("中级", "intermediate"),
    "lv_high": ("高级", "high"),
    "lv_supreme": ("最高", "supreme"),
    "t_courts": ("courts 法院", "courts"),
    "t_judges": ("judges 人员", "judges"),
    "t_cases": ("cases 案件", "cases"),
    "t_defendants": ("defendants 被告人", "defendants"),
    "t_enforcement": ("enforcement 执行", "enforcement"),
    "t_events": ("events 事件", "events"),
    "t_representations": ("representations 代理", "representations"),
    # xlsx sheet names (≤ 31 characters, unique)
    "sh_summary": ("概要", "Summary"),
    "sh_flags": ("本期预警明细", "Period warnings"),
    "sh_standing": ("常设预警", "Standing warnings"),
    "redacted_court": ("（其他法院）", "(another court)"),
    "redacted_case": ("（其他法院案件）", "(another court's case)"),
}


def t(key: str, lang: str = "zh", **values) -> str:
    zh, en = CATALOG.get(key, (key, key))
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


def notice(lang: str = "zh") -> str:
    return NOTICE[0] if lang == "zh" else NOTICE[1]

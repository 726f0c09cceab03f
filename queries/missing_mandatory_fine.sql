-- missing_mandatory_fine — sentences without the 罚金 their statute always adds.
-- One row per single-charge defendant of a charge in fine_rules sentenced to 管制, 拘役 or 有期徒刑 and not
-- known to comply: violated = TRUE when fine_yuan is 0; NULL when fine_yuan is unknown, when 没收财产 could
-- stand in the fine's place (confiscation_possible), or when the court's export evidently does not record
-- fines (records_incomplete: fine_records_incomplete.sql says so once for the court, with the same
-- definition). Multi-charge rows are not checked (one row holds one fine for several charges). The row shows
-- no court-wide figure, so an unchanged case's warning stays the same when other cases arrive.
-- The charges (fine_rules, registered from detectors/law.py MANDATORY_FINE): 盗窃罪 §264, 诈骗罪 §266,
-- 危险驾驶罪 §133-1, 走私、贩卖、运输、制造毒品罪 §347, 帮助信息网络犯罪活动罪 §287-2, 赌博罪 / 开设赌场罪 §303 —
-- 并处罚金 or 并处或者单处罚金 in every frame, except where 没收财产 may stand in the fine's place, which the
-- export does not record: the top frame of 盗窃/诈骗 (并处罚金或者没收财产), from the amount law_frames says it can
-- reach (top_reach, with 其他特别严重情节), or from fine_rules.alternative_from_months of term when the amount
-- is unknown (§63 ¶1 减轻 goes one frame down); §347 ¶2 (并处没收财产, at any quantity) from
-- alternative_from_months of term. A court's export records no fines when at least $min_zeros and
-- $incomplete_share of its sentences that must carry one (confiscation impossible, fine known) carry 0 —
-- in the court, or in its province's export as a whole (a small court cannot show it alone).
-- Frame set for the amount: as in term_above_statutory_max.sql (telecom fraud, province, default, national).
-- Params: $separator, $default_frames, $national, $telecom_frames, $telecom_cause, $min_zeros,
-- $incomplete_share. Read by: detectors/rules/missing_mandatory_fine.py. Twin: queries/spark/missing_mandatory_fine.sql.
WITH
-- include: fine_sentences
SELECT j.defendant_id AS subject_id, j.case_id, j.judge_id, j.court_id, j.charge, j.article, j.sentence_kind,
       j.term_months, j.amount_involved, j.fine_yuan, j.confiscation_possible,
       CASE WHEN j.fine_yuan IS NULL THEN NULL
            WHEN j.fine_yuan > 0 THEN FALSE
            WHEN j.confiscation_possible OR i.records_incomplete THEN NULL
            ELSE TRUE END AS violated,
       0.8 AS score
FROM judged j
JOIN incomplete i ON i.court_id = j.court_id
WHERE (CASE WHEN j.fine_yuan IS NULL THEN NULL
            WHEN j.fine_yuan > 0 THEN FALSE
            WHEN j.confiscation_possible OR i.records_incomplete THEN NULL
            ELSE TRUE END) IS NOT FALSE
ORDER BY subject_id

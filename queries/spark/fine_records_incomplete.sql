-- fine_records_incomplete (Spark SQL) — courts whose export evidently does not record fines (a data-quality note).
-- Same rows as queries/fine_records_incomplete.sql; differs in parameter markers, the join, rlike for regexp_matches and DOUBLE literals.
-- One row per court with a zero fine where at least :min_zeros, and at least :incomplete_share, of the single-charge
-- sentences that must carry a 罚金 (and cannot carry 没收财产 instead) are recorded with fine_yuan 0, in the
-- court or in its province's export as a whole: real
-- omissions of a mandatory fine are rare, so the export is what to check. missing_mandatory_fine abstains on
-- that court's sentences instead of warning on each; the definition is the same (tests/test_law_audit.py).
-- The charges (fine_rules, registered from detectors/law.py MANDATORY_FINE): 盗窃罪 §264, 诈骗罪 §266,
-- 危险驾驶罪 §133-1, 走私、贩卖、运输、制造毒品罪 §347, 帮助信息网络犯罪活动罪 §287-2, 赌博罪 / 开设赌场罪 §303 —
-- 并处罚金 or 并处或者单处罚金 in every frame, except where 没收财产 may stand in the fine's place, which the
-- export does not record: the top frame of 盗窃/诈骗 (并处罚金或者没收财产), from the amount law_frames says it can
-- reach (top_reach, with 其他特别严重情节), or from fine_rules.alternative_from_months of term when the amount
-- is unknown (§63 ¶1 减轻 goes one frame down); §347 ¶2 (并处没收财产, at any quantity) from
-- alternative_from_months of term. A court's export records no fines when at least :min_zeros and
-- :incomplete_share of its sentences that must carry one (confiscation impossible, fine known) carry 0 —
-- in the court, or in its province's export as a whole (a small court cannot show it alone).
-- Frame set for the amount: as in term_above_statutory_max.sql (telecom fraud, province, default, national).
-- Params: :separator, :default_frames, :national, :telecom_frames, :telecom_cause, :min_zeros,
-- :incomplete_share. Read by: courtwatch/pipeline/spark_engine.py → detectors/rules/fine_records_incomplete.py.
WITH
-- include: fine_sentences
SELECT court_id AS subject_id, CAST(NULL AS STRING) AS case_id, CAST(NULL AS STRING) AS judge_id, court_id,
       sentences, zero_fines, province_sentences, province_zero_fines, province_incomplete, TRUE AS violated, 0.5D AS score
FROM incomplete
WHERE records_incomplete AND zero_fines > 0
ORDER BY subject_id

-- sentencing_features_stage — stages the legal factors and custodial terms of every peer group, once per fit.
-- Creates the temporary table sentencing_features_staged: one row per defendant in a criminal case
-- closed by $as_of whose sentence is 拘役 / 有期徒刑 or of unknown kind (the detector counts unknown
-- kinds and missing terms as skipped), in peer_group, defendant_id order. Columns: ids, the charge(s),
-- peer_group (see sentencing_peer_groups), the severity measures (amount_involved, injury_level,
-- drug_grams, blood_alcohol), the eleven circumstances (NULL = not recorded), sentence_kind,
-- term_months, and the statutory tier of a single charge from law_frames (NULL when the measure is
-- unknown or the charge has no frame table).
-- Probation is deliberately absent: it is decided after the term (量刑指导意见).
-- Never reads gender, ethnicity or local_resident (audit-only columns).
-- The tier uses the frame set of the court's province (law_frames.province; $default_frames
-- for a court with no recorded province, $national — the lowest lawful national thresholds —
-- for a province with none configured), as term_above_statutory_max.sql does.
-- law_frames and law_drug_equivalents are registered by the detector from detectors/law.py + config.
-- E7 (defendants.drug_type): a quantity recorded with its type is put on the heroin/methamphetamine scale
-- (法释〔2016〕8号 arts. 1–2), as the frame rules read it, so an opium or ketamine sentence is compared with
-- peers on one scale; a type without a scale (`other`) leaves the quantity unknown (the row is skipped).
-- Why staged: the model reads one peer group at a time (sentencing_features); joining defendants,
-- cases, courts and frames once instead of once per group took the per-group reads from O(groups ×
-- defendants) to one pass. The table lives in DuckDB (it spills to disk), not in Python.
-- $peer_groups: the peer groups to stage (NULL: every one; an incremental run scored against kept fits stages
-- only the groups its new sentences fall in).
-- Params: $as_of, $separator, $default_frames, $national, $peer_groups. Run by: detectors/sentencing/fit.py
-- (stage_features).
CREATE OR REPLACE TEMP TABLE sentencing_features_staged AS
WITH frame_sets AS (SELECT DISTINCT province FROM law_frames),
grouped AS (
    SELECT d.defendant_id, d.case_id, c.judge_id, c.court_id, c.closed_on, d.charge,
           CASE WHEN ct.province IN (SELECT province FROM frame_sets) THEN ct.province
                WHEN nullif(trim(ct.province), '') IS NULL THEN $default_frames
                ELSE $national END AS frame_province,
           CASE WHEN contains(d.charge, $separator) THEN '数罪并罚' ELSE d.charge END AS peer_group,
           d.amount_involved, d.injury_level,
           CASE WHEN d.drug_type IS NULL THEN d.drug_grams ELSE d.drug_grams * e.to_heroin END AS drug_grams,
           d.blood_alcohol,
           d.surrender, d.confession, d.guilty_plea, d.meritorious, d.recidivist, d.prior_record,
           d.minor, d.accessory, d.attempted, d.restitution, d.forgiven,
           d.sentence_kind, d.term_months
    FROM defendants d
    JOIN cases c USING (case_id)
    LEFT JOIN courts ct ON ct.court_id = c.court_id
    LEFT JOIN law_drug_equivalents e ON e.drug_type = d.drug_type
    WHERE c.case_kind = 'criminal'
      AND c.closed_on <= $as_of
      AND (d.sentence_kind IN ('detention', 'fixed_term') OR d.sentence_kind IS NULL)
      AND ($peer_groups::VARCHAR[] IS NULL
           OR list_contains($peer_groups::VARCHAR[], CASE WHEN contains(d.charge, $separator) THEN '数罪并罚' ELSE d.charge END))
),
measured AS (
    SELECT g.*, f.measure,
           CASE f.measure
               WHEN 'amount_involved' THEN g.amount_involved
               WHEN 'drug_grams' THEN g.drug_grams
               WHEN 'blood_alcohol' THEN g.blood_alcohol
               WHEN 'injury_level' THEN CASE g.injury_level WHEN 'none' THEN 0 WHEN 'minor_2' THEN 1
                   WHEN 'minor_1' THEN 2 WHEN 'serious_2' THEN 3 WHEN 'serious_1' THEN 4 WHEN 'death' THEN 5 END
               ELSE 0 END AS severity,
           f.lower, f.upper, f.tier
    FROM grouped g
    LEFT JOIN law_frames f ON f.charge = g.charge AND f.province = g.frame_province
)
SELECT * EXCLUDE (frame_province, measure, severity, lower, upper, tier),
       max(CASE WHEN severity >= lower AND severity < upper THEN tier END) AS tier
FROM measured
GROUP BY ALL
ORDER BY peer_group, defendant_id

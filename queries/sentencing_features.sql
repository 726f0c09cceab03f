-- sentencing_features — the legal factors and the custodial term of one peer group's defendants.
-- One row per defendant in peer group $peer_group (see sentencing_peer_groups) of the staged table
-- sentencing_features_staged (queries/sentencing_features_stage.sql says what a row holds: ids, the
-- charge(s), the severity measures, the eleven circumstances, sentence_kind, term_months, the
-- statutory tier), in defendant_id order.
-- Never reads gender, ethnicity or local_resident (audit-only columns).
-- Params: $peer_group. Read by: detectors/sentencing/fit.py (peer_group_features, inside staged_features).
SELECT *
FROM sentencing_features_staged
WHERE peer_group = $peer_group
ORDER BY defendant_id

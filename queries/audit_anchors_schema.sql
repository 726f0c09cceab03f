-- audit_anchors_schema — where the published database anchors the audit trail (docs/security.md).
-- One row per batch job that published this file while an operational store had audit rows: the
-- chain's head (seq, hash) at that moment, so that `courtwatch audit verify` can tell when the newest
-- audit rows were deleted afterwards. Not a source table: no scope view (scoped users never see it).
-- Read by: courtwatch.storage.store (record_audit_anchor, audit_anchors).
CREATE TABLE IF NOT EXISTS audit_anchors (
    anchored_at TIMESTAMP,  -- when the batch job published
    ops_store   VARCHAR,    -- the operational store anchored (opsstore.store_identity: path or URL without password)
    seq         BIGINT,     -- the newest audit row then
    hash        VARCHAR     -- its hash (audit_log.hash)
);

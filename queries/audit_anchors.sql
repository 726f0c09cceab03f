-- audit_anchors — the anchors this database holds for one operational store, newest first.
-- One row per publish. Params: $ops_store. Read by: courtwatch.storage.store.audit_anchors (`audit verify`).
SELECT anchored_at, seq, hash
FROM audit_anchors
WHERE ops_store = $ops_store
ORDER BY seq DESC, anchored_at DESC

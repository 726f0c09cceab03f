-- record_audit_anchor — one anchor of the audit trail's head, written at every publish.
-- Params: $ops_store, $seq, $hash. Read by: courtwatch.storage.store.open_for_write.
INSERT INTO audit_anchors VALUES (now()::TIMESTAMP, $ops_store, $seq, $hash)

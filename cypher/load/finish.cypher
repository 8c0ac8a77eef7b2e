// Finish a load in parts, in the transaction of its last part: lock the meta node, bump the
// version, store the counters and remove the marker, so the whole load appears at once as one
// new version. No row when the marker is no longer $token (the load was erased meanwhile).
MATCH (m:_Meta {name: 'graph'})
WHERE m.loading = $token
SET m._lock = true
REMOVE m._lock
WITH m
SET m.version = m.version + 1, m.seq = $seq, m.audit = $audit
REMOVE m.loading, m.loading_by, m.loading_since, m.loading_at
RETURN m.version AS version

// Start a write: lock the meta node (writers queue here, so versions never interleave), bump
// the version, and read the counters the write continues: `seq` numbers nodes and
// relationships in creation order, `audit` numbers audit entries. The lock is taken by a
// write (`_lock`) before the counters are read: a `SET m.version = m.version + 1` alone reads
// before it locks, and two concurrent writes could then both take the same version. Also
// returns the marker of a load in parts (see version.cypher): a write then refuses.
MERGE (m:_Meta {name: 'graph'})
ON CREATE SET m.version = 0, m.seq = 0, m.audit = 0
SET m._lock = true
REMOVE m._lock
WITH m
SET m.version = m.version + 1
RETURN m.version AS version, m.seq AS seq, coalesce(m.audit, 0) AS audit,
       m.loading AS loading, m.loading_by AS by, m.loading_since AS since,
       timestamp() - m.loading_at AS idle

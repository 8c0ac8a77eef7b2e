// Finish a write: store the counters it advanced (the meta node is locked since begin).
MATCH (m:_Meta {name: 'graph'})
SET m.seq = $seq, m.audit = $audit

// Append audit entries (store-internal _Audit nodes, not part of the graph).
// $rows: [{seq, key (the idempotency key or null), entry (the entry as JSON text)}]
UNWIND $rows AS row
CREATE (a:_Audit {seq: row.seq, entry: row.entry})
SET a.idempotency_key = row.key

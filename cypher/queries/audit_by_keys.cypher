// The audit entries recorded under these idempotency keys (none while a load in parts runs,
// except inside that load's own transactions: $loading, its marker, else null).
OPTIONAL MATCH (meta:_Meta {name: 'graph'})
WITH meta WHERE meta.loading IS NULL OR meta.loading = $loading
UNWIND $keys AS key
MATCH (a:_Audit {idempotency_key: key})
RETURN key, a.entry AS entry

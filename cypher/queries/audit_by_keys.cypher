// The audit entries recorded under these idempotency keys.
UNWIND $keys AS key
MATCH (a:_Audit {idempotency_key: key})
RETURN key, a.entry AS entry

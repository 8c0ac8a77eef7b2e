// Start a bulk load: lock the meta node (as every write does) and, with $claim (a load in
// parts), when the graph has no node and no audit entry and no other load in parts is
// marked, mark this one: $token, $by ("host:pid"), $since, and `loading_at` (the heartbeat).
// Returns whether it was claimed, the counters the load continues (its version is `version`
// + 1, set when it finishes), and the marker found otherwise (see version.cypher).
MERGE (m:_Meta {name: 'graph'})
ON CREATE SET m.version = 0, m.seq = 0, m.audit = 0
SET m._lock = true
REMOVE m._lock
WITH m, $claim AND m.loading IS NULL
     AND NOT EXISTS { MATCH (:_Node) } AND NOT EXISTS { MATCH (:_Audit) } AS claimed
FOREACH (_ IN CASE WHEN claimed THEN [1] ELSE [] END |
  SET m.loading = $token, m.loading_by = $by, m.loading_since = $since,
      m.loading_at = timestamp())
RETURN claimed, m.version AS version, m.seq AS seq, coalesce(m.audit, 0) AS audit,
       m.loading AS loading, m.loading_by AS by, m.loading_since AS since,
       timestamp() - m.loading_at AS idle

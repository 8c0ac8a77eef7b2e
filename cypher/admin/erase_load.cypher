// Erase what an unfinished load in parts wrote, while its marker is still $token (after its
// last part committed there is none, and nothing is erased): every relationship, then every
// graph node and audit entry (it only starts on a graph that has none), 10,000 to a
// transaction, relationships first so that a node with many of them never needs a large one.
// The meta node and its marker stay: the caller removes the marker afterwards (load/unmark),
// so readers never see part of the load meanwhile.
MATCH (m:_Meta {name: 'graph'})
WHERE m.loading = $token
MATCH ()-[r]->()
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS;

MATCH (m:_Meta {name: 'graph'})
WHERE m.loading = $token
MATCH (n)
WHERE n:_Node OR n:_Audit
CALL (n) {
  DELETE n
} IN TRANSACTIONS OF 10000 ROWS;

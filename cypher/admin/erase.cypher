// Delete every node and relationship, store-internal ones included (tests and benchmarks),
// 10,000 to a transaction, relationships first so that a node with many of them never needs
// a large one (a keyword's hundred thousand mentions at scale 10).
MATCH ()-[r]->()
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS;

MATCH (n)
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 10000 ROWS;

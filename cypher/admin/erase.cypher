// Delete every node and relationship, store-internal ones included (tests and benchmarks),
// in batches so a large graph does not need one huge transaction.
MATCH (n)
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 10000 ROWS

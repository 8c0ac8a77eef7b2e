// Statistics: relationships per type, from the count store.
CALL db.relationshipTypes() YIELD relationshipType AS type
CALL (type) {
  MATCH ()-[r:$(type)]->()
  RETURN count(r) AS relationships
}
RETURN type, relationships

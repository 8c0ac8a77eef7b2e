// Statistics: nodes per label, from the count store (the caller keeps the ontology's labels).
CALL db.labels() YIELD label
CALL (label) {
  MATCH (n:$(label))
  RETURN count(n) AS nodes
}
RETURN label, nodes

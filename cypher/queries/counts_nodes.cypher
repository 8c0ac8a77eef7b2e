// Statistics: nodes per label, from the count store (the caller keeps the ontology's labels).
// While a load in parts runs (the meta node's `loading` marker), the graph reads as it was
// before the load: empty.
OPTIONAL MATCH (meta:_Meta {name: 'graph'})
WITH meta WHERE meta.loading IS NULL
CALL db.labels() YIELD label
CALL (label) {
  MATCH (n:$(label))
  RETURN count(n) AS nodes
}
RETURN label, nodes

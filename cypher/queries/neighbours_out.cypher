// For each node id, its neighbours over outgoing $type relationships, with creation order
// (the store orders them as the embedded store does: by neighbour, then by relationship).
// While a load in parts runs (the meta node's `loading` marker), the graph reads as it was
// before the load: empty.
OPTIONAL MATCH (meta:_Meta {name: 'graph'})
WITH meta WHERE meta.loading IS NULL
UNWIND range(0, size($ids) - 1) AS i
MATCH (:_Node {_id: $ids[i]})-[r]->(m:_Node)
WHERE type(r) = $type
RETURN i, m._id AS id, properties(m) AS node, properties(r) AS rel, r._seq AS seq

// Nodes of one label ($prefix = "Label:") in creation order: the next $limit after $after.
// While a load in parts runs (the meta node's `loading` marker), the graph reads as it was
// before the load: empty.
OPTIONAL MATCH (meta:_Meta {name: 'graph'})
WITH meta WHERE meta.loading IS NULL
MATCH (n:_Node)
WHERE n._id STARTS WITH $prefix AND n._seq > $after
RETURN n._seq AS seq, properties(n) AS props
ORDER BY n._seq
LIMIT $limit

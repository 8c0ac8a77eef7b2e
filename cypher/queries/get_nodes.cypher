// The properties of each node id (null where there is none), with its position in $ids.
// While a load in parts runs (the meta node's `loading` marker) nodes read as before the load
// (none), except inside that load's own transactions ($loading: its marker, else null).
OPTIONAL MATCH (meta:_Meta {name: 'graph'})
WITH meta WHERE meta.loading IS NULL OR meta.loading = $loading
UNWIND range(0, size($ids) - 1) AS i
OPTIONAL MATCH (n:_Node {_id: $ids[i]})
RETURN i, properties(n) AS props

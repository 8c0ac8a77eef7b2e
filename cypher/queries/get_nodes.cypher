// The properties of each node id (null where there is none), with its position in $ids.
UNWIND range(0, size($ids) - 1) AS i
OPTIONAL MATCH (n:_Node {_id: $ids[i]})
RETURN i, properties(n) AS props

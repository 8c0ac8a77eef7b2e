// The projection for algorithms: one record per graph node in creation order (the `_seq`
// index gives the order: no sort), with its id, its properties and its outgoing relationships
// to graph nodes as [target id, key (`_key`, or the type alone), properties, `_seq`]. Streamed:
// no global collect, so Neo4j's heap stays flat at any size; the client puts the relationships
// in creation order by `_seq`. (While a load in parts runs the store does not run it: the
// graph then reads as it was before the load, empty.)
MATCH (n:_Node)
WHERE n._seq IS NOT NULL
WITH n ORDER BY n._seq
RETURN n._id AS id, properties(n) AS props, COLLECT {
  MATCH (n)-[r]->(b:_Node)
  RETURN [b._id, coalesce(r._key, type(r)), properties(r), r._seq]
} AS rels

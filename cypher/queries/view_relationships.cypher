// The projection for algorithms, part 2: every relationship between graph nodes in creation
// order, with its identity key (`_key`, or the type alone).
MATCH (a:_Node)-[r]->(b:_Node)
RETURN a._id AS source, b._id AS target, coalesce(r._key, type(r)) AS key,
       properties(r) AS props
ORDER BY r._seq

// The projection for algorithms, part 2: every relationship between graph nodes in creation
// order, as [source id, target id, key (`_key`, or the type alone), properties], in records of
// up to $chunk.
MATCH (a:_Node)-[r]->(b:_Node)
WITH a, r, b ORDER BY r._seq
WITH collect([a._id, b._id, coalesce(r._key, type(r)), properties(r)]) AS rels
UNWIND range(0, size(rels) - 1, $chunk) AS start
RETURN rels[start..start + $chunk] AS chunk

// The projection for algorithms, part 1: every graph node in creation order, as records of up
// to $chunk [id, properties] pairs (a few large records read far faster than many small ones).
MATCH (n:_Node)
WITH n ORDER BY n._seq
WITH collect([n._id, properties(n)]) AS nodes
UNWIND range(0, size(nodes) - 1, $chunk) AS start
RETURN nodes[start..start + $chunk] AS chunk

// The projection for algorithms, part 1: every graph node in creation order, with the version
// read in the same transaction (read again after part 2 to detect a concurrent write).
MATCH (n:_Node)
RETURN n._id AS id, properties(n) AS props
ORDER BY n._seq

// Nodes of one label ($prefix = "Label:") in creation order: the next $limit after $after.
MATCH (n:_Node)
WHERE n._id STARTS WITH $prefix AND n._seq > $after
RETURN n._seq AS seq, properties(n) AS props
ORDER BY n._seq
LIMIT $limit

// Audit entries after $after, oldest first, at most $limit.
// While a load in parts runs (the meta node's `loading` marker), the graph reads as it was
// before the load: empty.
OPTIONAL MATCH (meta:_Meta {name: 'graph'})
WITH meta WHERE meta.loading IS NULL
MATCH (a:_Audit)
WHERE a.seq > $after
RETURN a.entry AS entry
ORDER BY a.seq
LIMIT $limit

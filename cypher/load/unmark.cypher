// Remove the marker $token of a load in parts once its writes are erased (the graph is then
// as it was before the load: empty, at the same version).
MATCH (m:_Meta {name: 'graph'})
WHERE m.loading = $token
REMOVE m.loading, m.loading_by, m.loading_since, m.loading_at

// The store's version: one more with every applied batch or bulk load.
OPTIONAL MATCH (m:_Meta {name: 'graph'})
RETURN coalesce(m.version, 0) AS version

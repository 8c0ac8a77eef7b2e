// Full-text search (CJK analyzer) over names, titles and descriptions: the best $limit nodes.
// While a load in parts runs (the meta node's `loading` marker), the graph reads as it was
// before the load: empty.
OPTIONAL MATCH (meta:_Meta {name: 'graph'})
WITH meta WHERE meta.loading IS NULL
CALL db.index.fulltext.queryNodes('search', $text, {limit: $limit}) YIELD node, score
RETURN node._id AS id, properties(node) AS props, score

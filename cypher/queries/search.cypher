// Full-text search (CJK analyzer) over names, titles and descriptions: the best $limit nodes.
CALL db.index.fulltext.queryNodes('search', $text, {limit: $limit}) YIELD node, score
RETURN node._id AS id, properties(node) AS props, score

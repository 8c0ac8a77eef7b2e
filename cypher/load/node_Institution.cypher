// Upsert Institution nodes: graphsvc's ["N", label, key, props, replace] writes, in batch order.
// Generated from graphsvc/ontology.py by tests/neo4j/cypher_gen.py: do not edit by hand.
// $rows: [{key, id, props, replace, seq}]; `replace` drops the properties not given, else
// they merge. `_id` ("Institution:key") and `_seq` (creation order) are store-internal.
UNWIND $rows AS row
MERGE (n:Institution {key: row.key})
WITH n, row, coalesce(n._seq, row.seq) AS seq
FOREACH (_ IN CASE WHEN row.replace THEN [1] ELSE [] END | SET n = row.props)
SET n += row.props
SET n:_Node, n.key = row.key, n._id = row.id, n._seq = seq

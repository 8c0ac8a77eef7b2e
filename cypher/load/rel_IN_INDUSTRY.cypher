// Upsert IN_INDUSTRY relationships, one between two nodes; its properties are replaced.
// Generated from graphsvc/ontology.py by tests/neo4j/cypher_gen.py: do not edit by hand.
// $rows: [{source, target, ident, props, seq}] with node ids "Label:key".
UNWIND $rows AS row
MATCH (a:_Node {_id: row.source})
MATCH (b:_Node {_id: row.target})
MERGE (a)-[r:IN_INDUSTRY]->(b)
WITH r, row, coalesce(r._seq, row.seq) AS seq
SET r = row.props
SET r._seq = seq

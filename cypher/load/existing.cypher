// Which of these node ids exist: the check that refuses relationships to missing nodes.
UNWIND $ids AS id
MATCH (n:_Node {_id: id})
RETURN n._id AS id

// Delete nodes' outgoing relationships of one type: graphsvc's ["X", label, key, type, "out"].
// $type: the relationship type; $ids: node ids "Label:key" (a missing node is no error).
UNWIND $ids AS id
MATCH (:_Node {_id: id})-[r]->()
WHERE type(r) = $type
DELETE r

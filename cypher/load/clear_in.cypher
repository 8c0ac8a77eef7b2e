// Delete nodes' incoming relationships of one type: graphsvc's ["X", label, key, type, "in"].
// $type: the relationship type; $ids: node ids "Label:key" (a missing node is no error).
UNWIND $ids AS id
MATCH (:_Node {_id: id})<-[r]-()
WHERE type(r) = $type
DELETE r

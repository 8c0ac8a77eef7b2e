// Audit entries after $after, oldest first, at most $limit.
MATCH (a:_Audit)
WHERE a.seq > $after
RETURN a.entry AS entry
ORDER BY a.seq
LIMIT $limit

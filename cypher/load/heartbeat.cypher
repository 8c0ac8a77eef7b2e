// A load in parts is alive: refresh its marker's `loading_at` (only while the marker is its).
MATCH (m:_Meta {name: 'graph'})
WHERE m.loading = $token
SET m.loading_at = timestamp()

// Hold writers back for the rest of this (write) transaction without changing anything:
// every write locks the meta node first (load/begin), so they queue until it ends. Used to
// read the whole graph at one version when a stream of writes keeps changing it. Only a
// scratch property is written: `SET m.version = m.version` would read the version before
// taking the lock and could put back an older one.
MATCH (m:_Meta {name: 'graph'})
SET m._lock = true
REMOVE m._lock
RETURN m.version AS version

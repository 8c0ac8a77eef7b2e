// The store's version (one more with every applied batch or bulk load), and the marker of a
// load in parts if one runs or was left unfinished: its token, who runs it ("host:pid"), since
// when, and for how many milliseconds it has not been heard from.
OPTIONAL MATCH (m:_Meta {name: 'graph'})
RETURN coalesce(m.version, 0) AS version, m.loading AS loading, m.loading_by AS by,
       m.loading_since AS since, timestamp() - m.loading_at AS idle

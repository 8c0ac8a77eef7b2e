// The graph's schema in Neo4j, applied by Neo4jStore when it opens (every statement is
// idempotent). Statements end with a semicolon at the end of a line.
//
// Every node carries its ontology label and the store-internal label _Node with
// _id = "Label:key" (one index for every lookup by node id) and _seq (creation order).

// One uniqueness constraint per label on its natural key (graphsvc/ontology.py).
CREATE CONSTRAINT city_code IF NOT EXISTS FOR (n:City) REQUIRE n.code IS UNIQUE;
CREATE CONSTRAINT county_code IF NOT EXISTS FOR (n:County) REQUIRE n.code IS UNIQUE;
CREATE CONSTRAINT industry_code IF NOT EXISTS FOR (n:Industry) REQUIRE n.code IS UNIQUE;
CREATE CONSTRAINT subgroup_key IF NOT EXISTS FOR (n:Subgroup) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT institution_key IF NOT EXISTS FOR (n:Institution) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT expert_key IF NOT EXISTS FOR (n:Expert) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT enterprise_key IF NOT EXISTS FOR (n:Enterprise) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT demand_key IF NOT EXISTS FOR (n:Demand) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT achievement_key IF NOT EXISTS FOR (n:Achievement) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT training_key IF NOT EXISTS FOR (n:Training) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT keyword_key IF NOT EXISTS FOR (n:Keyword) REQUIRE n.key IS UNIQUE;

// Store-internal: node ids, the meta node (version and sequence counters), audit entries.
CREATE CONSTRAINT node_id IF NOT EXISTS FOR (n:_Node) REQUIRE n._id IS UNIQUE;
CREATE CONSTRAINT meta_name IF NOT EXISTS FOR (n:_Meta) REQUIRE n.name IS UNIQUE;
CREATE INDEX node_seq IF NOT EXISTS FOR (n:_Node) ON (n._seq);
CREATE CONSTRAINT audit_seq IF NOT EXISTS FOR (n:_Audit) REQUIRE n.seq IS UNIQUE;
CREATE CONSTRAINT audit_key IF NOT EXISTS FOR (n:_Audit) REQUIRE n.idempotency_key IS UNIQUE;

// Filters the API and operators use.
CREATE INDEX demand_status IF NOT EXISTS FOR (n:Demand) ON (n.status);
CREATE INDEX expert_commissioner IF NOT EXISTS FOR (n:Expert) ON (n.commissioner);
CREATE INDEX enterprise_benchmark IF NOT EXISTS FOR (n:Enterprise) ON (n.benchmark);
CREATE INDEX county_poverty IF NOT EXISTS FOR (n:County) ON (n.poverty_county);
CREATE INDEX served_start IF NOT EXISTS FOR ()-[r:SERVED]-() ON (r.start_on);
CREATE INDEX deal_key IF NOT EXISTS FOR ()-[r:DEAL]-() ON (r.key);

// Full-text search over names, titles and descriptions; the CJK analyzer indexes Chinese
// text as overlapping character bigrams (queries/search.cypher).
CREATE FULLTEXT INDEX search IF NOT EXISTS
FOR (n:Expert|Enterprise|Institution|Demand|Achievement|Training|Keyword|Industry|City|County)
ON EACH [n.name, n.title, n.description, n.key]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk', `fulltext.eventually_consistent`: true}};

// Every GraphQL document the page sends, in one place (docs/explorer.md lists them by view).

const HIT = `
  ... on Expert { key name }
  ... on Enterprise { key name }
  ... on Institution { key name }
  ... on Demand { key name: title }
  ... on Achievement { key name: title }
  ... on Training { key name: title }
  ... on Subgroup { key name }
  ... on Industry { key: code name }
  ... on County { key: code name }
  ... on City { key: code name }`;

export const SEARCH = `query ExplorerSearch($text: String!, $first: Int, $labels: [String!]) {
  search(text: $text, first: $first, labels: $labels) { label score matched node { ${HIT} } }
}`;

export const STATS = `query ExplorerStats { stats { version nodeCounts { label count } relationshipCounts { type count } } }`;

const PAGE = (fields) => `totalCount edges { node { ${fields} } }`;

/** One lookup per kind of entity: its key facts and neighbours (public fields only). */
export const ENTITY = {
  Expert: `query ExplorerExpert($key: String!) { entity: expert(key: $key) {
    key name title commissioner capacity currentLoad availableCapacity
    institution { key name } city { key: code name } subgroups { key name }
    industries { key: code name } keywords { key }
    collaborators(first: 15) { totalCount edges { node { kind count expert { key name } } } }
    servedEnterprises(first: 15) { ${PAGE("key name")} }
    achievements(first: 10) { ${PAGE("key name: title")} } } }`,
  Enterprise: `query ExplorerEnterprise($key: String!) { entity: enterprise(key: $key) {
    key name size highTech benchmark threeNo rdStaff rdPlatform rdSpendWan foundedYear
    county { key: code name } city { key: code name } industries { key: code name }
    demands(first: 15) { ${PAGE("key name: title status")} }
    pairings { program since institution { key name } }
    commissioners { key name } achievements { key name: title } } }`,
  Institution: `query ExplorerInstitution($key: String!) { entity: institution(key: $key) {
    key name kind size capacity city { key: code name }
    experts(first: 20) { ${PAGE("key name")} }
    pairings(first: 20) { totalCount edges { node { program enterprise { key name } } } }
    achievements(first: 10) { ${PAGE("key name: title")} } } }`,
  Demand: `query ExplorerDemand($key: String!) { entity: demand(key: $key) {
    key name: title description postedOn status budgetWan
    enterprise { key name } industries { key: code name } keywords { key } } }`,
  Achievement: `query ExplorerAchievement($key: String!) { entity: achievement(key: $key) {
    key name: title kind maturity priceWan listedOn
    owners { __typename ... on Expert { key name } ... on Institution { key name } ... on Enterprise { key name } }
    industries { key: code name } keywords { key } } }`,
  Industry: `query ExplorerIndustry($key: String!) { entity: industry(code: $key) {
    key: code name tags parent { key: code name } children { key: code name } subgroups { key name }
    experts(first: 15) { ${PAGE("key name")} } enterprises(first: 15) { ${PAGE("key name")} } } }`,
  County: `query ExplorerCounty($key: String!) { entity: county(code: $key) {
    key: code name povertyCounty city { key: code name } enterprises(first: 25) { ${PAGE("key name")} } } }`,
  City: `query ExplorerCity($key: String!) { entity: city(code: $key) {
    key: code name counties { key: code name } institutions(first: 20) { ${PAGE("key name")} }
    experts(first: 20) { ${PAGE("key name")} } } }`,
  Subgroup: `query ExplorerSubgroup($key: String!) { entity: subgroup(key: $key) {
    key name industries { key: code name } experts(first: 25) { ${PAGE("key name")} } } }`,
  Training: `query ExplorerTraining($key: String!) { entity: training(key: $key) {
    key name: title heldOn kind organizer attendees city { key: code name }
    attendances(first: 25) { totalCount edges { node { attendees enterprise { key name } } } } } }`,
  Keyword: `query ExplorerKeyword($key: String!) { entity: keyword(key: $key) {
    key experts(first: 15) { ${PAGE("key name")} } demands(first: 15) { ${PAGE("key name: title")} }
    achievements(first: 15) { ${PAGE("key name: title")} } } }`,
};

const PATHS = `paths { share nodes { key label name } relationships { type forward } }`;

export const RECOMMEND = {
  experts: `query ExplorerRecommendExperts($demand: String, $enterprise: String, $first: Int) {
    items: recommendExperts(demand: $demand, enterprise: $enterprise, first: $first) {
      score reasons ${PATHS} entity: expert { key name institution { name } } } }`,
  institutions: `query ExplorerRecommendInstitutions($enterprise: String!, $first: Int) {
    items: recommendInstitutions(enterprise: $enterprise, first: $first) {
      score reasons ${PATHS} entity: institution { key name city { name } } } }`,
  achievements: `query ExplorerRecommendAchievements($demand: String!, $first: Int) {
    items: recommendAchievements(demand: $demand, first: $first) {
      score reasons ${PATHS} entity: achievement { key name: title kind } } }`,
};

export const RECOMMEND_SOURCE = {
  Demand: `query ExplorerDemandSource($key: String!) { source: demand(key: $key) { key name: title status enterprise { name } } }`,
  Enterprise: `query ExplorerEnterpriseSource($key: String!) { source: enterprise(key: $key) { key name county { name } } }`,
};

export const OPEN_DEMANDS = `query ExplorerOpenDemands($first: Int) {
  demands(filter: { status: ["open"] }, first: $first) { edges { node { key title enterprise { key name } } } } }`;

export const CLUSTERS = `query ExplorerClusters($projection: ClusterProjection!, $resolution: Float!, $first: Int) {
  clusters(projection: $projection, resolution: $resolution, first: $first) {
    projection resolution modularity clusterCount experts edges unassignedOpenDemands
    clusters {
      id size openDemands demandExpertRatio
      ownedIndustries { code name }
      topIndustries { experts industry { code name } }
      topCounties { enterprises county { code name } }
      topInstitutions { experts institution { key name } }
      topExperts { strength expert { key name industries { code } } }
    } } }`;

export const GAPS = `query ExplorerGaps($first: Int) { coverage {
  industryGaps(first: $first) { rank code openDemands experts commissioners pressure industry { name } } } }`;

export const COVERAGE = `query ExplorerCoverage { coverage {
  asOf enterprises benchmarkTotal benchmarkPaired pairingCoverage
  countiesTotal countiesWithCommissioner commissionerCoverage
  povertyCountiesTotal povertyCountiesWithCommissioner povertyCommissionerCoverage
  povertyCountiesServed povertyServedCoverage threeNoTotal threeNoBenchmark threeNoShare
  countiesWithoutCommissioner(first: 100) { code }
  countyGaps(first: 100) { code openDemands experts commissioners pressure } } }`;

export const COUNTIES = `query ExplorerCounties($first: Int, $after: String) {
  counties(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { code name povertyCounty city { code name } } } } }`;

export const BENCHMARKS = `query ExplorerBenchmarks($first: Int, $after: String) {
  enterprises(filter: { benchmark: true }, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { key county { code } pairings { program } commissioners { key } } } } }`;

export const THREE_NO = `query ExplorerThreeNo($first: Int, $after: String) {
  enterprises(filter: { threeNo: true }, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { key name size benchmark county { code name } city { name }
      industries { name } pairings { program } commissioners { key } } } } }`;

export const BROKERS = `query ExplorerBrokers($first: Int) {
  brokers(first: $first) { rank key score degree strength expert { name institution { name } } } }`;

export const NETWORK = `query ExplorerNetwork($expert: String!, $depth: Int!, $first: Int) {
  collaborationNetwork(expert: $expert, depth: $depth, first: $first) {
    centerKey depth reachable truncated
    nodes { key name depth strength degree }
    edges { source target weight kind } } }`;

export const COLLABORATION_PATH = `query ExplorerCollaborationPath($from: String!, $to: String!, $maxHops: Int!) {
  collaborationPath(from: $from, to: $to, maxHops: $maxHops) {
    length distance experts { key name institution { name } } ties { source target kind weight } } }`;

const PLAN_FIELDS = `kind mode version startOn termEnd totalFit kept assignmentCount unassignedCount
  coverage { total before after shareBefore shareAfter counties { code name total before after } }
  assignments(first: 100) { score round reasons
    enterprise { key name county { name } } institution { key name } expert { key name } }
  unassigned(first: 100) { code reason enterprise { key name county { name } } }`;

/** A plan, computed and shown before anyone commits it (planner role). */
export const PLAN = {
  PAIRING: `query ExplorerPlanPairing($mode: PlanMode!, $remove: [String!]) {
    plan: planPairing(mode: $mode, remove: $remove) { ${PLAN_FIELDS} } }`,
  COMMISSIONERS: `query ExplorerPlanCommissioners($mode: PlanMode!, $remove: [String!]) {
    plan: planCommissioners(mode: $mode, remove: $remove) { ${PLAN_FIELDS} } }`,
};

const CHANGE = "code name total base variant change";

/** What-if: the plan without the removed keys against the plan with them. */
export const PLAN_WHAT_IF = `query ExplorerPlanWhatIf($kind: PlanKind!, $mode: PlanMode!, $remove: [String!]) {
  planWhatIf(kind: $kind, base: { mode: $mode }, variant: { mode: $mode, remove: $remove }) {
    total baseCovered variantCovered change baseFit variantFit moved
    counties { ${CHANGE} } industries { ${CHANGE} } } }`;

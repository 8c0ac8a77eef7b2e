// How each kind of node is drawn: one colour and shape per label, and community colours.

export const KINDS = {
  Expert: { color: "#2563eb", shape: "ellipse" },
  Enterprise: { color: "#ea580c", shape: "round-rectangle" },
  Institution: { color: "#7c3aed", shape: "hexagon" },
  Demand: { color: "#dc2626", shape: "diamond" },
  Achievement: { color: "#16a34a", shape: "star" },
  Industry: { color: "#0891b2", shape: "rectangle" },
  Keyword: { color: "#64748b", shape: "ellipse" },
  City: { color: "#a16207", shape: "triangle" },
  County: { color: "#ca8a04", shape: "triangle" },
  Subgroup: { color: "#db2777", shape: "octagon" },
  Training: { color: "#4d7c0f", shape: "vee" },
};

/** Twelve colours that stay apart; community i gets COMMUNITY_COLORS[i % 12]. */
export const COMMUNITY_COLORS = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
  "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#ad494a",
];

export function communityColor(id) {
  return COMMUNITY_COLORS[((id % COMMUNITY_COLORS.length) + COMMUNITY_COLORS.length) % COMMUNITY_COLORS.length];
}

/** The node id used in every drawing: "Label:key". */
export function nodeId(label, key) {
  return `${label}:${key}`;
}

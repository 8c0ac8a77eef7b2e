// Run by benchmarks/explorer.py in the explorer page: build a synthetic graph of clusters of
// experts and industries, draw it with the page's own graph module, then time pan and zoom
// steps until each frame is drawn. Resolves to { draw, steps, nodes, edges, webgl } (ms).
(async ({ nodes: total, frames, renderer }) => {
  const { drawGraph, graphNode, graphEdge } = await import("./js/graph.js");
  const { clusterLayout } = await import("./js/views/clusters.js");
  const { communityColor } = await import("./js/kinds.js");
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const perCluster = 100;
  const clusters = Math.ceil(total / perCluster);
  const groups = [];
  const nodes = [];
  const edges = [];
  for (let c = 0; c < clusters; c++) {
    const group = { inner: [], outer: [] };
    const size = Math.min(perCluster, total - c * perCluster);
    for (let i = 0; i < size; i++) {
      const industry = i < 10;
      const id = `${industry ? "Industry" : "Expert"}:${c}-${i}`;
      (industry ? group.inner : group.outer).push(id);
      nodes.push(graphNode({ id, label: industry ? "Industry" : "Expert", key: `${c}-${i}`,
        name: `${industry ? "产业" : "专家"} ${c}-${i}`, color: communityColor(c), cluster: c }));
      if (!industry) {
        edges.push(graphEdge({ source: id, target: group.inner[Math.floor(random() * 10)], type: "EXPERT_IN" }));
        const other = random() < 0.9 ? c : Math.floor(random() * clusters);
        const peer = Math.min(10 + Math.floor(random() * (perCluster - 10)), total - other * perCluster - 1);
        if (peer >= 10) edges.push(graphEdge({ source: id, target: `Expert:${other}-${peer}`, type: "COLLABORATES_WITH" }));
      }
    }
    groups.push(group);
  }
  const positions = clusterLayout(groups);
  nodes.forEach((n) => (n.position = positions.get(n.data.id)));
  const container = document.createElement("div");
  container.style.cssText = "position:fixed;left:0;top:0;width:1200px;height:800px;background:#fff;z-index:99";
  document.body.append(container);
  // cytoscape draws in its own requestAnimationFrame loop, registered before ours: once our
  // callback runs, the frame holding the change has been drawn (the WebGL renderer emits no
  // "render" event, so frames are what both renderers are timed by).
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const started = performance.now();
  const cy = drawGraph(container, { name: "bench", nodes, edges, layout: "preset", renderer });
  await frame();
  await frame();
  const draw = performance.now() - started;
  const steps = [];
  for (let i = 0; i < frames; i++) {
    const t0 = performance.now();
    if (i % 2 === 0) cy.panBy({ x: 9, y: -5 });
    else cy.zoom({ level: cy.zoom() * (i % 4 === 1 ? 1.08 : 1 / 1.08), renderedPosition: { x: 600, y: 400 } });
    await frame();
    steps.push(performance.now() - t0);
  }
  const result = { draw, steps, nodes: cy.nodes().length, edges: cy.edges().length,
    webgl: !!cy.renderer().webgl };
  cy.destroy();
  container.remove();
  return result;
})

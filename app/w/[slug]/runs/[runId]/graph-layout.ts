/**
 * A longest-path layered layout for a task DAG, dependency-free: each task sits one layer right
 * of its deepest upstream; within a layer tasks are ordered by the mean position of their
 * upstreams (one barycentre pass), which keeps most edges from crossing in the usual
 * fan-out/fan-in shapes flows have. Edges to ids outside the set are ignored; a cycle (which a
 * flow cannot produce) is cut where it is found.
 */
export type LayoutNode = { id: string; x: number; y: number; layer: number };
export type LayoutEdge = { from: string; to: string; points: [number, number, number, number] };

export const NODE_W = 168;
export const NODE_H = 48;
const GAP_X = 72;
const GAP_Y = 20;
const PAD = 16;

export function layoutDag(items: { id: string; upstream: string[] }[]) {
  const byId = new Map(items.map((n) => [n.id, n]));
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const ups = byId.get(id)!.upstream.filter((u) => byId.has(u));
    const d = ups.length ? 1 + Math.max(...ups.map(depth)) : 0;
    visiting.delete(id);
    layer.set(id, d);
    return d;
  };
  items.forEach((n) => depth(n.id));

  const layers: string[][] = [];
  items.forEach((n) => (layers[layer.get(n.id)!] ??= []).push(n.id));
  const row = new Map<string, number>();
  layers.forEach((ids, li) => {
    if (li > 0) {
      const score = (id: string) => {
        const ups = byId.get(id)!.upstream.filter((u) => row.has(u));
        return ups.length ? ups.reduce((s, u) => s + row.get(u)!, 0) / ups.length : Number.MAX_SAFE_INTEGER;
      };
      const order = new Map(ids.map((id, i) => [id, i]));
      ids.sort((a, b) => score(a) - score(b) || order.get(a)! - order.get(b)!);
    }
    ids.forEach((id, i) => row.set(id, i));
  });

  const tallest = Math.max(1, ...layers.map((l) => l.length));
  const height = PAD * 2 + tallest * NODE_H + (tallest - 1) * GAP_Y;
  const nodes = new Map<string, LayoutNode>();
  layers.forEach((ids, li) => {
    const offset = (height - (ids.length * NODE_H + (ids.length - 1) * GAP_Y)) / 2;
    ids.forEach((id, i) => nodes.set(id, { id, layer: li, x: PAD + li * (NODE_W + GAP_X), y: offset + i * (NODE_H + GAP_Y) }));
  });
  const edges: LayoutEdge[] = [];
  for (const n of items) {
    const to = nodes.get(n.id)!;
    for (const u of n.upstream) {
      const from = nodes.get(u);
      if (from && from.layer < to.layer) edges.push({ from: u, to: n.id, points: [from.x + NODE_W, from.y + NODE_H / 2, to.x, to.y + NODE_H / 2] });
    }
  }
  const width = PAD * 2 + Math.max(1, layers.length) * NODE_W + Math.max(0, layers.length - 1) * GAP_X;
  return { nodes, edges, width, height };
}

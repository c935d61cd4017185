/**
 * What grew between two V8 heap snapshots (`.heapsnapshot`, e.g. the soak's in
 * bench/results/heap/): objects and bytes per constructor (strings, arrays and
 * closures by type), largest growth first.
 *
 *   npx tsx bench/heap-diff.ts before.heapsnapshot after.heapsnapshot [rows] [class]
 *
 * With a class (e.g. `string`, `object Object`), its bytes are summed by what
 * holds them (holder class and property), to find who keeps them.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

interface Totals {
  count: number;
  bytes: number;
}

/**
 * Sums self sizes per class: `Object` constructors by name, everything else by
 * node type. With `retainedBy`, the nodes of that class are summed by what
 * holds them instead (the holder's class and the edge's name).
 */
export function summarize(file: string, retainedBy?: string): Map<string, Totals> {
  const heap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const edgeCountAt = fields.indexOf('edge_count');
  const classOf = (i: number): string => {
    const type = types[heap.nodes[i + typeAt]];
    return type === 'object' || type === 'closure' ? `${type} ${heap.strings[heap.nodes[i + nameAt]]}` : type;
  };
  const totals = new Map<string, Totals>();
  const add = (key: string, bytes: number): void => {
    const entry = totals.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += bytes;
    totals.set(key, entry);
  };
  if (retainedBy === undefined) {
    for (let i = 0; i < heap.nodes.length; i += width) add(classOf(i), heap.nodes[i + sizeAt]);
    return totals;
  }
  const edgeFields = heap.snapshot.meta.edge_fields;
  const edgeTypes = heap.snapshot.meta.edge_types[0];
  const edgeWidth = edgeFields.length;
  const edgeTypeAt = edgeFields.indexOf('type');
  const edgeNameAt = edgeFields.indexOf('name_or_index');
  const toAt = edgeFields.indexOf('to_node');
  let edge = 0;
  for (let i = 0; i < heap.nodes.length; i += width) {
    const holder = classOf(i);
    for (let e = 0; e < heap.nodes[i + edgeCountAt]; e++, edge += edgeWidth) {
      const to = heap.edges[edge + toAt];
      if (classOf(to) !== retainedBy) continue;
      const kind = edgeTypes[heap.edges[edge + edgeTypeAt]];
      if (kind === 'weak') continue;
      const name = kind === 'element' || kind === 'hidden' ? '[]' : heap.strings[heap.edges[edge + edgeNameAt]];
      add(`${holder} .${name}`, heap.nodes[to + sizeAt]);
    }
  }
  return totals;
}

function main(): void {
  const [before, after, rows = '25', retainedBy] = process.argv.slice(2);
  if (!before || !after) {
    console.error('usage: tsx bench/heap-diff.ts before.heapsnapshot after.heapsnapshot [rows] [retained class]');
    process.exit(2);
  }
  const a = summarize(before, retainedBy);
  const b = summarize(after, retainedBy);
  const keys = new Set([...a.keys(), ...b.keys()]);
  const diff = [...keys].map((key) => {
    const x = a.get(key) ?? { count: 0, bytes: 0 };
    const y = b.get(key) ?? { count: 0, bytes: 0 };
    return { key, count: y.count - x.count || y.count, bytes: y.bytes - x.bytes, total: y.bytes };
  });
  diff.sort((p, q) => q.bytes - p.bytes || q.total - p.total);
  const total = (m: Map<string, Totals>) => [...m.values()].reduce((s, t) => s + t.bytes, 0);
  const mib = (n: number) => (n / 2 ** 20).toFixed(2);
  console.log(`heap ${mib(total(a))} MiB → ${mib(total(b))} MiB`);
  console.log('Δ MiB     Δ objects   MiB after  class');
  for (const row of diff.slice(0, Number(rows)))
    console.log(
      `${mib(row.bytes).padStart(8)}  ${String(row.count).padStart(10)}  ${mib(row.total).padStart(9)}  ${row.key}`,
    );
}

if (import.meta.url === `file://${process.argv[1]}`) main();

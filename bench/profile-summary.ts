/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`, or a bench run with BENCH_PROFILE_DIR) as a table of the functions
 * with the most self time, in % of the samples taken while the process was busy (idle samples left out, their share
 * printed above the table), plus the inclusive share of a few named frames the caller asks about.
 *   node dist/bench/profile-summary.js <file.cpuprofile> [top=15] [frame names to show inclusive %, comma-separated]
 * Prints the table, then one JSON line `{ busy_samples, idle_pct, top: [{ fn, where, self_pct }], inclusive: {…} }`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { printTable } from './support.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

const [file, topArg, namesArg] = process.argv.slice(2);
const TOP = Number(topArg ?? 15);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** `name (package or file:line)`, short enough for a table. */
function label(n: ProfileNode): { fn: string; where: string } {
  const { functionName, url, lineNumber } = n.callFrame;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  const where = pkg ?? (url ? `${url.replace(/^.*\/(dist|node:)/, '$1').replace(/^file:\/\//, '')}:${lineNumber + 1}` : '');
  return { fn: functionName || '(anonymous)', where };
}

const counts = new Map<number, number>();
for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
let idle = 0;
let busy = 0;
const self = new Map<string, { fn: string; where: string; n: number }>();
const names = (namesArg ?? '').split(',').filter(Boolean);
const inclusive = new Map<string, number>(names.map((n) => [n, 0]));
for (const [id, n] of counts) {
  const node = byId.get(id)!;
  if (node.callFrame.functionName === '(idle)') {
    idle += n;
    continue;
  }
  busy += n;
  const l = label(node);
  const key = `${l.fn}|${l.where}`;
  const entry = self.get(key) ?? { ...l, n: 0 };
  entry.n += n;
  self.set(key, entry);
  // Inclusive: count the sample once for each asked-for name found on its stack.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const fn = byId.get(cur)!.callFrame.functionName;
    if (inclusive.has(fn) && !seen.has(fn)) {
      seen.add(fn);
      inclusive.set(fn, inclusive.get(fn)! + n);
    }
  }
}
const pct = (n: number): number => Math.round((n / busy) * 1000) / 10;
const top = [...self.values()].sort((a, b) => b.n - a.n).slice(0, TOP);
process.stdout.write(`${basename(file)}: ${busy} busy samples, idle ${Math.round((idle / (idle + busy)) * 100)} % of all\n`);
printTable(['self %', 'function', 'where'], top.map((t) => [pct(t.n), t.fn, t.where]));
if (names.length) printTable(['inclusive %', 'frame'], names.map((n) => [pct(inclusive.get(n)!), n]));
process.stdout.write(
  JSON.stringify({
    busy_samples: busy,
    idle_pct: Math.round((idle / (idle + busy)) * 1000) / 10,
    top: top.map((t) => ({ fn: t.fn, where: t.where, self_pct: pct(t.n) })),
    inclusive: Object.fromEntries(names.map((n) => [n, pct(inclusive.get(n)!)])),
  }) + '\n',
);

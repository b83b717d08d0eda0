/** Shared by the benchmarks: a fixed-width table and the one-line JSON summary every bench ends with. */
export function printTable(headers: string[], rows: (string | number)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  for (const [n, row] of cells.entries()) {
    process.stdout.write(row.map((c, i) => String(c).padEnd(widths[i])).join('  ') + '\n');
    if (n === 0) process.stdout.write(widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
  }
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2);
}

export interface BenchSummary {
  bench: string;
  metric: string;
  ours: number;
  reference: number;
  [extra: string]: unknown;
}

/** The last line of every bench: one JSON object, ratio = ours / reference. */
export function printSummary(summary: BenchSummary): void {
  const ratio = summary.reference === 0 ? null : Math.round((summary.ours / summary.reference) * 1000) / 1000;
  const { bench, metric, ours, reference, ...rest } = summary;
  process.stdout.write(JSON.stringify({ bench, metric, ours: round(ours), reference: round(reference), ratio, ...rest }) + '\n');
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

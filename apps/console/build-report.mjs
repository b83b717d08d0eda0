// After `vite build`: writes a .gz beside every text asset (the auth app serves it to browsers that accept gzip)
// and reports the first load's compressed JavaScript — the entry chunk and its static imports, not the screens
// loaded on demand — from Vite's manifest. Prints one table and a last JSON line; keeps it in build-report.json.
import { gzipSync } from 'node:zlib';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../../dist/console', import.meta.url));
const BUDGET_BYTES = 500 * 1024;

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

const gzSize = new Map();
for (const file of walk(dist)) {
  if (!['.js', '.css', '.html', '.svg', '.json'].includes(extname(file)) || file.includes('.vite')) continue;
  const gz = gzipSync(readFileSync(file), { level: 9 });
  writeFileSync(`${file}.gz`, gz);
  gzSize.set(relative(dist, file), gz.length);
}

const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8'));
const firstLoad = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || firstLoad.has(chunk.file)) return;
  firstLoad.add(chunk.file);
  for (const imported of chunk.imports ?? []) visit(imported);
};
visit('index.html');
const firstLoadJs = [...firstLoad].filter((f) => f.endsWith('.js'));
const firstLoadBytes = firstLoadJs.reduce((sum, f) => sum + (gzSize.get(f) ?? 0), 0);
const allJs = [...gzSize].filter(([f]) => f.endsWith('.js'));
const report = {
  firstLoadJsGzipBytes: firstLoadBytes,
  firstLoadJsFiles: firstLoadJs.length,
  lazyChunks: allJs.length - firstLoadJs.length,
  allJsGzipBytes: allJs.reduce((sum, [, n]) => sum + n, 0),
  budgetBytes: BUDGET_BYTES,
};
writeFileSync(join(dist, 'build-report.json'), `${JSON.stringify(report, null, 2)}\n`);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
process.stdout.write(
  `console build: first load ${kb(firstLoadBytes)} gzip JS in ${firstLoadJs.length} files (budget ${kb(BUDGET_BYTES)}); ` +
    `${report.lazyChunks} lazy chunks; all JS ${kb(report.allJsGzipBytes)} gzip\n${JSON.stringify(report)}\n`,
);
if (firstLoadBytes > BUDGET_BYTES) {
  process.stderr.write(`first-load JavaScript ${kb(firstLoadBytes)} is over the ${kb(BUDGET_BYTES)} budget\n`);
  process.exit(1);
}

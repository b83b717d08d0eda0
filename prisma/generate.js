// `prisma generate` with the prisma-client generator needs no engine, but the CLI still looks for a
// schema-engine binary and tries to download one. Pointing it at any executable stops that; it is never run.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const candidate = ['/bin/true', '/usr/bin/true'].find((p) => existsSync(p)) ?? process.execPath;
  env.PRISMA_SCHEMA_ENGINE_BINARY = candidate;
}
execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'generate', '--schema', 'prisma/schema.prisma'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env,
});

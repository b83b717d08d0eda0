// Applies prisma/migrations to DIRECT_DATABASE_URL or DATABASE_URL (creating the database first if needed), without the Prisma
// CLI's native schema engine, which cannot be downloaded everywhere: the engine's WebAssembly build drives
// PostgreSQL through the pg driver adapter. It writes the standard `_prisma_migrations` table, so
// `prisma migrate deploy` stays valid on machines that do have the binary.
//
//   node prisma/migrate.js                 apply pending migrations
//   node prisma/migrate.js --create NAME   write a new migration from the schema change (does not apply it)
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { createRequire } from 'node:module';
import * as engineGlue from '@prisma/schema-engine-wasm/schema_engine_bg';

const here = dirname(fileURLToPath(import.meta.url));
const schemaPath = join(here, 'schema.prisma');
const migrationsDir = join(here, 'migrations');
const LOCKFILE = 'migration_lock.toml';
/** schema.prisma as of the newest migration; `--create` diffs from it. */
const SNAPSHOT = 'schema.snapshot.prisma';

/**
 * DIRECT_DATABASE_URL when set, else DATABASE_URL: behind PgBouncer in transaction mode, DATABASE_URL points at the
 * pooler and migrations (DDL, a session of their own) must go straight to PostgreSQL.
 */
function databaseUrl() {
  const envFile = resolve(process.cwd(), '.env');
  if (!process.env.DATABASE_URL && !process.env.DIRECT_DATABASE_URL && existsSync(envFile)) process.loadEnvFile(envFile);
  return process.env.DIRECT_DATABASE_URL || process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/wecom_isv';
}

async function adminQuery(url, fn) {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client, decodeURIComponent(new URL(url).pathname.slice(1)));
  } finally {
    await client.end();
  }
}

const quoteIdent = (name) => `"${name.replace(/"/g, '""')}"`;

async function ensureDatabase(url) {
  await adminQuery(url, async (client, name) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
      process.stdout.write(`created database ${name}\n`);
    } catch (err) {
      // Two processes may race to create it; the loser sees duplicate_database.
      if (err.code !== '42P04') throw err;
    }
  });
}

function migrationsList() {
  const dirs = existsSync(migrationsDir)
    ? readdirSync(migrationsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  const lockPath = join(migrationsDir, LOCKFILE);
  return {
    baseDir: migrationsDir,
    lockfile: { path: LOCKFILE, content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: dirs.map((name) => {
      const file = join(migrationsDir, name, 'migration.sql');
      return {
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: existsSync(file) ? { tag: 'ok', value: readFileSync(file, 'utf8') } : { tag: 'error', value: 'missing migration.sql' },
        },
      };
    }),
  };
}

// The package's entry imports its .wasm file as a module, which only bundlers do; instantiate it here instead.
async function loadSchemaEngine() {
  const require = createRequire(import.meta.url);
  const wasmPath = join(dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
  const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), { './schema_engine_bg.js': engineGlue });
  engineGlue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return engineGlue.SchemaEngine;
}

async function withEngine(url, fn) {
  const SchemaEngine = await loadSchemaEngine();
  const schema = readFileSync(schemaPath, 'utf8');
  const adapter = bindMigrationAwareSqlAdapterFactory(
    new PrismaPg({ connectionString: url, max: 2, connectionTimeoutMillis: 10_000 }),
  );
  const engine = await SchemaEngine.new({ datamodels: [[schemaPath, schema]] }, () => {}, adapter);
  try {
    return await fn(engine, schema);
  } finally {
    engine.free();
  }
}

const filters = { externalTables: [], externalEnums: [] };

async function apply(url) {
  await ensureDatabase(url);
  const { appliedMigrationNames } = await withEngine(url, (engine) =>
    engine.applyMigrations({ migrationsList: migrationsList(), filters }),
  );
  const what = appliedMigrationNames.length ? appliedMigrationNames.join(', ') : 'none pending';
  process.stdout.write(`migrations applied: ${what}\n`);
}

// The WebAssembly engine can neither make a shadow database nor describe a live one, so a new migration is the
// diff between two schema files: the snapshot of what the committed migrations produce, and schema.prisma.
async function create(url, name) {
  await ensureDatabase(url);
  const snapshotPath = join(migrationsDir, SNAPSHOT);
  const schema = readFileSync(schemaPath, 'utf8');
  const script = await withEngine(url, async (engine) => {
    const diff = await engine.diff({
      from: existsSync(snapshotPath)
        ? { tag: 'schemaDatamodel', files: [{ path: snapshotPath, content: readFileSync(snapshotPath, 'utf8') }] }
        : { tag: 'empty' },
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
      script: true,
      exitCode: null,
      filters,
    });
    return diff.stdout ?? '';
  });
  if (!script.trim() || script.includes('-- This is an empty migration.')) {
    process.stdout.write('schema and migrations agree: nothing to create\n');
    return;
  }
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = join(migrationsDir, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'migration.sql'), script);
  writeFileSync(snapshotPath, schema);
  const lockPath = join(migrationsDir, LOCKFILE);
  if (!existsSync(lockPath)) {
    writeFileSync(lockPath, '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n');
  }
  process.stdout.write(`created ${dir}\n`);
}

const args = process.argv.slice(2);
const createAt = args.indexOf('--create');
const url = databaseUrl();
try {
  if (createAt >= 0) {
    const name = args[createAt + 1];
    if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error('--create needs a name of [a-z0-9_]');
    await create(url, name);
  } else {
    await apply(url);
  }
} catch (err) {
  process.stderr.write(`db:migrate failed: ${err?.message ?? err}\n`);
  process.exit(1);
}

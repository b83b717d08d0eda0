import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { PrismaService, SecretCipher } from '@app/store';
import { TEST_DATABASE_URL, TEST_SECRET_KEY } from './env.js';

export function testPrisma(url = TEST_DATABASE_URL): PrismaService {
  return new PrismaService({ url, poolSize: 4 });
}

export function testCipher(oldKeys: Buffer[] = []): SecretCipher {
  return new SecretCipher(TEST_SECRET_KEY, oldKeys);
}

/**
 * A database of its own, migrated, for a test whose worker walks every tenant it finds (start-up reconciliation):
 * in the shared test database that walk includes every earlier suite's tenants, whose refreshes against this
 * test's simulator fail and crowd the refresh queue. Returns its URL (`<test database>_<suffix>`, recreated).
 */
export async function freshTestDatabase(suffix: string): Promise<string> {
  const url = new URL(TEST_DATABASE_URL);
  const name = `${url.pathname.slice(1)}_${suffix}`;
  const admin = new URL(TEST_DATABASE_URL);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  url.pathname = `/${name}`;
  execFileSync(process.execPath, ['prisma/migrate.js'], { env: { ...process.env, DATABASE_URL: url.toString() }, stdio: ['ignore', 'ignore', 'inherit'] });
  return url.toString();
}

import { randomBytes } from 'node:crypto';

/** One database per test run, created fresh by the global setup; tests keep apart by unique suite ids. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/wecom_isv_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** A fixed key for the run, so every process a test starts can open what another sealed. */
export const TEST_SECRET_KEY = Buffer.alloc(32, 0x5e);

/** A short random id, for suite ids, key prefixes and the like. */
export function uniqueId(prefix: string): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

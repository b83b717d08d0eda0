/**
 * Round trips per request, the figure a loaded machine does not move: Redis commands (by name) seen by MONITOR on the
 * bench's Redis database, and PostgreSQL transactions (committed + rolled back; each statement outside a transaction
 * is one) of the bench's database from pg_stat_database, read over a connection to another database so the reading
 * does not count itself.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';

export interface RoundTrips {
  redisCommands: number;
  /** commands by name, most frequent first */
  redisByCommand: Record<string, number>;
  sqlTransactions: number;
}

/** Backends flush their counts to pg_stat_database when idle, at the latest after 10 s (PGSTAT_IDLE_INTERVAL, PostgreSQL 15+). */
const STATS_FLUSH_MS = 11_000;

/** Runs `work` and counts what the processes under test sent to Redis db `redisUrl` and to `databaseUrl` meanwhile. */
export async function countRoundTrips(redisUrl: string, databaseUrl: string, work: () => Promise<void>): Promise<RoundTrips> {
  const db = Number(new URL(redisUrl).pathname.replace(/^\//, '') || 0);
  const database = new URL(databaseUrl).pathname.replace(/^\//, '');
  const admin = new pg.Client({ connectionString: Object.assign(new URL(databaseUrl), { pathname: '/postgres' }).toString() });
  await admin.connect();
  const transactions = async () => {
    await admin.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await admin.query<{ n: string }>('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1', [database]);
    return Number(rows[0].n);
  };
  const monitorClient = new Redis(redisUrl);
  const monitor = await monitorClient.monitor();
  // Lines still in flight when the connection closes arrive as replies nobody asked for: ioredis reports them as an
  // 'error', which would crash the bench without a listener.
  monitor.on('error', () => undefined);
  const byCommand: Record<string, number> = {};
  monitor.on('monitor', (_time: string, args: string[], _source: string, database: string) => {
    if (Number(database) !== db) return;
    const name = String(args[0]).toLowerCase();
    byCommand[name] = (byCommand[name] ?? 0) + 1;
  });
  try {
    await sleep(STATS_FLUSH_MS);
    const before = await transactions();
    for (const k of Object.keys(byCommand)) delete byCommand[k];
    await work();
    await sleep(STATS_FLUSH_MS);
    const sqlTransactions = (await transactions()) - before;
    const sorted = Object.fromEntries(Object.entries(byCommand).sort((a, b) => b[1] - a[1]));
    return { redisCommands: Object.values(byCommand).reduce((a, b) => a + b, 0), redisByCommand: sorted, sqlTransactions };
  } finally {
    monitor.removeAllListeners('monitor');
    monitor.disconnect();
    monitorClient.disconnect();
    await admin.end();
  }
}

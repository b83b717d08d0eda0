import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.js';

export interface DatabaseOptions {
  url: string;
  poolSize: number;
}

/**
 * pg's pool waits forever for a connection by default; explicit timeouts make a dead database fail fast
 * (the callback app answers 503 so that WeCom retries) instead of hanging requests. Every connection runs in UTC.
 */
function createPool(options: DatabaseOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30000,
    query_timeout: 10000,
    // Every timestamp column is `timestamp(3)` without time zone and holds UTC: Prisma writes UTC, so the SQL defaults
    // and `now()` comparisons (inbox, claims, deliveries) must be UTC too, whatever TimeZone the server or the
    // database is set to (a managed PostgreSQL in China is often Asia/Shanghai: claims would look fresh for 8 hours).
    // Awaited before the new connection is handed out; PgBouncer tracks TimeZone, so it holds in transaction mode too.
    // pg-pool (3.14, with pg 8.23) awaits the promise and drops the connection if it rejects; @types/pg declares a void return.
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    onConnect: async (client) => void (await client.query("SET TIME ZONE 'UTC'")),
  });
  // An idle connection's error (the server restarted) is emitted on the pool; unheard, it would end the process.
  // The connection is dropped from the pool, and the next query opens a new one.
  const logger = new Logger('Database');
  pool.on('error', (err) => logger.warn(`idle database connection failed: ${err.message}`));
  return pool;
}

/**
 * Prisma for every query, and its pg pool for the few statements on a hot path (the callback inbox's group-committed
 * INSERT): Prisma 7's per-query cost (query plan interpretation, result mapping) was 12 % of the callback app's busy CPU
 * under load (docs/performance-profiles.md). One pool for both, so the connection budget stays `poolSize`.
 */
@Injectable()
export class PrismaService implements OnModuleDestroy {
  readonly client: PrismaClient;
  /**
   * The pool Prisma runs on. Only single statements with unnamed prepared statements (`pool.query(text, values)`,
   * never a `name`) and no session state (no SET beyond the connection's UTC time zone set in `createPool`, no
   * LISTEN, no advisory locks), so PgBouncer in transaction mode keeps working. pg returns int8 as strings and the columns as stored.
   */
  readonly pool: pg.Pool;

  constructor(options: DatabaseOptions) {
    this.pool = createPool(options);
    this.client = new PrismaClient({ adapter: new PrismaPg(this.pool) });
  }

  async ping(): Promise<void> {
    await this.client.$queryRaw`SELECT 1`;
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.$disconnect();
    if (!this.pool.ended) await this.pool.end();
  }
}

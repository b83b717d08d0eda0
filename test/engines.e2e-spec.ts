import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { callbackEnv, loadConfig } from '@app/config';
import { RedisEvictionPolicyError } from '@app/queues';
import { AuthCorpRepository, SuiteTicketRepository } from '@app/store';
import { startCallbackApp } from '../apps/callback/src/callback.app.js';
import type { Simulator } from '../apps/wecom-sim/src/simulator.js';
import { callApi, createApiKey, startTestAuthApp } from './support/auth.js';
import { registerSuite, simControl, startTestCallbackApp, startTestSimulator, testEnv } from './support/platform.js';
import { Redis } from 'ioredis';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './support/env.js';
import { TestPgBouncer } from './support/pgbouncer.js';
import { RedisTopology, startRedisCluster, startRedisSentinel } from './support/redis-topologies.js';
import { TestRedisServer } from './support/redis-server.js';
import { testCipher, testPrisma } from './support/store.js';
import { startTestWorkerApp, TestWorker } from './support/worker.js';
import { waitFor } from './support/wait.js';

/** PostgreSQL through PgBouncer in transaction mode (the test database, migrated directly), Redis as usual. */
async function startPgBouncer(): Promise<RedisTopology> {
  const bouncer = await new TestPgBouncer().start();
  const database = new URL(TEST_DATABASE_URL).pathname.slice(1);
  return {
    env: { DATABASE_URL: bouncer.through(TEST_DATABASE_URL) },
    client: () => new Redis(TEST_REDIS_URL),
    stop: () => bouncer.stop(),
    afterFlow: async () => expect(await bouncer.transactions(database)).toBeGreaterThan(10),
  };
}

/**
 * The platform on the engines vendors run: a 3-master Redis Cluster, a Redis master found through Sentinel, and
 * PostgreSQL behind PgBouncer in transaction mode — real redis-server and pgbouncer processes. A callback goes in, the
 * worker exchanges the install's auth_code, the token API serves the corp's token: every Redis path of the three apps
 * (BullMQ, locks, the refresh index, the token cache, pub/sub) and their PostgreSQL transactions.
 */
describe.each([
  ['a 3-master Redis Cluster', startRedisCluster],
  ['Redis behind Sentinel', startRedisSentinel],
  ['PostgreSQL behind PgBouncer (transaction mode)', startPgBouncer],
])('the platform on %s', (_name, start: () => Promise<RedisTopology>) => {
  let topology: RedisTopology;
  let sim: Simulator;
  let env: Record<string, string>;
  let callback: { app: NestFastifyApplication; url: string };
  let worker: TestWorker;
  let auth: { app: NestFastifyApplication; url: string };
  const prisma = testPrisma();

  beforeAll(async () => {
    topology = await start();
    sim = await startTestSimulator();
    env = testEnv(sim.url, { ...topology.env, INBOX_SWEEP_INTERVAL_MS: '300', INBOX_SWEEP_GRACE_MS: '300' });
    callback = await startTestCallbackApp(env);
    worker = await startTestWorkerApp(env);
    auth = await startTestAuthApp(env);
  }, 120_000);

  afterAll(async () => {
    await auth?.app.close();
    await worker?.app.close();
    await callback?.app.close();
    await sim?.close();
    await prisma.onModuleDestroy();
    await topology?.stop();
  });

  it('takes an install from the callback through the worker to a served corp token', async () => {
    const suite = await registerSuite(sim, callback.url);
    const pushed = await simControl<{ suite_ticket: string }>(sim, 'POST', `/sim/suites/${suite.suiteId}/push-ticket`);
    await waitFor(async () => (await new SuiteTicketRepository(prisma, testCipher()).find(suite.suiteId))?.ticket === pushed.suite_ticket, 20_000, 'suite_ticket stored');
    const installed = await simControl<{ corp_id: string }>(sim, 'POST', `/sim/suites/${suite.suiteId}/installs`, { push_callback: true });
    const corps = new AuthCorpRepository(prisma, testCipher());
    await waitFor(async () => (await corps.find(suite.suiteId, installed.corp_id))?.status === 'active', 30_000, 'corp authorized by the worker');

    const key = await createApiKey([`suite:${suite.suiteId}`], 'topology');
    const path = `/api/v1/suites/${suite.suiteId}/corps/${installed.corp_id}/access-token`;
    const first = await callApi<{ access_token: string }>(auth.url, 'GET', path, { key });
    expect(first.status).toBe(200);
    expect(first.body.access_token).toMatch(/\S{10,}/);
    expect((await callApi<{ access_token: string }>(auth.url, 'GET', path, { key })).body.access_token).toBe(first.body.access_token);

    // The jobs went through BullMQ on this Redis: the queue's keys are there (under one hash tag on a Cluster).
    const redis = topology.client();
    try {
      const tagged = env.REDIS_CLUSTER_NODES !== undefined;
      const bull = tagged ? `{${env.REDIS_PREFIX}:bull}` : `${env.REDIS_PREFIX}:bull`;
      expect(await redis.exists(`${bull}:callback-events:meta`)).toBe(1);
      // The start-up reconciliation's marker vouches for the refresh index: it is named into the index's slot, so on
      // a Cluster it lives on the index's node and a node lost without a replica takes both (never the index alone).
      const index = `${env.REDIS_PREFIX}:refresh-due`;
      const marker = `{${index}}:reconciled`;
      await waitFor(async () => (await redis.exists(marker)) === 1, 30_000, 'reconciliation marker set');
      expect(await redis.zcard(index)).toBeGreaterThan(0);
      if (tagged) expect(await redis.cluster('KEYSLOT', marker)).toBe(await redis.cluster('KEYSLOT', index));
    } finally {
      redis.disconnect();
    }
    await topology.afterFlow?.();
    // Liveness answers without asking PostgreSQL or Redis (the Kubernetes probes, deploy/kubernetes).
    for (const url of [auth.url, callback.url, worker.url]) expect((await fetch(`${url}/health/live`)).status).toBe(200);
  });
});

describe('a Redis that may evict keys', () => {
  const server = new TestRedisServer();

  beforeAll(async () => {
    await server.start();
    const { Redis } = await import('ioredis');
    const redis = new Redis(server.url);
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    redis.disconnect();
  });

  afterAll(() => server.stop());

  it('is refused at start-up with the policy named, unless REDIS_ALLOW_EVICTION says the risk is accepted', async () => {
    const env = testEnv('http://127.0.0.1:9', { REDIS_URL: server.url });
    const refused = await startCallbackApp(loadConfig(callbackEnv, { ...env, CALLBACK_PORT: '0' })).then(
      async (app) => {
        await app.close();
        return null;
      },
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(RedisEvictionPolicyError);
    expect(String((refused as Error).message)).toContain('allkeys-lru');

    const allowed = await startTestCallbackApp({ ...env, REDIS_ALLOW_EVICTION: 'true' });
    expect((await fetch(`${allowed.url}/health`)).status).toBe(200);
    await allowed.app.close();
  });
});

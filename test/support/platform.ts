import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { callbackEnv, CallbackConfig, loadConfig } from '@app/config';
import { SuiteRepository } from '@app/store';
import { startCallbackApp } from '../../apps/callback/src/callback.app.js';
import { startSimulator, Simulator } from '../../apps/wecom-sim/src/simulator.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL, TEST_SECRET_KEY, uniqueId } from './env.js';
import { testCipher, testPrisma } from './store.js';
import { randomAesKey, SuiteFixture } from './wecom-sender.js';

/**
 * The simulator on a free port. Tests push suite_tickets on demand (`ticketIntervalSeconds` 0) unless they run long
 * enough on a fast clock to need WeCom's own schedule (600 simulated seconds; a ticket is valid 1800).
 */
export function startTestSimulator(options: { timeFactor?: number; ticketIntervalSeconds?: number } = {}): Promise<Simulator> {
  return startSimulator({ port: 0, logger: false, ticketIntervalSeconds: options.ticketIntervalSeconds ?? 0, timeFactor: options.timeFactor ?? 1 });
}

/** Environment shared by the apps a test starts: the test database, Redis under its own prefix, the simulator. */
export function testEnv(simUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: uniqueId('t'),
    SECRET_KEY: TEST_SECRET_KEY.toString('base64'),
    WECOM_API_BASE: simUrl,
    WECOM_INSTALL_BASE: simUrl,
    WECOM_OAUTH_BASE: simUrl,
    LOG_LEVEL: 'error',
    // Tests install and log in far faster than people do; test/auth-abuse.e2e-spec.ts checks the real limits.
    INSTALL_REQUESTS_PER_IP_PER_MINUTE: '100000',
    INSTALL_STARTS_PER_SUITE_PER_MINUTE: '100000',
    OAUTH_REQUESTS_PER_IP_PER_MINUTE: '100000',
    INVALIDATIONS_PER_TOKEN_PER_MINUTE: '100000',
    INVALIDATIONS_PER_KEY_PER_MINUTE: '100000',
    ...overrides,
  };
}

export async function startTestCallbackApp(env: Record<string, string>): Promise<{ app: NestFastifyApplication; url: string; config: CallbackConfig }> {
  const config = loadConfig(callbackEnv, { ...env, CALLBACK_PORT: '0' });
  const app = await startCallbackApp(config);
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1'), config };
}

/** Registers a fresh suite with the platform's store and with the simulator, pointing at the callback app. */
export async function registerSuite(sim: Simulator, callbackUrl: string | null, databaseUrl = TEST_DATABASE_URL): Promise<SuiteFixture> {
  const suite: SuiteFixture = {
    suiteId: uniqueId('wwsuite'),
    secret: randomBytes(16).toString('hex'),
    token: randomBytes(8).toString('hex'),
    aesKey: randomAesKey(),
    providerCorpId: uniqueId('wwprov'),
  };
  const prisma = testPrisma(databaseUrl);
  try {
    await new SuiteRepository(prisma, testCipher()).upsert({
      suiteId: suite.suiteId,
      secret: suite.secret,
      token: suite.token,
      encodingAesKey: suite.aesKey,
      providerCorpId: suite.providerCorpId,
      providerSecret: 'provider-secret-' + suite.suiteId,
    });
  } finally {
    await prisma.onModuleDestroy();
  }
  const res = await fetch(`${sim.url}/sim/suites`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      suite_id: suite.suiteId,
      suite_secret: suite.secret,
      token: suite.token,
      encoding_aes_key: suite.aesKey,
      provider_corpid: suite.providerCorpId,
      provider_secret: 'provider-secret-' + suite.suiteId,
      // 授权发起域名: the auth apps of the tests serve their install pages on 127.0.0.1.
      install_domain: '127.0.0.1',
      command_callback_url: callbackUrl ? `${callbackUrl}/callback/suites/${suite.suiteId}/command` : undefined,
      data_callback_url: callbackUrl ? `${callbackUrl}/callback/suites/${suite.suiteId}/data` : undefined,
    }),
  });
  if (!res.ok) throw new Error(`simulator refused the suite: ${res.status} ${await res.text()}`);
  return suite;
}

export async function simControl<T = Record<string, unknown>>(sim: Simulator, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

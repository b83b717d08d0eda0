import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startTestAuthApp } from './support/auth.js';
import { freePort } from './support/ports.js';
import { startTestCallbackApp, testEnv } from './support/platform.js';

/** The operators' routes stay off the public port once OPS_PORT is set. */
describe('operations surface: /metrics, /docs and /health details on OPS_PORT', () => {
  const apps: NestFastifyApplication[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('keeps metrics, docs and health details off the public port of the auth app, and serves only them on OPS_PORT', async () => {
    const opsPort = await freePort();
    const auth = await startTestAuthApp(testEnv('http://127.0.0.1:9', { OPS_PORT: String(opsPort) }));
    apps.push(auth.app);
    const ops = `http://127.0.0.1:${opsPort}`;
    for (const path of ['/metrics', '/docs', '/docs-json', '/docs/swagger-ui-init.js']) {
      expect({ path, status: (await fetch(`${auth.url}${path}`)).status }).toEqual({ path, status: 404 });
      expect({ path, status: (await fetch(`${ops}${path}`)).status }).toEqual({ path, status: 200 });
    }
    const publicHealth = await fetch(`${auth.url}/health`);
    expect(publicHealth.status).toBe(200);
    expect(await publicHealth.json()).toEqual({ status: 'ok' });
    const opsHealth = (await (await fetch(`${ops}/health`)).json()) as { checks: Record<string, unknown> };
    expect(Object.keys(opsHealth.checks).sort()).toEqual(['database', 'redis']);
    expect(await (await fetch(`${ops}/metrics`)).text()).toContain('process_cpu_seconds_total');
    // The ops listener is not a back door to the public routes.
    expect((await fetch(`${ops}/install/wwsomething`)).status).toBe(404);
    expect((await fetch(`${ops}/api/v1/admin/suites`)).status).toBe(404);
  });

  it('does the same for the callback app', async () => {
    const opsPort = await freePort();
    const callback = await startTestCallbackApp(testEnv('http://127.0.0.1:9', { OPS_PORT: String(opsPort) }));
    apps.push(callback.app);
    expect((await fetch(`${callback.url}/metrics`)).status).toBe(404);
    expect(await (await fetch(`${callback.url}/health`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`http://127.0.0.1:${opsPort}/metrics`)).status).toBe(200);
  });
});

import { randomBytes } from 'node:crypto';
import { CallbackEventRepository, PlatformEventRepository, ProviderRepository } from '@app/store';
import { AuthStack, callApi, createApiKey, startAuthStack, waitFor } from './support/auth.js';
import { simControl } from './support/platform.js';
import { randomAesKey, signCallback } from './support/wecom-sender.js';
import { testCipher } from './support/store.js';

const PROVIDER_TOKEN_PATH = '/cgi-bin/service/get_provider_token';

interface ProviderBody {
  providerCorpId: string;
  hasProviderSecret: boolean;
  systemEventsConfigured: boolean;
  systemEventPath: string;
  suiteIds: string[];
}

/**
 * The provider as its own record (issue 13): registered through the admin API, owning several suites, its
 * provider_access_token served by the token API and fetched from WeCom once for all of them, and its system-event URL
 * receiving WeCom's pushes (verified and stored, typed, in the inbox; published as platform events).
 */
describe('providers: record, provider token, system events', () => {
  let stack: AuthStack;
  const providerCorpId = `wwprov${randomBytes(6).toString('hex')}`;
  const providerSecret = `provider-secret-${randomBytes(8).toString('hex')}`;
  const systemToken = randomBytes(8).toString('hex');
  const systemAesKey = randomAesKey();
  const suiteIds = [1, 2, 3].map((n) => `wwsuite${n}${randomBytes(5).toString('hex')}`);

  const admin = <T>(method: string, path: string, body?: unknown) => callApi<T>(stack.authUrl, method, path, { key: stack.adminKey, body });
  const providerTokenFetches = async (): Promise<number> => {
    const calls = (await (await fetch(`${stack.sim.url}/sim/calls`)).json()) as { by_path: Record<string, number> };
    return calls.by_path[PROVIDER_TOKEN_PATH] ?? 0;
  };

  beforeAll(async () => {
    stack = await startAuthStack();
    await simControl(stack.sim, 'POST', '/sim/providers', {
      provider_corpid: providerCorpId,
      provider_secret: providerSecret,
      system_event_url: `${stack.callbackUrl}/callback/providers/${providerCorpId}/system`,
      token: systemToken,
      encoding_aes_key: systemAesKey,
    });
  });

  afterAll(() => stack.close());

  it('registers a provider through the admin API, never returning its secrets, and links the suites it owns', async () => {
    const res = await admin<ProviderBody>('POST', '/api/v1/admin/providers', { providerCorpId, name: 'Vendor', providerSecret, token: systemToken, encodingAesKey: systemAesKey });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ providerCorpId, hasProviderSecret: true, systemEventsConfigured: true, systemEventPath: `/callback/providers/${providerCorpId}/system`, suiteIds: [] });
    for (const secret of [providerSecret, systemAesKey]) expect(res.text).not.toContain(secret);
    const row = await stack.worker.prisma.client.provider.findUniqueOrThrow({ where: { corpId: providerCorpId } });
    expect(row.secretEnc).not.toContain(providerSecret);
    expect(row.encodingAesKeyEnc).not.toContain(systemAesKey);

    for (const suiteId of suiteIds) {
      const suite = await admin('POST', '/api/v1/admin/suites', { suiteId, secret: 's', token: 't', encodingAesKey: randomAesKey(), providerCorpId });
      expect(suite.status).toBe(201);
      expect(suite.body).toMatchObject({ providerCorpId, hasProviderSecret: true });
    }
    const shown = await admin<ProviderBody>('GET', `/api/v1/admin/providers/${providerCorpId}`);
    expect(shown.body.suiteIds).toEqual([...suiteIds].sort());
    expect((await admin('GET', '/api/v1/admin/providers/wwnosuchprovider')).body).toMatchObject({ error: 'provider_not_found' });
    const bad = await admin<{ message: string[] }>('POST', '/api/v1/admin/providers', { providerCorpId: 'bad id!', token: 't' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/providerCorpId/);
    expect(JSON.stringify(bad.body)).toMatch(/encodingAesKey/);
  });

  it('serves the provider token, fetched from WeCom once for every suite and every caller', async () => {
    const before = await providerTokenFetches();
    const scoped = await createApiKey([`provider:${providerCorpId}`]);
    const suiteScoped = await createApiKey([`suite:${suiteIds[0]}`]);
    const path = `/api/v1/providers/${providerCorpId}/access-token`;
    const answers = await Promise.all([scoped, stack.adminKey, scoped, stack.adminKey].map((key) => callApi<{ access_token: string; expires_at: string }>(stack.authUrl, 'GET', path, { key })));
    for (const a of answers) expect(a.status).toBe(200);
    expect(new Set(answers.map((a) => a.body.access_token)).size).toBe(1);
    expect(new Date(answers[0].body.expires_at).getTime()).toBeGreaterThan(Date.now() + 5 * 60_000);
    expect(await providerTokenFetches()).toBe(before + 1);
    // The simulator accepts it where WeCom wants a provider token.
    const login = await fetch(`${stack.sim.url}/cgi-bin/service/get_login_info?access_token=${encodeURIComponent(answers[0].body.access_token)}`, {
      method: 'POST',
      body: JSON.stringify({ auth_code: 'not-a-code' }),
    });
    expect(((await login.json()) as { errcode: number }).errcode).not.toBe(40014);
    // Asking again costs WeCom nothing; a key for another provider or a suite may not have it.
    expect((await callApi(stack.authUrl, 'GET', path, { key: scoped })).status).toBe(200);
    expect(await providerTokenFetches()).toBe(before + 1);
    expect((await callApi(stack.authUrl, 'GET', path, { key: suiteScoped })).status).toBe(403);
    expect((await callApi(stack.authUrl, 'GET', `/api/v1/providers/wwnosuchprovider/access-token`, { key: stack.adminKey })).body).toMatchObject({ error: 'provider_not_found' });
  });

  it('rotating the provider_secret drops the token fetched with the old one', async () => {
    const path = `/api/v1/providers/${providerCorpId}/access-token`;
    const first = await callApi<{ access_token: string }>(stack.authUrl, 'GET', path, { key: stack.adminKey });
    const rotated = `${providerSecret}-2`;
    await simControl(stack.sim, 'POST', '/sim/providers', { provider_corpid: providerCorpId, provider_secret: rotated });
    await simControl(stack.sim, 'POST', '/sim/tokens/invalidate', { kind: 'provider', corp_id: providerCorpId });
    const res = await admin<ProviderBody>('PATCH', `/api/v1/admin/providers/${providerCorpId}`, { providerSecret: rotated });
    expect(res.status).toBe(200);
    const before = await providerTokenFetches();
    const second = await callApi<{ access_token: string }>(stack.authUrl, 'GET', path, { key: stack.adminKey });
    expect(second.status).toBe(200);
    expect(second.body.access_token).not.toBe(first.body.access_token);
    expect(await providerTokenFetches()).toBe(before + 1);
    expect((await admin('PATCH', '/api/v1/admin/providers/wwnosuchprovider', { name: 'x' })).body).toMatchObject({ error: 'provider_not_found' });
  });

  it('verifies the system-event URL with the provider corpid as receiveid', async () => {
    const verified = await simControl<{ verified: boolean; status: number }>(stack.sim, 'POST', `/sim/providers/${providerCorpId}/verify-url`);
    expect(verified).toMatchObject({ verified: true, status: 200 });
    const unknown = await fetch(`${stack.callbackUrl}/callback/providers/wwnosuchprovider/system?msg_signature=${'0'.repeat(40)}&timestamp=${Math.floor(Date.now() / 1000)}&nonce=1&echostr=x`);
    expect(unknown.status).toBe(404);
  });

  it('stores every system event in the inbox, typed (unknown ones raw), once, and publishes nothing under the provider corpid', async () => {
    const authCorpId = `wwcorp${randomBytes(5).toString('hex')}`;
    const pushes = [
      { info_type: 'license_pay_success', auth_corpid: authCorpId, fields: { OrderId: 'ORDER1', BuyerUserId: 'buyer' } },
      { info_type: 'license_refund', auth_corpid: authCorpId, fields: { OrderId: 'ORDER1', OrderStatus: 1 } },
      { info_type: 'auto_activate', auth_corpid: authCorpId, fields: { Scene: 1 } },
      { info_type: 'unlicensed_notify', auth_corpid: authCorpId, fields: { AgentID: 1000002 } },
      { info_type: 'register_corp', auth_corpid: authCorpId, fields: { RegisterCode: 'REG1', TemplateId: 'tpl', State: 'promo7' } },
      { info_type: 'some_future_notice', fields: { Whatever: 'kept' } },
    ];
    for (const push of pushes) {
      const outcome = await simControl<{ delivered: boolean; attempts: number }>(stack.sim, 'POST', `/sim/providers/${providerCorpId}/system-events`, push);
      expect(outcome).toMatchObject({ delivered: true, attempts: 1 });
    }
    const inbox = new CallbackEventRepository(stack.worker.prisma, testCipher());
    const rows = await waitFor(async () => {
      const found = await inbox.list({ suiteId: providerCorpId, kind: 'system' }, 50);
      return found.length === pushes.length ? found : undefined;
    });
    const byType = new Map(rows.map((r) => [r.type, r]));
    expect([...byType.keys()].sort()).toEqual(pushes.map((p) => p.info_type).sort());
    expect(byType.get('license_pay_success')).toMatchObject({
      kind: 'system',
      corpId: authCorpId,
      event: { kind: 'system', infoType: 'license_pay_success', serviceCorpId: providerCorpId, authCorpId, orderId: 'ORDER1', buyerUserId: 'buyer' },
    });
    expect(byType.get('license_refund')?.event).toMatchObject({ infoType: 'license_refund', orderId: 'ORDER1', orderStatus: 1 });
    expect(byType.get('auto_activate')?.event).toMatchObject({ infoType: 'auto_activate', scene: 1 });
    expect(byType.get('unlicensed_notify')?.event).toMatchObject({ infoType: 'unlicensed_notify', agentId: 1000002 });
    expect(byType.get('register_corp')?.event).toMatchObject({ infoType: 'register_corp', registerCode: 'REG1', templateId: 'tpl', state: 'promo7' });
    expect(byType.get('some_future_notice')).toMatchObject({ corpId: null, event: { kind: 'system', infoType: 'other', rawInfoType: 'some_future_notice' } });
    expect(byType.get('some_future_notice')?.payload).toContain('<Whatever><![CDATA[kept]]></Whatever>');
    // Stored sealed, like every inbox payload.
    const raw = await stack.worker.prisma.client.callbackEvent.findUniqueOrThrow({ where: { id: byType.get('license_pay_success')!.id } });
    expect(raw.payload).not.toContain('ORDER1');

    // The worker's job handles them: processed. The provider has no suite installed in the corp, so the license
    // handlers publish nothing, and no event is published under the provider corpid (no endpoint could receive it);
    // test/licenses.e2e-spec.ts counts the per-suite ones at a webhook receiver.
    for (const row of rows) await stack.worker.processEvent(row.id, providerCorpId);
    const published = await new PlatformEventRepository(stack.worker.prisma, testCipher()).listAfter(providerCorpId, 0n, { exact: [], prefixes: [] }, 50);
    expect(published).toEqual([]);
    const processed = await inbox.list({ suiteId: providerCorpId, kind: 'system', status: 'processed' }, 50);
    expect(processed).toHaveLength(pushes.length);
  });

  it('stores an authentic system event it cannot read (typed unparsable), acknowledges it once, and the worker fails it for good', async () => {
    const payload = `not xml ${randomBytes(4).toString('hex')}`;
    for (let i = 0; i < 2; i++) {
      // WeCom's retry of the same callback: acknowledged again, stored once.
      const signed = signCallback({ token: systemToken, aesKey: systemAesKey }, payload, providerCorpId);
      const res = await fetch(`${stack.callbackUrl}/callback/providers/${providerCorpId}/system?${signed.query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: signed.body });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('success');
    }
    const inbox = new CallbackEventRepository(stack.worker.prisma, testCipher());
    const rows = (await inbox.list({ suiteId: providerCorpId, kind: 'system' }, 50)).filter((r) => r.payload === payload);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: 'unparsable', corpId: null, event: { kind: 'system', unparsable: { code: 'TEXT_OUTSIDE_ROOT' } } });
    await expect(stack.worker.processEvent(rows[0].id, providerCorpId)).rejects.toThrow('could not be parsed (TEXT_OUTSIDE_ROOT)');
    expect(await inbox.findById(rows[0].id)).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('keeps the per-suite provider fields it migrated: a suite registered with a secret creates its provider', async () => {
    const corpId = `wwprov${randomBytes(6).toString('hex')}`;
    const suiteId = `wwsuite${randomBytes(6).toString('hex')}`;
    const res = await admin('POST', '/api/v1/admin/suites', { suiteId, secret: 's', token: 't', encodingAesKey: randomAesKey(), providerCorpId: corpId, providerSecret: 'legacy-secret' });
    expect(res.status).toBe(201);
    const creds = await new ProviderRepository(stack.worker.prisma, testCipher()).findCredentials(corpId);
    expect(creds).toMatchObject({ corpId, secret: 'legacy-secret', token: null, encodingAesKey: null });
  });
});

import { randomBytes } from 'node:crypto';
import type { SuiteFixture } from '../support/wecom-sender.js';
import { commandPayload, signCallback } from '../support/wecom-sender.js';

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)];
const JUNK = ['<', '>', '&', ']]>', '<!DOCTYPE x>', '%', '%00', '\u0000', '\uFFFF', '../', '"', "'", '{', '}', '[]', 'null', '-1', '1e309', '😀', 'ſ'];

/** A few random edits: deletions, insertions of random or hostile characters. */
export function mutate(s: string): string {
  const chars = s.split('');
  const n = 1 + Math.floor(Math.random() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(Math.random() * (chars.length + 1));
    const op = Math.random();
    if (op < 0.4) chars.splice(at, 1);
    else if (op < 0.8) chars.splice(at, 0, String.fromCharCode(Math.floor(Math.random() * 0x2fff)));
    else chars.splice(at, 0, pick(JUNK));
  }
  return chars.join('');
}

const randomText = (): string =>
  pick([() => randomBytes(Math.floor(Math.random() * 40)).toString('base64url'), () => pick(JUNK), () => 'x'.repeat(Math.floor(Math.random() * 5000)), () => ''])();
const randomJson = (): string =>
  pick([
    () => JSON.stringify({ [randomText()]: randomText() }),
    () => JSON.stringify({ url: randomText(), access_token: Math.random() < 0.5 ? 42 : randomText() }),
    () => JSON.stringify({ suiteId: randomText(), secret: [], token: {}, encodingAesKey: 'a'.repeat(Math.floor(Math.random() * 60)), successUrl: randomText() }),
    () => JSON.stringify({ name: randomText(), scopes: pick([[], ['admin'], ['suite:'], [randomText()], 'admin', null]) }),
    () => mutate('{"url":"https://example.com/a?b=1#c"}'),
    () => randomText(),
  ])();

interface Targets {
  callback: string;
  auth: string;
  worker: string;
}

/** Sends `count` malformed or hostile requests at every public route of the three apps; returns status counts. */
export async function fuzzRequests(targets: Targets, suite: SuiteFixture, adminKey: string, count: number): Promise<Record<string, number>> {
  const seed = signCallback(suite, commandPayload(suite.suiteId, 'change_contact', { AuthCorpId: 'wwfuzz', ChangeType: 'update_user' }), suite.suiteId);
  const suiteIds = [suite.suiteId, suite.suiteId, suite.suiteId, 'wwnosuchsuite', encodeURIComponent(mutate(suite.suiteId)), '%2e%2e', 'a'.repeat(300)];
  const keys = [adminKey, adminKey, `wik_${randomBytes(24).toString('base64url')}`, '', 'garbage', `Basic ${randomText()}`];

  const generators: (() => { url: string; method: string; body?: string; headers?: Record<string, string> })[] = [
    () => ({
      url: `${targets.callback}/callback/suites/${pick(suiteIds)}/${pick(['command', 'data', 'x'])}?${pick([mutate(seed.query), seed.query, randomText()])}`,
      method: pick(['POST', 'POST', 'GET']),
      body: pick([mutate(seed.body), seed.body, randomText(), randomJson()]),
    }),
    () => ({ url: `${targets.auth}/install/${pick(suiteIds)}?state=${encodeURIComponent(randomText())}&auth_type=${encodeURIComponent(pick(['0', '1', '2', '-1', randomText()]))}`, method: 'GET' }),
    () => ({ url: `${targets.auth}/install/${pick(suiteIds)}/complete?auth_code=${encodeURIComponent(randomText())}&state=${encodeURIComponent(randomText())}&expires_in=${encodeURIComponent(randomText())}`, method: 'GET' }),
    () => ({ url: `${targets.auth}/oauth/${pick(suiteIds)}/authorize?redirect=${encodeURIComponent(pick(['https://evil.example/x', 'javascript:alert(1)', randomText()]))}&scope=${encodeURIComponent(randomText())}`, method: 'GET' }),
    () => ({
      url: `${targets.auth}/oauth/${pick(suiteIds)}/callback?code=${encodeURIComponent(randomText())}&state=${encodeURIComponent(randomText())}`,
      method: 'GET',
      headers: { cookie: `wecom_oauth_${suite.suiteId}=${encodeURIComponent(pick([randomText(), `${randomText()}.${randomText()}`]))}` },
    }),
    () => ({
      url: `${targets.auth}/install/${pick(suiteIds)}/start?state=${encodeURIComponent(randomText())}`,
      method: 'POST',
      body: pick(['', randomText()]),
      headers: { origin: pick([targets.auth, 'https://evil.example', 'null', randomText()]), 'content-type': pick(['application/x-www-form-urlencoded', 'text/plain']) },
    }),
    () => ({
      url: `${targets.auth}/api/v1/suites/${pick(suiteIds)}/${pick(['access-token', 'access-token/invalidate', `corps/${encodeURIComponent(randomText())}/access-token`, `corps/${encodeURIComponent(randomText())}/access-token/invalidate`, `corps/${encodeURIComponent(randomText())}/jssdk-signatures`, 'login-tokens/verify'])}`,
      method: pick(['GET', 'POST']),
      body: randomJson(),
      headers: { authorization: `Bearer ${pick(keys)}`, 'content-type': pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded']) },
    }),
    () => ({
      url: `${targets.auth}/api/v1/admin/${pick([
        'suites',
        `suites?cursor=${encodeURIComponent(randomText())}&limit=${encodeURIComponent(randomText())}`,
        `suites/${pick(suiteIds)}`,
        `suites/${pick(suiteIds)}/corps?cursor=${encodeURIComponent(randomText())}&status=${encodeURIComponent(randomText())}`,
        `suites/${pick(suiteIds)}/corps/${encodeURIComponent(randomText())}`,
        `events?suiteId=${encodeURIComponent(randomText())}&status=${encodeURIComponent(randomText())}&from=${encodeURIComponent(randomText())}&limit=${encodeURIComponent(randomText())}`,
        `events/${encodeURIComponent(pick([randomText(), '99999999999999999999999', '-1', '1.5']))}`,
        `events/${encodeURIComponent(randomText())}/replay`,
        'api-keys',
        `api-keys/${encodeURIComponent(randomText())}`,
        `overview?days=${encodeURIComponent(randomText())}`,
        `corps?q=${encodeURIComponent(randomText())}&installedFrom=${encodeURIComponent(randomText())}&editionId=${encodeURIComponent(randomText())}&cursor=${encodeURIComponent(randomText())}`,
        `suites/${pick(suiteIds)}/setup`,
        `suites/${pick(suiteIds)}/corps/${encodeURIComponent(randomText())}/tokens`,
        `suites/${pick(suiteIds)}/corps/${encodeURIComponent(randomText())}/tokens/refresh`,
        'events/replay',
        'console-users',
        `console-users/${encodeURIComponent(randomText())}`,
        `console-users/${encodeURIComponent(randomText())}/sessions`,
      ])}`,
      method: pick(['GET', 'POST', 'PATCH', 'DELETE']),
      body: randomJson(),
      headers: { authorization: `Bearer ${pick(keys)}`, 'content-type': 'application/json' },
    }),
    () => ({
      url: `${targets.auth}/${pick(['api/v1/console/session', 'console/', `console/${encodeURIComponent(randomText())}`, `console/assets/${encodeURIComponent(randomText())}`])}`,
      method: pick(['GET', 'POST', 'DELETE']),
      body: pick([randomJson(), JSON.stringify({ username: randomText(), password: randomText() })]),
      // Header values must be ByteStrings for fetch to send them at all.
      headers: { 'content-type': 'application/json', cookie: `wecom_console_session=${pick([randomBytes(32).toString('base64url'), 'a'.repeat(5000), ''])}`, 'x-csrf-token': randomBytes(24).toString('base64url') },
    }),
    () => ({ url: `${pick([targets.auth, targets.callback, targets.worker])}/${pick(['health', 'metrics', 'docs', 'docs-json', encodeURIComponent(randomText())])}`, method: pick(['GET', 'POST', 'DELETE']) }),
  ];

  const statuses: Record<string, number> = {};
  const failures: string[] = [];
  let sent = 0;
  const sender = async () => {
    while (sent < count) {
      sent++;
      const r = pick(generators)();
      let status: number;
      try {
        const res = await fetch(r.url, { method: r.method, body: r.method === 'GET' ? undefined : r.body, headers: r.headers, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
        await res.arrayBuffer();
        status = res.status;
      } catch {
        status = 0; // the client could not even send it (e.g. an invalid URL); not a server answer
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 500 && failures.length < 5) failures.push(`${status} ${r.method} ${r.url.slice(0, 300)} body=${(r.body ?? '').slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: 40 }, sender));
  if (failures.length) process.stdout.write(`server errors, first ${failures.length}:\n${failures.join('\n')}\n`);
  return statuses;
}

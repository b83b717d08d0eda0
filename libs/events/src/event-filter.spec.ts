import { EVENT_TYPE_PATTERN, matchesEventType } from './event-filter.js';
import { retryDelayMs, verdictOf, DEFAULT_RETRY_SCHEDULE_SECONDS } from './retry-schedule.js';

describe('endpoint event-type filters', () => {
  it('matches exact types, dotted prefixes with .*, and * ', () => {
    expect(matchesEventType([], 'message.text')).toBe(true);
    expect(matchesEventType(['*'], 'message.text')).toBe(true);
    expect(matchesEventType(['contact.*'], 'contact.user.created')).toBe(true);
    expect(matchesEventType(['contact.user.*'], 'contact.department.created')).toBe(false);
    expect(matchesEventType(['contact.*'], 'contacts.x')).toBe(false);
    expect(matchesEventType(['message.text'], 'message.textual')).toBe(false);
    expect(matchesEventType(['tenant.installed', 'message.*'], 'message.image')).toBe(true);
  });

  it('accepts only well-formed patterns', () => {
    for (const ok of ['*', 'contact.*', 'tenant.installed', 'wecom.unknown']) expect(EVENT_TYPE_PATTERN.test(ok)).toBe(true);
    for (const bad of ['', 'contact.', 'Contact.*', 'a..b', '*.x', 'a.*.b']) expect(EVENT_TYPE_PATTERN.test(bad)).toBe(false);
  });
});

describe('retry schedule', () => {
  it('follows the schedule with ±20% jitter and ends after the last step', () => {
    expect(retryDelayMs(DEFAULT_RETRY_SCHEDULE_SECONDS, 1, 0.2, () => 0.5)).toBe(5000);
    expect(retryDelayMs(DEFAULT_RETRY_SCHEDULE_SECONDS, 2, 0.2, () => 0)).toBe(240_000);
    expect(retryDelayMs(DEFAULT_RETRY_SCHEDULE_SECONDS, 7, 0.2, () => 1)).toBe(43_200_000);
    expect(retryDelayMs(DEFAULT_RETRY_SCHEDULE_SECONDS, 12)).toBeNull();
    const totalHours = DEFAULT_RETRY_SCHEDULE_SECONDS.reduce((a, b) => a + b, 0) / 3600;
    expect(totalHours).toBeCloseTo(67.6, 1);
  });

  it('delivers on 2xx, disables the endpoint on 410, retries everything else', () => {
    expect([200, 204, 299].map(verdictOf)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(verdictOf(410)).toBe('endpoint_gone');
    expect([null, 301, 400, 404, 429, 500, 503].map(verdictOf)).toEqual(Array(7).fill('retry'));
  });
});

describe('WEBHOOK_RETRY_SCHEDULE_SECONDS', () => {
  it('defaults to the documented schedule', async () => {
    const { loadConfig, workerEnv } = await import('@app/config');
    const env = loadConfig(workerEnv, { SECRET_KEY: Buffer.alloc(32).toString('base64') });
    expect(env.WEBHOOK_RETRY_SCHEDULE_SECONDS).toEqual(DEFAULT_RETRY_SCHEDULE_SECONDS);
  });
});

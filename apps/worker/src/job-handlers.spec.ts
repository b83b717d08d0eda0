import { QueueName } from '@app/queues';
import { checkJobHandlers, jobNamesOf } from './job-handlers.js';

const all = {
  'process-callback-event': async () => undefined,
  'refresh-suite-token': async () => undefined,
  'refresh-provider-token': async () => undefined,
  'refresh-corp-token': async () => undefined,
  'refresh-jsapi-ticket': async () => undefined,
  'refresh-agent-ticket': async () => undefined,
  'sweep-due-tokens': async () => undefined,
  'reconcile-schedule': async () => undefined,
  'sweep-inbox': async () => undefined,
  'purge-retention': async () => undefined,
  'deliver-webhook': async () => undefined,
  'sweep-webhooks': async () => undefined,
  'reconcile-licenses': async () => undefined,
  'notify-license-expiry': async () => undefined,
};

describe('checkJobHandlers', () => {
  it('accepts one handler for every job name', () => {
    expect(() => checkJobHandlers(all)).not.toThrow();
  });

  it('names a job without a handler and a handler without a job', () => {
    const { 'sweep-inbox': _dropped, ...partial } = all;
    expect(() => checkJobHandlers({ ...partial, 'refresh-everything': async () => undefined })).toThrow(
      'job handlers do not match job names: missing [sweep-inbox], unknown [refresh-everything]',
    );
  });

  it('splits the job names between the queues', () => {
    expect(jobNamesOf(QueueName.CallbackEvents).sort()).toEqual(['notify-license-expiry', 'process-callback-event', 'purge-retention', 'reconcile-licenses', 'sweep-inbox']);
    expect(jobNamesOf(QueueName.TokenRefresh)).toHaveLength(7);
    expect(jobNamesOf(QueueName.WebhookDeliveries).sort()).toEqual(['deliver-webhook', 'sweep-webhooks']);
  });
});

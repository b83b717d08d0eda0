import { refreshJobId } from './producers.js';
import { callbackEventJobId, QUEUE_OF_JOB, QueueName } from './queue-names.js';

describe('job ids and queues', () => {
  it('gives each token one refresh job id that BullMQ accepts (not numeric, no colon)', () => {
    expect(refreshJobId({ name: 'refresh-corp-token', data: { suiteId: 'wws1', corpId: 'wwc1' } })).toBe('refresh-corp-token|wws1|wwc1');
    expect(refreshJobId({ name: 'refresh-suite-token', data: { suiteId: 'wws1' } })).toBe('refresh-suite-token|wws1|');
  });

  it('prefixes inbox ids, which BullMQ would refuse as purely numeric job ids', () => {
    expect(callbackEventJobId(42n)).toBe('evt-42');
    expect(callbackEventJobId('7')).toBe('evt-7');
  });

  it('puts every job name on exactly one of the queues', () => {
    const queues = new Set(Object.values(QUEUE_OF_JOB));
    expect([...queues].sort()).toEqual([QueueName.CallbackEvents, QueueName.TokenRefresh, QueueName.WebhookDeliveries].sort());
  });
});

import { Test, TestingModule } from '@nestjs/testing';
import { MetricsModule } from '@app/platform';
import { EventPublisher } from '@app/events';
import { QueuesModule, RedisModule } from '@app/queues';
import { StoreModule } from '@app/store';
import { TenantsModule } from '@app/tenants';
import { TokensModule, TokensModuleOptions } from '@app/tokens';
import { ProcessCallbackEventJob } from '../../apps/worker/src/jobs/process-callback-event.job.js';
import { SystemEventHandlers } from '../../apps/worker/src/system-events/system-event-handlers.js';
import { WorkerMetrics } from '../../apps/worker/src/worker-metrics.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL, TEST_SECRET_KEY } from './env.js';

/**
 * The token and tenant machinery exactly as the apps import it (StoreModule, RedisModule, TokensModule,
 * TenantsModule), plus the worker's `process-callback-event` job (with the event publisher it hands events to),
 * on the test database and Redis. Close the
 * returned module to release its connections.
 */
export function tokenGraph(options: Omit<TokensModuleOptions, 'metrics'>, databaseUrl = TEST_DATABASE_URL): Promise<TestingModule> {
  return Test.createTestingModule({
    imports: [
      StoreModule.forRoot({ url: databaseUrl, poolSize: 4, secretKey: TEST_SECRET_KEY, oldSecretKeys: [] }),
      RedisModule.forRoot({ url: TEST_REDIS_URL, prefix: options.redisPrefix, role: 'worker' }),
      QueuesModule.forRoot(),
      MetricsModule,
      TokensModule.forRoot({ ...options, metrics: WorkerMetrics }),
      TenantsModule,
    ],
    providers: [ProcessCallbackEventJob, EventPublisher, SystemEventHandlers],
  }).compile();
}

export * from './producers.js';
export * from './queue-names.js';
export * from './queues.module.js';
export * from './redis-connection.js';
export * from './redis.health.js';
export * from './api-key-revocations.js';
export * from './redis.module.js';
export * from './redis.tokens.js';

export * from './producers.js';
export * from './queue-names.js';
export * from './redis-connection.js';
export * from './redis.health.js';

export * from './refresh-lock.js';
export * from './refresh-schedule.js';
export * from './token-broker.service.js';
export * from './token-cache.js';
export * from './token-key.js';
export * from './tokens.module.js';
export * from './wecom-call-limiter.js';
